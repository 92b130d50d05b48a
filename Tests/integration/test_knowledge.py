"""Knowledge the agency maintains, and the investor's verdict (issue 19), against the real
server with real files: DOCX written by pandoc, PDF by LibreOffice (Vietnamese, Japanese and
Chinese text), one encrypted by qpdf, a scan-like PDF of an image, a zip bomb; converted by
the server's own pdftotext and pandoc, previewed, published, searched and answered from.
Ratings, the survey and the barometer's figures are checked against what was sent;
attachments are uploaded and downloaded byte for byte."""
from __future__ import annotations

import hashlib
import http.client
import urllib.parse
from pathlib import Path

import pytest

from harness import AGENTS, assert_http_error, cid, http_request, investor, is_event, officer, run
from knowledge_files import docx, encrypted, png, to_pdf, zip_bomb

PACK = "quang-ninh-ipa"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# An invented test zone, so nothing the shipped pack says can answer for it.
VI_DOC = """# Khu thử nghiệm Kiểm Định

Khu thử nghiệm Kiểm Định có tổng cộng 4321 lô đất dành cho nhà đầu tư thử nghiệm.

## Hạ tầng

Đường nội bộ của khu thử nghiệm Kiểm Định dài 77 km.
"""
CJK_DOC = """# 試験区ケンティン

試験区ケンティンには投資家向けの区画が合計8765区画あります。

# 测试区

测试区共有5432个地块供投资者使用。

Khu thử nghiệm có 2468 lô đất.
"""


def upload(srv, body: bytes, content_type: str, **params):
    query = urllib.parse.urlencode({"title": "Khu thử nghiệm", "source": "IPA test", "date": "2026-11", **params})
    return http_request(srv.base, "POST", f"/v1/agents/{PACK}/documents?{query}", srv.officer_token,
                        raw=body, headers={"Content-Type": content_type}, timeout=120)


def search(srv, q: str, language: str):
    st, js, _ = srv.http("GET", "/v1/search?" + urllib.parse.urlencode({"q": q, "language": language}),
                         srv.officer_token)
    assert st == 200, js
    return js["results"]


def listing(srv):
    st, js, _ = srv.http("GET", f"/v1/agents/{PACK}/documents", srv.officer_token)
    assert st == 200, js
    return js


def test_a_docx_and_a_cjk_pdf_are_previewed_published_answered_and_withdrawn(server_factory, tmp_path):
    srv = server_factory()
    word = docx(VI_DOC, tmp_path, "kiem-dinh")
    st, js, _ = upload(srv, word.read_bytes(), DOCX_TYPE, family="kiem-dinh-test", language="vi", name="kiem-dinh.docx")
    assert st == 201, js
    assert js["id"] == "kiem-dinh-test.vi" and js["version"] == 1 and js["status"] == "preview"
    preview = js["preview"]
    assert preview["sections"] == ["Khu thử nghiệm Kiểm Định", "Hạ tầng"]
    assert "4321 lô đất" in preview["text"] and preview["metadata"]["title"] == "Khu thử nghiệm"
    assert js["file"] == {"name": "kiem-dinh.docx", "type": DOCX_TYPE, "size": word.stat().st_size,
                          "sha256": hashlib.sha256(word.read_bytes()).hexdigest()}
    # A preview is not answered from.
    assert not [r for r in search(srv, "4321 lô đất Kiểm Định", "vi") if r["document"] == "kiem-dinh-test.vi"]

    st, js, _ = srv.http("POST", f"/v1/agents/{PACK}/documents/kiem-dinh-test.vi/publish", srv.officer_token)
    assert st == 200 and js["published"] == 1 and js["origin"] == "upload", js
    hits = [r for r in search(srv, "4321 lô đất Kiểm Định", "vi") if r["document"] == "kiem-dinh-test.vi"]
    assert hits and hits[0]["version"] == 1 and "4321" in hits[0]["passage"], hits

    # The assistant answers from it and cites the version it quoted.
    s = srv.create_session("Tài liệu tải lên", assistant="auto", languages=["vi", "ja"])
    inv = srv.create_invite(s["id"], name="Nguyễn Văn A", language="vi")

    async def ask():
        ws, _, _ = await investor(srv, inv["code"], "vi")
        ack = await ws.action({"type": "ask", "session": s["id"], "text": "Khu thử nghiệm Kiểm Định có bao nhiêu lô đất?",
                               "clientId": cid()})
        assert ack["type"] == "ack", ack
        answer = await ws.wait_for(is_event("answer", about=ack["seq"]), timeout=30)
        await ws.close()
        return answer
    answer = run(ask())
    cited = [c for c in answer["citations"] if c["document"] == "kiem-dinh-test.vi"]
    assert cited and cited[0]["version"] == 1 and "4321" in cited[0]["passage"], answer

    # A PDF LibreOffice wrote from a DOCX with Japanese, Chinese and Vietnamese text.
    pdf = to_pdf(docx(CJK_DOC, tmp_path, "cjk"))
    st, js, _ = upload(srv, pdf.read_bytes(), "application/pdf", family="kiem-dinh-test", language="ja",
                       title="試験区", name="cjk.pdf")
    assert st == 201, js
    text = js["preview"]["text"]
    # LibreOffice spaces Latin digits apart from CJK text ("合計 8765 区画"); pdftotext keeps it.
    flat = text.replace(" ", "")
    assert "合計8765区画" in flat and "共有5432个地块" in flat and "2468 lô đất" in text, text
    assert js["preview"]["pages"] >= 1
    srv.http("POST", f"/v1/agents/{PACK}/documents/kiem-dinh-test.ja/publish", srv.officer_token)
    assert [r for r in search(srv, "8765 区画", "ja") if r["document"] == "kiem-dinh-test.ja"]

    families = {f["family"]: f for f in listing(srv)["families"]}
    assert families["kiem-dinh-test"]["languages"] == ["vi", "ja"]
    assert families["kiem-dinh-test"]["missing"] == ["en", "fr", "ko", "zh"]

    # Version 2, then a roll-back to 1; then withdrawn.
    second = docx(VI_DOC.replace("4321", "9999"), tmp_path, "kiem-dinh-2")
    st, js, _ = upload(srv, second.read_bytes(), DOCX_TYPE, family="kiem-dinh-test", language="vi")
    assert st == 201 and js["version"] == 2
    st, js, _ = srv.http("POST", f"/v1/agents/{PACK}/documents/kiem-dinh-test.vi/publish", srv.officer_token)
    assert js["published"] == 2 and [v["status"] for v in js["versions"]] == ["retired", "published"]
    assert [r for r in search(srv, "9999 lô đất Kiểm Định", "vi") if r["document"] == "kiem-dinh-test.vi"]
    st, js, _ = srv.http("POST", f"/v1/agents/{PACK}/documents/kiem-dinh-test.vi/publish?version=1", srv.officer_token)
    assert js["published"] == 1 and [v["status"] for v in js["versions"]] == ["published", "retired"]
    assert all(r["version"] == 1 for r in search(srv, "Kiểm Định lô đất", "vi") if r["document"] == "kiem-dinh-test.vi")
    st, js, _ = srv.http("POST", f"/v1/agents/{PACK}/documents/kiem-dinh-test.vi/unpublish", srv.officer_token)
    assert st == 200 and js["published"] is None and js["inForce"] is False
    assert not [r for r in search(srv, "4321 lô đất Kiểm Định", "vi") if r["document"] == "kiem-dinh-test.vi"]
    st, js, _ = srv.http("POST", f"/v1/agents/{PACK}/documents/kiem-dinh-test.vi/unpublish", srv.officer_token)
    assert_http_error(st, js, 409, "conflict")

    # Versions survive a restart, and the published set is in force again at start.
    srv.stop()
    srv.start()
    assert [r for r in search(srv, "8765 区画", "ja") if r["document"] == "kiem-dinh-test.ja"]
    [entry] = [d for d in listing(srv)["documents"] if d["id"] == "kiem-dinh-test.vi"]
    assert [v["version"] for v in entry["versions"]] == [1, 2] and entry["versions"][0]["createdBy"]


def test_bad_files_are_refused_with_the_reason_and_nothing_published_changes(server_factory, tmp_path):
    srv = server_factory()
    good = docx(VI_DOC, tmp_path, "good")
    st, _, _ = upload(srv, good.read_bytes(), DOCX_TYPE, family="kiem-dinh-test", language="vi")
    srv.http("POST", f"/v1/agents/{PACK}/documents/kiem-dinh-test.vi/publish", srv.officer_token)
    before = listing(srv)

    pdf = to_pdf(docx(CJK_DOC, tmp_path, "cjk"))
    # A scan: a page holding only an image (pandoc puts it in a DOCX, LibreOffice prints it).
    (tmp_path / "scan.png").write_bytes(png(400, 300, (240, 240, 240)))
    scan = to_pdf(docx("![](scan.png)\n", tmp_path, "scan"))
    cases = [
        (encrypted(pdf).read_bytes(), "application/pdf", 422, "encrypted"),
        (scan.read_bytes(), "application/pdf", 422, "no text layer"),
        (pdf.read_bytes()[: len(pdf.read_bytes()) // 3], "application/pdf", 422, "PDF"),
        (zip_bomb(tmp_path).read_bytes(), DOCX_TYPE, 422, "zip bomb"),
        (b"\x7fELF\x02\x01\x01" + bytes(200), "application/pdf", 415, "not a PDF"),
        (png(), "image/png", 415, "not a document"),
        (pdf.read_bytes(), "image/png", 415, "content is application/pdf"),
        (b"", "application/pdf", 400, "body"),
    ]
    for body, ctype, status, needle in cases:
        st, js, _ = upload(srv, body, ctype, family="kiem-dinh-test", language="vi")
        assert st == status and needle in js["error"]["message"], (needle, st, js)
    for params, needle in [({"family": "Bad Family"}, "family"), ({"language": "klingon"}, "language"),
                           ({"date": "yesterday"}, "date"), ({"title": ""}, "title")]:
        st, js, _ = upload(srv, good.read_bytes(), DOCX_TYPE, **{"family": "kiem-dinh-test", "language": "vi", **params})
        assert st == 400 and needle in js["error"]["message"], (params, js)
    # A reviewer reads the list but does not upload or publish.
    st, js, _ = http_request(srv.base, "POST", f"/v1/agents/{PACK}/documents/kiem-dinh-test.vi/unpublish",
                             srv.reviewer_token)
    assert_http_error(st, js, 403, "forbidden")

    # 200 MB is refused from its headers, before a byte of it is read.
    conn = http.client.HTTPConnection("127.0.0.1", int(srv.base.rsplit(":", 1)[1].strip("/")), timeout=10)
    conn.putrequest("POST", f"/v1/agents/{PACK}/documents?family=big&language=vi&title=t&source=s&date=2026")
    conn.putheader("Authorization", f"Bearer {srv.officer_token}")
    conn.putheader("Content-Type", "application/pdf")
    conn.putheader("Content-Length", str(200 * 1024 * 1024))
    conn.endheaders()
    conn.send(b"%PDF-1.7\n" + bytes(64 * 1024))
    response = conn.getresponse()
    assert response.status == 413, response.read()
    conn.close()

    after = listing(srv)
    assert after == before, "a refused upload changed the documents"
    assert [r for r in search(srv, "4321 lô đất Kiểm Định", "vi") if r["document"] == "kiem-dinh-test.vi"]


def test_ratings_survey_and_barometer_figures(server_factory):
    srv = server_factory()
    s = srv.create_session("Đánh giá và khảo sát", assistant="auto", languages=["vi", "ja", "ko"])
    sato = srv.create_invite(s["id"], name="Sato Haruki", language="ja", timeZone="Asia/Tokyo")
    kim = srv.create_invite(s["id"], name="Kim Min-jun", language="ko", timeZone="Asia/Seoul")
    # Before the end the survey is not open.
    st, js, _ = srv.http("GET", "/v1/survey", sato["code"])
    assert_http_error(st, js, 403, "forbidden")

    async def meeting():
        off, _ = await officer(srv, join=s["id"])
        ws, _, _ = await investor(srv, sato["code"], "ja")
        other, _, _ = await investor(srv, kim["code"], "ko")
        answers = []
        for question in ("クアンニン省の2025年のFDI誘致目標はいくらですか？", "クアンニン省には外国直接投資のプロジェクトがいくつありますか？"):
            ack = await ws.action({"type": "ask", "session": s["id"], "text": question, "clientId": cid()})
            answers.append(await ws.wait_for(is_event("answer", about=ack["seq"]), timeout=30))
        first, second = answers
        ack = await ws.action({"type": "rate", "session": s["id"], "seq": first["seq"], "rating": "helpful",
                               "clientId": cid()})
        assert ack["type"] == "ack", ack
        helpful = await off.wait_for(is_event("rating", about=first["seq"]))
        assert helpful["seq"] == ack["seq"]
        assert helpful["rating"] == "helpful" and helpful["from"]["id"] == ws_id(ws)
        # Once per answer; only the asker; only answers; only the pack's reasons, with unhelpful.
        for frame, code, by in [
            ({"seq": first["seq"], "rating": "unhelpful"}, "conflict", ws),
            ({"seq": first["seq"], "rating": "helpful"}, "forbidden", other),
            ({"seq": first["about"], "rating": "helpful"}, "not_found", ws),
            ({"seq": second["seq"], "rating": "unhelpful", "reason": "rude"}, "bad_request", ws),
            ({"seq": second["seq"], "rating": "helpful", "reason": "wrong"}, "bad_request", ws),
            ({"seq": second["seq"], "rating": "so-so"}, "bad_request", ws),
        ]:
            mark = by.mark()
            await by.send({"type": "rate", "session": s["id"], **frame})
            error = await by.wait_for(lambda f: f.get("type") == "error", since=mark)
            assert error["code"] == code, (frame, error)
        await ws.send({"type": "rate", "session": s["id"], "seq": second["seq"], "rating": "unhelpful",
                       "reason": "outdated", "comment": "2023年の数字です"})
        unhelpful = await off.wait_for(is_event("rating", about=second["seq"]))
        assert unhelpful["reason"] == "outdated" and unhelpful["comment"] == "2023年の数字です"
        # Ratings are for officers: no investor's socket carries them.
        assert not [f for f in ws.frames + other.frames if f.get("type") == "event" and f.get("kind") == "rating"]
        # With a clientId the rater gets an ack, and errors name it.
        mark = ws.mark()
        await ws.send({"type": "rate", "session": s["id"], "seq": second["seq"], "rating": "helpful", "clientId": "again"})
        error = await ws.wait_for(lambda f: f.get("type") == "error", since=mark)
        assert error["code"] == "conflict" and error.get("ref") == "again", error
        await off.send({"type": "end", "session": s["id"]})
        await off.wait_for(is_event("ended"))
        for c in (off, ws, other):
            await c.close()
        return first, second
    first, second = run(meeting())

    # The signed record: the documented hash commits the comment; transcripts say the verdict,
    # the reason in the reader's language and the comment.
    from test_redaction import check_chain
    check_chain(srv.transcript(s["id"]))
    st, md, _ = srv.http("GET", f"/v1/sessions/{s['id']}/transcript?format=md&lang=ja", srv.officer_token)
    line = [l for l in md.splitlines() if "2023年の数字です" in l]
    assert line and "役に立たなかった" in line[0] and "情報が古い" in line[0], line or md[-2000:]

    st, gaps, _ = srv.http("GET", "/v1/gaps", srv.officer_token)
    [gap] = [g for g in gaps["gaps"] if g["reason"] == "unhelpful"]
    assert gap["seq"] == second["about"] and gap["answer"] == second["seq"] and gap["ratingReason"] == "outdated"
    assert gap["documents"] == [c["document"] for c in second["citations"]]

    # The survey, in the invite's language, once.
    st, js, _ = srv.http("GET", "/v1/survey", sato["code"])
    assert st == 200 and js["language"] == "ja" and js["answered"] is False, js
    ids = [q["id"] for q in js["questions"]]
    assert {"information", "transparency", "timeliness", "competence", "attitude", "support", "overall", "comment"} <= set(ids)
    assert any("情報" in q["text"] for q in js["questions"]) and js["scale"]["low"]
    for bad, needle in [({"answers": {"information": 6}}, "1 to 5"), ({"answers": {"speed": 3}}, "not a question"),
                        ({"answers": {"comment": 4}}, "text"), ({"answers": {}}, "at least one"),
                        ({"answers": {"information": 4}, "extra": 1}, "unknown field")]:
        st, js, _ = srv.http("POST", "/v1/survey", sato["code"], bad)
        assert st == 400 and needle in js["error"]["message"], (bad, js)
    sato_answers = {"information": 4, "transparency": 5, "timeliness": 3, "competence": 5, "attitude": 5, "support": 4,
                    "overall": 4, "comment": "会議はとても有益でした"}
    st, js, _ = srv.http("POST", "/v1/survey", sato["code"], {"answers": sato_answers})
    assert st == 201 and js["record"]["answers"] == sato_answers and js["signature"], js
    st, js, _ = srv.http("POST", "/v1/survey", sato["code"], {"answers": {"overall": 1}})
    assert_http_error(st, js, 409, "conflict")
    kim_answers = {"information": 2, "overall": 3}
    assert srv.http("POST", "/v1/survey", kim["code"], {"answers": kim_answers})[0] == 201
    st, js, _ = srv.http("GET", "/v1/survey", sato["code"])
    assert js["answered"] is True

    # The barometer's figures are the stored answers'.
    st, b, _ = srv.http("GET", "/v1/barometer?group=language", srv.officer_token)
    assert st == 200, b
    groups = {g["key"]: g for g in b["groups"]}
    assert groups["ja"]["responses"] == 1 and groups["ja"]["invited"] == 1 and groups["ja"]["responseRate"] == 1
    assert groups["ja"]["scores"] == {k: float(v) for k, v in sato_answers.items() if k != "comment"}
    assert groups["ko"]["scores"] == {"information": 2.0, "overall": 3.0}
    assert b["totals"]["responses"] == 2 and b["totals"]["invited"] == 2
    assert b["totals"]["scores"]["information"] == 3.0 and b["totals"]["scores"]["overall"] == 3.5
    assert b["totals"]["ratings"] == 2 and b["totals"]["helpfulShare"] == 0.5
    cited = {c["document"] for c in first["citations"]} | {c["document"] for c in second["citations"]}
    assert {d["document"] for d in b["documents"]} == cited
    for d in b["documents"]:
        expect_ratings = (d["document"] in {c["document"] for c in first["citations"]}) + \
                         (d["document"] in {c["document"] for c in second["citations"]})
        assert d["ratings"] == expect_ratings, d
    assert b["gaps"][0]["count"] >= 1
    st, month, _ = srv.http("GET", "/v1/barometer?group=month", srv.officer_token)
    assert [g["responses"] for g in month["groups"]] == [2]
    st, csv, headers = srv.http("GET", "/v1/barometer?group=language&format=csv", srv.officer_token)
    assert st == 200 and headers["Content-Type"].startswith("text/csv")
    rows = [line.split(",") for line in csv.strip().splitlines()]
    assert rows[0][:4] == ["language", "invited", "responses", "response_rate"]
    assert {r[0]: r[2] for r in rows[1:]} == {"ja": "1", "ko": "1"}
    st, by_country, _ = srv.http("GET", "/v1/barometer?group=country", srv.officer_token)
    assert {g["key"]: g["responses"] for g in by_country["groups"]} == {"JP": 1, "KR": 1}
    for bad in ("group=planet", "from=2026-13-01", "from=2026-12-02&to=2026-12-01"):
        st, js, _ = srv.http("GET", f"/v1/barometer?{bad}", srv.officer_token)
        assert_http_error(st, js, 400, "bad_request")
    st, metrics, _ = srv.http("GET", "/metrics")
    assert 'dialogue_barometer_score{dimension="overall"} 3.5' in metrics, metrics[-1500:]
    assert "dialogue_barometer_responses 2" in metrics

    # A revoked code opens nothing.
    srv.http("DELETE", f"/v1/sessions/{s['id']}/invites/{kim['id']}", srv.officer_token)
    st, js, _ = srv.http("GET", "/v1/survey", kim["code"])
    assert_http_error(st, js, 401, "unauthorized")


def ws_id(ws) -> str:
    [welcome] = [f for f in ws.frames if f.get("type") == "welcome"]
    return welcome["you"]["id"]


def test_shared_files_are_proved_and_downloaded_by_participants_only(server_factory):
    srv = server_factory()
    s = srv.create_session("Tài liệu chia sẻ", languages=["vi", "ja"])
    other = srv.create_session("Phiên khác")
    inv = srv.create_invite(s["id"], name="Sato Haruki", language="ja")
    stranger = srv.create_invite(other["id"], name="Kim", language="ko")
    image = png(120, 80)

    async def share():
        ws, _, _ = await investor(srv, inv["code"], "ja")
        st, js, _ = http_request(srv.base, "POST", f"/v1/sessions/{s['id']}/attachments?name=site%20plan.png",
                                 srv.officer_token, raw=image, headers={"Content-Type": "image/png"})
        assert st == 201, js
        event = await ws.wait_for(is_event("attachment"))
        await ws.close()
        return js, event
    js, event = run(share())
    attachment = js["attachment"]
    assert event["attachment"] == attachment and event["seq"] == js["seq"]
    assert attachment["name"] == "site plan.png" and attachment["type"] == "image/png"
    assert attachment["size"] == len(image) and attachment["sha256"] == hashlib.sha256(image).hexdigest()

    for token in (inv["code"], srv.officer_token, srv.reviewer_token):
        st, body, headers = http_request_bytes(srv, attachment["url"], token)
        assert st == 200 and body == image and headers["Content-Type"] == "image/png", st
    st, body, _ = http_request_bytes(srv, attachment["url"], stranger["code"])
    assert st == 403
    st, body, _ = http_request_bytes(srv, attachment["url"], None)
    assert st == 401
    st, link, _ = srv.http("GET", attachment["url"] + "/link", inv["code"])
    assert st == 200 and link["url"].startswith(attachment["url"] + "?link="), link
    st, body, _ = http_request_bytes(srv, link["url"], None)
    assert st == 200 and body == image
    st, body, _ = http_request_bytes(srv, link["url"][:-2] + "00", None)
    assert st == 403

    # Type by content, size limited; scripts never.
    for raw, ctype, name in [(b"<html><script>alert(1)</script></html>", "text/html", "x.html"),
                             (b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", "image/svg+xml", "x.svg"),
                             (b"%PDF-1.7 pretending", "image/png", "x.png")]:
        st, js, _ = http_request(srv.base, "POST", f"/v1/sessions/{s['id']}/attachments?name={name}",
                                 srv.officer_token, raw=raw, headers={"Content-Type": ctype})
        assert st == 415, (name, st, js)
    st, js, _ = http_request(srv.base, "POST", f"/v1/sessions/{s['id']}/attachments?name=x.png", srv.reviewer_token,
                             raw=image, headers={"Content-Type": "image/png"})
    assert_http_error(st, js, 403, "forbidden")

    # The signed transcript records it; the export lists it.
    transcript = srv.transcript(s["id"])
    [recorded] = [e for e in transcript["events"] if e["kind"] == "attachment"]
    assert recorded["attachment"]["sha256"] == attachment["sha256"]


def http_request_bytes(srv, path: str, token: str | None):
    import urllib.request
    req = urllib.request.Request(srv.base.rstrip("/") + path, headers={"Authorization": f"Bearer {token}"} if token else {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, resp.read(), resp.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def test_answers_and_search_results_show_the_zone_media(server):
    st, js, _ = server.http("GET", "/v1/search?" + urllib.parse.urlencode(
        {"q": "industrial parks Dong Mai Cam Thinh", "language": "en"}), server.officer_token)
    hits = [r for r in js["results"] if r["document"] == "industrial-parks.en"]
    assert hits and hits[0]["media"][0]["image"] == f"/v1/agents/{PACK}/media/quang-ninh-industrial-parks-schematic.svg"
    assert "not to scale" in hits[0]["media"][0]["caption"]
    st, body, headers = http_request_bytes(server, hits[0]["media"][0]["image"], None)
    assert st == 200 and headers["Content-Type"] == "image/svg+xml" and b"<svg" in body
    assert "sandbox" in headers["Content-Security-Policy"]
    st, _, _ = http_request_bytes(server, f"/v1/agents/{PACK}/media/..%2Fagent.json", None)
    assert st == 404


from test_nodes import postgres  # noqa: E402,F401  (the module's throwaway PostgreSQL cluster)
from harness import Server  # noqa: E402


def test_nodes_on_postgres_answer_from_the_same_documents_and_serve_the_same_files(postgres, tmp_path_factory, tmp_path):
    """On the shared store, a document one node publishes is answered from on the other within
    seconds, and a file shared on one node downloads from the other."""
    import time
    root = tmp_path_factory.mktemp("knowledge-nodes")
    shared = ["--store", postgres.url, "--signing-key", str(root / "key.ed25519"), "--rate-limit", "off"]
    a = Server(root / "a", shared)
    a.start(expect_token=True)  # this module's own cluster: A makes the first officer
    b = Server(root / "b", shared)
    b.start(expect_token=False)
    token = b.officer_token = a.officer_token
    try:
        word = docx(VI_DOC.replace("4321", "6543"), tmp_path, "nodes")
        st, js, _ = upload(a, word.read_bytes(), DOCX_TYPE, family="nodes-test", language="vi")
        assert st == 201, js
        assert a.http("POST", f"/v1/agents/{PACK}/documents/nodes-test.vi/publish", token)[0] == 200
        deadline = time.monotonic() + 20
        while not [r for r in search(b, "6543 lô đất Kiểm Định", "vi") if r["document"] == "nodes-test.vi"]:
            assert time.monotonic() < deadline, "the other node never answered from the published document"
            time.sleep(0.5)
        [entry] = [d for d in listing(b)["documents"] if d["id"] == "nodes-test.vi"]
        assert entry["published"] == 1
        # Withdrawn on B: A stops answering from it.
        assert b.http("POST", f"/v1/agents/{PACK}/documents/nodes-test.vi/unpublish", token)[0] == 200
        deadline = time.monotonic() + 20
        while [r for r in search(a, "6543 lô đất Kiểm Định", "vi") if r["document"] == "nodes-test.vi"]:
            assert time.monotonic() < deadline, "the other node kept answering from a withdrawn document"
            time.sleep(0.5)

        s = a.create_session("Hai nút")
        inv = a.create_invite(s["id"], name="Sato Haruki", language="ja")
        image = png(90, 60, (10, 120, 200))
        st, js, _ = http_request(a.base, "POST", f"/v1/sessions/{s['id']}/attachments?name=b%E1%BA%A3n%20%C4%91%E1%BB%93.png",
                                 token, raw=image, headers={"Content-Type": "image/png"})
        assert st == 201, js
        st, body, headers = http_request_bytes(b, js["attachment"]["url"], inv["code"])
        assert st == 200 and body == image
        assert "filename*=UTF-8''b%E1%BA%A3n%20%C4%91%E1%BB%93.png" in headers["Content-Disposition"]
        st, link, _ = a.http("GET", js["attachment"]["url"] + "/link", inv["code"])
        assert http_request_bytes(b, link["url"], None)[1] == image  # a link made on A opens on B
    finally:
        a.stop()
        b.stop()


def test_erasure_removes_the_investors_rating_comment_and_survey_words(server_factory, tmp_path):
    """An investor's own words in a rating and a survey go with their erasure; their scores
    stay for the barometer, and the chain still verifies."""
    import json
    from harness import cli
    from test_redaction import check_chain, holders
    srv = server_factory()
    s = srv.create_session("Xoá dữ liệu", assistant="auto", languages=["vi", "ja"])
    inv = srv.create_invite(s["id"], name="Sato Haruki", language="ja")
    comment, survey_words = "ZQX-rating-comment-7731", "ZQX-survey-words-5519"

    async def meeting():
        off, _ = await officer(srv, join=s["id"])
        ws, _, _ = await investor(srv, inv["code"], "ja")
        ack = await ws.action({"type": "ask", "session": s["id"], "text": "クアンニン省の2025年のFDI誘致目標はいくらですか？",
                               "clientId": cid()})
        answer = await ws.wait_for(is_event("answer", about=ack["seq"]), timeout=30)
        await ws.send({"type": "rate", "session": s["id"], "seq": answer["seq"], "rating": "unhelpful", "comment": comment})
        await off.wait_for(is_event("rating"))
        await off.send({"type": "end", "session": s["id"]})
        await off.wait_for(is_event("ended"))
        await ws.close()
        await off.close()
    run(meeting())
    assert srv.http("POST", "/v1/survey", inv["code"], {"answers": {"overall": 2, "comment": survey_words}})[0] == 201
    assert srv.stop() == 0
    p = cli("erase-participant", inv["id"], "--data", srv.data)
    assert p.returncode == 0, p.stderr
    p = cli("transcript", "export", s["id"], "--format", "json", "--data", srv.data)
    assert p.returncode == 0, p.stderr
    (tmp_path / "export.json").write_text(p.stdout, encoding="utf-8")
    needles = [comment.encode(), survey_words.encode()]
    assert holders(Path(srv.data), needles) == {}
    doc = json.loads(p.stdout)
    check_chain(doc)
    [rating] = [e for e in doc["events"] if e["kind"] == "rating"]
    assert "comment" not in rating and "commentHash" in rating and rating["rating"] == "unhelpful"
    assert cli("transcript", "verify", "--file", str(tmp_path / "export.json")).returncode == 0
    srv.start()
    st, b, _ = srv.http("GET", "/v1/barometer?group=language", srv.officer_token)
    assert b["totals"]["responses"] == 1 and b["totals"]["scores"]["overall"] == 2.0


def test_a_sheet_with_a_tour_and_a_map_shows_them_beside_answers_and_a_bad_link_is_refused(server_factory, tmp_path):
    """Front matter `tour` and `map` (https links) travel with the image to answers and search
    results; a pack naming a missing image or a plain-http tour is refused with file and line."""
    import re
    import shutil
    import subprocess
    from harness import BIN
    agents = tmp_path / "agents"
    shutil.copytree(AGENTS, agents)
    sheet = agents / PACK / "documents" / "industrial-parks.en.md"
    text = sheet.read_text(encoding="utf-8")
    tour, site_map = "https://tour.example.org/dong-mai-360", "https://maps.example.org/quang-ninh-parks"
    sheet.write_text(text.replace("\n---\n", f"\ntour: {tour}\nmap: {site_map}\n---\n", 1), encoding="utf-8")
    srv = server_factory("--agents", str(agents))
    s = srv.create_session("Khu công nghiệp", assistant="auto", languages=["vi", "en"])
    inv = srv.create_invite(s["id"], name="Jane Doe", language="en")

    async def ask():
        ws, _, _ = await investor(srv, inv["code"], "en")
        ack = await ws.action({"type": "ask", "session": s["id"], "clientId": cid(),
                               "text": "Which industrial parks does Quang Ninh have, such as Dong Mai and Cam Thinh?"})
        answer = await ws.wait_for(is_event("answer", about=ack["seq"]), timeout=30)
        await ws.close()
        return answer
    answer = run(ask())
    cards = {m["document"]: m for m in answer.get("media") or []}
    assert "industrial-parks.en" in {c["document"] for c in answer["citations"]}, answer["citations"]
    card = cards["industrial-parks.en"]
    assert card["tour"] == tour and card["map"] == site_map and card["image"].endswith(".svg"), card
    hits = [r for r in search(srv, "Dong Mai Cam Thinh industrial parks", "en") if r["document"] == "industrial-parks.en"]
    assert hits and hits[0]["media"][0]["tour"] == tour

    for bad, needle in [(f"tour: http://tour.example.org/x", "https link"),
                        ("image: nowhere.png", "not in the pack's media/ folder")]:
        broken = tmp_path / f"broken-{len(needle)}"
        shutil.copytree(AGENTS, broken)
        target = broken / PACK / "documents" / "industrial-parks.en.md"
        original = target.read_text(encoding="utf-8").replace("image: quang-ninh-industrial-parks-schematic.svg\n", "")
        target.write_text(original.replace("\n---\n", f"\n{bad}\n---\n", 1), encoding="utf-8")
        p = subprocess.run([BIN, "serve", "--port", "0", "--data", str(tmp_path / "bad-data"), "--agents", str(broken)],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode != 0 and needle in p.stderr and re.search(r"industrial-parks\.en\.md:\d+", p.stderr), p.stderr
