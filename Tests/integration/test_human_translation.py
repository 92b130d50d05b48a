"""Interpreters and human translation (protocol additions of issue 15): an interpreter (staff
role) joins a session read-only, drafts included, and sends `translate`; the translation is
stored with who made it, delivered as a `translation` frame (engine `human`, `by`, `at`) to
the readers of its language and to every officer and interpreter of the session, shown in
later history and in transcripts, and never overwritten by a machine translation."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from harness import assert_http_error, cid, cli, connect, investor, is_event, run
from provider_standin import StandIn
from test_nodes import postgres  # noqa: F401  (the throwaway PostgreSQL cluster fixture)

JA_QUESTION = "ヴァンドンの工業団地について教えてください"
VI_TRANSLATION = "Xin cho biết về khu công nghiệp ở Vân Đồn."


def translations_of(ws, seq, language=None):
    return [f for f in ws.frames if f.get("type") == "translation" and f.get("seq") == seq
            and (language is None or f.get("language") == language)]


async def staff_ws(srv, token, language, join=None):
    ws = await connect(srv)
    welcome = await ws.hello(token, language)
    if join:
        await ws.join(join)
    return ws, welcome


async def translate(ws, sid, seq, language, text):
    """Sends `translate`; returns the error it got, or the `translation` frame echoed to the sender."""
    start = ws.mark()
    await ws.send({"type": "translate", "session": sid, "seq": seq, "language": language, "text": text})
    return await ws.wait_for(
        lambda f: f.get("type") == "error"
        or (f.get("type") == "translation" and f.get("seq") == seq and f.get("language") == language
            and f.get("text") == text),
        timeout=10, since=start)


def history_event(events, seq):
    found = [e for e in events if e.get("seq") == seq]
    assert found, f"seq {seq} not in history: {[e.get('seq') for e in events]}"
    return found[0]


@pytest.fixture
def standin():
    s = StandIn()
    yield s
    s.close()


def test_an_interpreter_translates_for_the_readers_of_a_language(server_factory):
    srv = server_factory("--rate-limit", "off")
    name = f"Nguyễn Thị Lan {cid()[:4]}"
    token = srv.add_staff(name, "interpreter")
    listed = cli("staff", "list", "--data", srv.data).stdout
    assert any(name in line and "\tinterpreter\t" in line for line in listed.splitlines()), listed
    s = srv.create_session("Phiên dịch Vân Đồn", languages=["vi", "ja", "en"])
    sid = s["id"]
    ja_invite = srv.create_invite(sid, name="Sato Haruki", language="ja")

    async def go():
        vi_officer, _ = await staff_ws(srv, srv.officer_token, "vi", join=sid)
        en_officer, _ = await staff_ws(srv, srv.officer_token, "en", join=sid)
        interp, welcome = await staff_ws(srv, token, "en")
        assert welcome["you"]["role"] == "interpreter" and welcome["session"] is None, welcome
        await interp.join(sid)
        ja, _, _ = await investor(srv, ja_invite["code"], "ja")
        ack = await ja.say(sid, JA_QUESTION)
        assert ack["type"] == "ack", ack
        seq = ack["seq"]
        await interp.wait_for(is_event("message", seq=seq))

        echoed = await translate(interp, sid, seq, "vi", VI_TRANSLATION)
        assert echoed["type"] == "translation", echoed
        frame = await vi_officer.until(lambda: (translations_of(vi_officer, seq, "vi") or [None])[0],
                                       timeout=10, what="the human translation")
        assert frame["engine"] == "human" and frame["text"] == VI_TRANSLATION and frame["session"] == sid
        assert frame["by"] == {"id": welcome["you"]["id"], "name": name, "role": "interpreter"}, frame
        assert frame["glossaryOk"] is True, frame
        assert isinstance(frame["at"], str) and frame["at"].endswith("Z")
        # Every officer gets every translation frame, whatever its language; the Japanese
        # investor does not get the Vietnamese one.
        await en_officer.until(lambda: translations_of(en_officer, seq, "vi") or None, timeout=5,
                               what="the translation at an officer reading English")
        await ja.expect_none(lambda f: f.get("type") == "translation", duration=0.5)

        # A translation without the glossary's approved forms is stored, flagged.
        loose = await translate(interp, sid, seq, "en", "Tell me about the industrial estates in Van Don")
        assert loose["type"] == "translation" and loose["glossaryOk"] is False, loose

        # A reader who comes later gets it in history, with who translated and when.
        vi_invite = srv.create_invite(sid, name="Trần Văn Minh", language="vi")
        vi, _, history = await investor(srv, vi_invite["code"], "vi")
        member = history_event(history, seq)["translation"]
        assert member == {"text": VI_TRANSLATION, "language": "vi", "engine": "human", "glossaryOk": True,
                          "by": frame["by"], "at": frame["at"]}, member
        reviewer_ws, _ = await staff_ws(srv, srv.reviewer_token, "vi")
        events = await reviewer_ws.join(sid)
        assert history_event(events, seq)["translation"]["by"]["name"] == name

        # The interpreter observes: not a participant, no presence, no `joined` of its own.
        assert all(e["from"]["role"] != "interpreter" for e in interp.events(sid))
        st, session, _ = srv.http("GET", f"/v1/sessions/{sid}", token)
        assert st == 200 and all(p["role"] != "interpreter" for p in session["participants"]), session
        for w in (vi_officer, en_officer, interp, ja, vi, reviewer_ws):
            await w.close()
        return seq, frame

    seq, frame = run(go())

    # HTTP: what an interpreter may read, and what it may not do.
    st, listed, _ = srv.http("GET", f"/v1/sessions/{sid}/translations", token)
    assert st == 200, listed
    assert [(t["seq"], t["language"], t["engine"]) for t in listed["translations"]] == [
        (seq, "en", "human"), (seq, "vi", "human")], listed
    assert listed["translations"][1] == {"seq": seq, "language": "vi", "text": VI_TRANSLATION, "engine": "human",
                                         "glossaryOk": True, "by": frame["by"], "at": frame["at"]}
    st, only_vi, _ = srv.http("GET", f"/v1/sessions/{sid}/translations?language=vi", srv.officer_token)
    assert st == 200 and [t["language"] for t in only_vi["translations"]] == ["vi"], only_vi
    for path in ("/v1/sessions", f"/v1/sessions/{sid}", f"/v1/sessions/{sid}/transcript?format=md"):
        st, body, _ = srv.http("GET", path, token)
        assert st == 200, (path, st, body)
    for method, path, body in [
        ("POST", "/v1/sessions", {"title": "not mine"}),
        ("POST", f"/v1/sessions/{sid}/invites", {"name": "X", "language": "en"}),
        ("GET", f"/v1/sessions/{sid}/invites", None),
        ("GET", f"/v1/sessions/{sid}/verify", None),
        ("POST", f"/v1/sessions/{sid}/notes", {"seq": 1, "text": "note"}),
        ("GET", "/v1/search?q=port", None),
        ("GET", "/v1/glossary", None),
        ("GET", "/v1/gaps", None),
    ]:
        st, answer, _ = srv.http(method, path, token, body)
        assert_http_error(st, answer, 403, "forbidden")
    st, answer, _ = srv.http("GET", f"/v1/sessions/{sid}/translations", srv.reviewer_token)
    assert_http_error(st, answer, 403, "forbidden")
    st, answer, _ = srv.http("GET", "/v1/sessions/ses_nope/translations", token)
    assert_http_error(st, answer, 404, "not_found")
    st, answer, _ = srv.http("GET", f"/v1/sessions/{sid}/translations?language=vietnamese", token)
    assert_http_error(st, answer, 400, "bad_request")


def test_an_interpreter_may_only_join_read_and_translate(server_factory):
    srv = server_factory("--rate-limit", "off")
    token = srv.add_staff(f"interp-{cid()[:6]}", "interpreter")
    s = srv.create_session("Roles", languages=["vi", "en"])
    sid = s["id"]
    inv = srv.create_invite(sid, name="Kim", language="en")

    async def go():
        interp, _ = await staff_ws(srv, token, "vi", join=sid)
        en, welcome, _ = await investor(srv, inv["code"], "en")
        await interp.wait_for(is_event("joined"))
        frames = [
            {"type": "say", "session": sid, "text": "hello", "clientId": cid()},
            {"type": "ask", "session": sid, "text": "what?", "clientId": cid()},
            {"type": "approve", "session": sid, "draft": 1},
            {"type": "reject", "session": sid, "draft": 1},
            {"type": "moderate", "session": sid, "action": "mute", "target": welcome["you"]["id"]},
            {"type": "moderate", "session": sid, "action": "assistant", "mode": "off"},
            {"type": "end", "session": sid},
        ]
        for frame in frames:
            start = interp.mark()
            await interp.send(frame)
            error = await interp.next_error(start)
            assert error["code"] == "forbidden", (frame, error)
        # Leave works (no `left` event: it never joined as a participant), and join again.
        last = max(e["seq"] for e in interp.events(sid))
        interp.cursor = interp.mark()  # past the refusals
        await interp.send({"type": "leave", "session": sid})
        ack = await en.say(sid, "still here")
        await interp.expect_none(is_event(seq=ack["seq"]), duration=0.5)
        events = await interp.join(sid, after=last)
        assert [e["kind"] for e in events] == ["message"], events
        await interp.close()
        await en.close()

    run(go())


def test_translate_refusals_are_clear(server_factory):
    srv = server_factory("--rate-limit", "off")
    token = srv.add_staff(f"interp-{cid()[:6]}", "interpreter")
    s = srv.create_session("Refusals", languages=["vi", "ja"])
    sid = s["id"]
    inv = srv.create_invite(sid, name="Sato", language="ja")

    async def go():
        ja, _, _ = await investor(srv, inv["code"], "ja")
        ack = await ja.say(sid, JA_QUESTION)
        seq = ack["seq"]
        interp, _ = await staff_ws(srv, token, "vi")
        # Not joined yet.
        error = await translate(interp, sid, seq, "vi", VI_TRANSLATION)
        assert error["type"] == "error" and error["code"] == "forbidden", error
        interp.cursor = interp.mark()
        await interp.join(sid)
        cases = [
            (seq + 50, "vi", VI_TRANSLATION, "not_found", "seq"),
            (seq, "en", "About Van Don", "bad_request", "language"),
            (seq, "vi", "a" * 8001, "bad_request", "8000"),
            (seq, "vi", "", "bad_request", "empty"),
            (seq, "vi", "   ", "bad_request", "empty"),
            (1, "vi", "đã tham gia", "bad_request", "joined"),  # seq 1 is the investor's `joined`
            (seq, "ja", "ヴァンドン", "bad_request", "written in ja"),  # not into its own language
        ]
        for target, language, text, code, word in cases:
            error = await translate(interp, sid, target, language, text)
            assert error["type"] == "error" and error["code"] == code, (target, language, len(text), error)
            assert word in error["message"], error
        start = interp.mark()
        await interp.send({"type": "translate", "session": sid, "seq": seq, "language": "vi"})
        assert "text" in (await interp.next_error(start))["message"]
        # Exactly the limit is fine; the investor and a reviewer may not translate at all.
        at_limit = await translate(interp, sid, seq, "vi", "ạ" * 8000)
        assert at_limit["type"] == "translation", at_limit
        for ws in (ja, (await staff_ws(srv, srv.reviewer_token, "vi", join=sid))[0]):
            error = await translate(ws, sid, seq, "vi", VI_TRANSLATION)
            assert error["type"] == "error" and error["code"] == "forbidden", error
            await ws.close()
        # An officer may translate; `by` says an officer did it.
        off, off_welcome = await staff_ws(srv, srv.officer_token, "vi", join=sid)
        done = await translate(off, sid, seq, "vi", VI_TRANSLATION)
        assert done["type"] == "translation" and done["by"]["role"] == "officer", done
        assert done["by"]["id"] == off_welcome["you"]["id"]
        # A session that ended still takes translations.
        await off.send({"type": "end", "session": sid})
        await off.wait_for(is_event("ended"))
        later = await translate(interp, sid, seq, "vi", VI_TRANSLATION + " (sửa)")
        assert later["type"] == "translation" and later["by"]["role"] == "interpreter", later
        # A redacted event takes no translation (it would store the words again), and its
        # stored translations are gone.
        st, body, _ = srv.http("POST", f"/v1/sessions/{sid}/events/{seq}/redact", srv.officer_token,
                               {"reason": "redacted before translating"})
        assert st == 200, body
        error = await translate(interp, sid, seq, "vi", VI_TRANSLATION)
        assert error["type"] == "error" and error["code"] == "conflict" and "redacted" in error["message"], error
        st, listed, _ = srv.http("GET", f"/v1/sessions/{sid}/translations", srv.officer_token)
        assert st == 200 and VI_TRANSLATION not in json.dumps(listed, ensure_ascii=False), listed
        await interp.close()
        await off.close()

    run(go())


def test_a_drafts_translation_never_reaches_investors(server_factory):
    srv = server_factory("--rate-limit", "off")
    token = srv.add_staff(f"interp-{cid()[:6]}", "interpreter")
    s = srv.create_session("Drafts", languages=["vi", "en", "ja"], assistant="review")
    sid = s["id"]
    inv = srv.create_invite(sid, name="Sato", language="ja")

    async def go():
        interp, _ = await staff_ws(srv, token, "en", join=sid)
        off, _ = await staff_ws(srv, srv.officer_token, "vi", join=sid)
        ja, _, _ = await investor(srv, inv["code"], "ja")
        ack = await ja.action({"type": "ask", "session": sid, "clientId": "q1",
                               "text": "ヴァンドン経済区の土地賃借期間は何年ですか？"})
        draft = await interp.wait_for(is_event("draft", about=ack["seq"]), timeout=30)  # interpreters see drafts
        assert draft["language"] == "ja"  # the asker's language
        done = await translate(interp, sid, draft["seq"], "vi", "Dự thảo trả lời: tối đa 50 năm.")
        assert done["type"] == "translation", done
        await off.until(lambda: translations_of(off, draft["seq"], "vi") or None, timeout=5,
                        what="the draft's translation at the officer")
        await ja.expect_none(lambda f: f.get("type") == "translation", duration=0.8)
        assert not [e for e in ja.events(sid) if e.get("kind") == "draft"]
        # Approved as written, the answer keeps the interpreter's translation.
        await off.send({"type": "approve", "session": sid, "draft": draft["seq"]})
        answer = await off.wait_for(is_event("answer", replyTo=ack["seq"]))
        carried = await off.until(lambda: translations_of(off, answer["seq"], "vi") or None, timeout=5,
                                  what="the draft's translation carried to the answer")
        assert carried[0]["engine"] == "human" and carried[0]["text"] == "Dự thảo trả lời: tối đa 50 năm."
        assert carried[0]["by"]["role"] == "interpreter"
        later, _ = await staff_ws(srv, srv.officer_token, "vi")
        history = await later.join(sid)
        assert history_event(history, answer["seq"])["translation"]["engine"] == "human"
        for w in (interp, off, ja, later):
            await w.close()

    run(go())


def test_a_persons_translation_wins_over_the_machines(server_factory, standin):
    standin.mode, standin.delay = "ok", 2.0
    srv = server_factory("--rate-limit", "off", "--translator", f"libretranslate:{standin.url}")
    token = srv.add_staff(f"interp-{cid()[:6]}", "interpreter")
    s = srv.create_session("Người và máy", languages=["vi", "en", "fr"])
    sid = s["id"]
    vi_invite = srv.create_invite(sid, name="Trần Văn Minh", language="vi")

    async def go():
        off, _ = await staff_ws(srv, srv.officer_token, "en", join=sid)
        interp, _ = await staff_ws(srv, token, "fr", join=sid)
        vi, _, _ = await investor(srv, vi_invite["code"], "vi")

        # The machine's comes first; a person's replaces it in later history.
        ack = await off.say(sid, "Welcome to the industrial park in Van Don.", language="en")
        first = ack["seq"]
        machine = await vi.until(lambda: (translations_of(vi, first, "vi") or [None])[0], timeout=15,
                                 what="the machine translation")
        assert machine["engine"] == "libretranslate" and "by" not in machine
        # Officers and interpreters get the machine's frames of every language too.
        await interp.until(lambda: translations_of(interp, first, "vi") or None, timeout=5,
                           what="the Vietnamese machine translation at the interpreter")
        human = await translate(interp, sid, first, "vi", "Chào mừng đến khu công nghiệp ở Vân Đồn.")
        assert human["type"] == "translation" and human["engine"] == "human", human
        await vi.until(lambda: [f for f in translations_of(vi, first, "vi") if f["engine"] == "human"] or None,
                       timeout=5, what="the human translation")

        # A person translates before the (slow) machine; the machine's never replaces it.
        standin.mode = "slow"
        ack = await off.say(sid, "The seaport opens in 2026.", language="en")
        second = ack["seq"]
        quick = await translate(interp, sid, second, "vi", "Cảng biển mở cửa năm 2026.")
        assert quick["type"] == "translation", quick
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any(
                r["body"].get("target") == "vi" and "2026" in r["body"].get("q", "") for r in standin.requests):
            await asyncio.sleep(0.1)
        await asyncio.sleep(standin.delay + 1.5)  # the machine's answer came back meanwhile
        assert any(f["language"] == "fr" for f in translations_of(interp, second)), "the machine did translate"
        assert [f["engine"] for f in translations_of(vi, second, "vi")] == ["human"], translations_of(vi, second)

        later_invite = srv.create_invite(sid, name="Lê Thị Hoa", language="vi")
        late, _, history = await investor(srv, later_invite["code"], "vi")
        for seq, text in ((first, "Chào mừng đến khu công nghiệp ở Vân Đồn."), (second, "Cảng biển mở cửa năm 2026.")):
            member = history_event(history, seq)["translation"]
            assert member["engine"] == "human" and member["text"] == text and member["by"]["role"] == "interpreter"
        for w in (off, interp, vi, late):
            await w.close()
        return first, second

    first, second = run(go(), timeout=120)
    st, listed, _ = srv.http("GET", f"/v1/sessions/{sid}/translations", token)
    kept = {(t["seq"], t["language"]): t["engine"] for t in listed["translations"]}
    assert kept[(first, "vi")] == "human" and kept[(second, "vi")] == "human", kept
    assert kept[(first, "fr")] == "libretranslate", kept


def test_transcripts_show_who_translated(server_factory, tmp_path):
    srv = server_factory("--rate-limit", "off")
    name = f"Phạm Thu {cid()[:4]}"
    token = srv.add_staff(name, "interpreter")
    s = srv.create_session("Biên bản có bản dịch", languages=["vi", "ja"])
    sid = s["id"]
    inv = srv.create_invite(sid, name="Sato", language="ja")

    async def go():
        ja, _, _ = await investor(srv, inv["code"], "ja")
        ack = await ja.say(sid, JA_QUESTION)
        interp, _ = await staff_ws(srv, token, "vi", join=sid)
        done = await translate(interp, sid, ack["seq"], "vi", VI_TRANSLATION)
        assert done["type"] == "translation", done
        await ja.close()
        await interp.close()
        return ack["seq"]

    seq = run(go())
    st, md, _ = srv.http("GET", f"/v1/sessions/{sid}/transcript?format=md&lang=vi", token)
    assert st == 200 and f"Bản dịch của {name} (phiên dịch viên) (human):" in md, md[-3000:]
    assert VI_TRANSLATION in md
    st, md_en, _ = srv.http("GET", f"/v1/sessions/{sid}/transcript?format=md&lang=en", srv.officer_token)
    assert VI_TRANSLATION not in md_en  # no English translation stored
    st, html, _ = srv.http("GET", f"/v1/sessions/{sid}/transcript?format=html&lang=vi", srv.officer_token)
    assert st == 200 and f"Bản dịch của {name} (phiên dịch viên) (human):" in html and VI_TRANSLATION in html
    st, doc, _ = srv.http("GET", f"/v1/sessions/{sid}/transcript?format=json&lang=vi", srv.reviewer_token)
    event = [e for e in doc["events"] if e["seq"] == seq][0]
    assert event["translation"]["by"]["name"] == name and event["translation"]["engine"] == "human"
    # The canonical export (no lang) lists every translation with `by`, and still verifies offline.
    export = cli("transcript", "export", sid, "--format", "json", "--data", srv.data)
    assert export.returncode == 0, export.stderr
    exported = json.loads(export.stdout)
    assert [(t["seq"], t["language"], t["by"]["name"]) for t in exported["translations"]] == [(seq, "vi", name)]
    path = tmp_path / "export.json"
    path.write_text(export.stdout)
    verified = cli("transcript", "verify", "--file", path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # A translation is not in the hash chain, but the export is signed whole (version 2):
    # one changed in the file is found.
    exported["translations"][0]["text"] = "đã sửa"
    path.write_text(json.dumps(exported, ensure_ascii=False))
    changed = cli("transcript", "verify", "--file", path)
    assert changed.returncode == 1 and "document signature" in changed.stdout, changed.stdout + changed.stderr
    exported["events"][-1]["text"] = "đã sửa"
    path.write_text(json.dumps(exported, ensure_ascii=False))
    assert cli("transcript", "verify", "--file", path).returncode == 1


def test_staff_add_takes_the_interpreter_role(server_factory):
    srv = server_factory()
    p = cli("staff", "add", "--name", "x", "--role", "translator", "--data", srv.data)
    assert p.returncode == 2 and "interpreter" in p.stderr, (p.returncode, p.stderr)


def test_a_translation_made_on_one_node_reaches_readers_on_the_other(postgres, tmp_path):
    """An interpreter on node c translates; a Vietnamese investor and an officer reading
    English on node d get the frame (announced with the stored translation), and a draft's
    translation reaches node d's officer but not its investor."""
    from harness import Server

    key = tmp_path / "signing-key.ed25519"
    shared = ["--store", postgres.url, "--signing-key", str(key), "--rate-limit", "off"]
    c = Server(tmp_path / "c", shared)
    c.start(expect_token=True)
    d = Server(tmp_path / "d", shared)
    d.start(expect_token=False)
    try:
        officer_token = c.officer_token  # a fresh store: the first node made the officer
        token = cli("staff", "add", "--name", f"interp-{cid()[:6]}", "--role", "interpreter",
                    "--data", str(tmp_path / "c"), "--store", postgres.url).stdout.strip()
        assert token.startswith("dst_"), token
        d.officer_token = officer_token
        s = c.create_session("Phiên dịch giữa hai nút", languages=["vi", "ja"], assistant="review")
        sid = s["id"]
        ja_code = c.create_invite(sid, name="Sato", language="ja")["code"]
        vi_code = d.create_invite(sid, name="Minh", language="vi")["code"]

        async def go():
            interp, _ = await staff_ws(c, token, "ja", join=sid)
            ja, _, _ = await investor(c, ja_code, "ja")
            vi, _, _ = await investor(d, vi_code, "vi")
            off, _ = await staff_ws(d, officer_token, "en", join=sid)
            ack = await ja.say(sid, JA_QUESTION)
            await interp.wait_for(is_event("message", seq=ack["seq"]), timeout=10)
            done = await translate(interp, sid, ack["seq"], "vi", VI_TRANSLATION)
            assert done["type"] == "translation", done
            for ws in (vi, off):
                frame = await ws.until(lambda: (translations_of(ws, ack["seq"], "vi") or [None])[0], timeout=15,
                                       what="the translation made on the other node")
                assert frame["engine"] == "human" and frame["by"] == done["by"], frame
            # A draft's translation: node d's officer gets it, its investor does not.
            # (Asked in Japanese: a draft is in the asker's language, and it is translated into Vietnamese.)
            asked = await ja.action({"type": "ask", "session": sid, "clientId": "q1",
                                     "text": "ヴァンドン経済区の土地賃借期間は何年ですか？"})
            draft = await interp.wait_for(is_event("draft", about=asked["seq"]), timeout=30)
            assert draft["language"] == "ja", draft
            done = await translate(interp, sid, draft["seq"], "vi", "Bản nháp: tối đa 50 năm.")
            assert done["type"] == "translation", done
            await off.until(lambda: translations_of(off, draft["seq"], "vi") or None, timeout=15,
                            what="the draft's translation on the other node")
            await vi.expect_none(lambda f: f.get("type") == "translation" and f.get("seq") == draft["seq"],
                                 duration=1.0)
            assert len(translations_of(vi, ack["seq"], "vi")) == 1
            for ws in (interp, ja, vi, off):
                await ws.close()

        run(go(), timeout=120)
    finally:
        for node in (c, d):
            node.stop()
