"""Every investor in their own language (issue 15), over the real server: the phrasebook
(GET /v1/phrases, `say` with `phrase`, the agency's wording as each reader's translation,
live and in history), answers in the asker's language quoting the asker's version of the
fact sheets, hand-over in all six languages with the desk's e-mail and phone, `replyTo`,
and edited approvals that say who edited them."""

from __future__ import annotations

import shutil
import subprocess
import time

from harness import AGENTS, BIN, cid, investor, is_error, is_event, officer, run

LANGUAGES = ["vi", "en", "fr", "ja", "ko", "zh"]


def test_the_phrasebook_is_served_to_staff_in_six_languages(server):
    status, body, _ = server.http("GET", "/v1/phrases?agent=quang-ninh-ipa", server.officer_token)
    assert status == 200, body
    phrases = body["phrases"]
    assert len(phrases) >= 40
    for phrase in phrases:
        assert set(phrase) >= {"id", "texts", "note"}
        assert all(phrase["texts"].get(lang) for lang in LANGUAGES), phrase["id"]
    ids = {p["id"] for p in phrases}
    assert "wait-moment" in ids and "docs-send-email" in ids and "desk-land-contact" in ids
    status, body, _ = server.http("GET", "/v1/phrases?agent=quang-ninh-ipa", server.reviewer_token)
    assert status == 200
    status, _, _ = server.http("GET", "/v1/phrases")
    assert status == 401
    status, body, _ = server.http("GET", "/v1/phrases?agent=nobody", server.officer_token)
    assert status == 404


def test_a_phrase_reaches_every_reader_in_their_language_at_once_and_in_history(server):
    s = server.create_session("Phrasebook")
    sid = s["id"]
    _, body, _ = server.http("GET", "/v1/phrases", server.officer_token)
    texts = {p["id"]: p["texts"] for p in body["phrases"]}["docs-send-email"]
    ja_invite = server.create_invite(sid, name="Sato", language="ja")
    ko_invite = server.create_invite(sid, name="Kim", language="ko")

    async def go():
        ja, ja_welcome, _ = await investor(server, ja_invite["code"], "ja")
        off, welcome = await officer(server)
        # No provider configured: pages are told nothing translates whole messages.
        assert welcome["machineTranslation"] == {"engine": None}
        assert ja_welcome["machineTranslation"] == {"engine": None}
        await off.join(sid)
        c = cid()
        ack = await off.action({"type": "say", "session": sid, "phrase": "docs-send-email", "clientId": c})
        assert ack["type"] == "ack", ack
        seen = await ja.wait_for(is_event("message", seq=ack["seq"]))
        # The officer hello'd in English: the stored text is the English phrase.
        assert seen["phrase"] == "docs-send-email"
        assert seen["text"] == texts["en"] and seen["language"] == "en"
        assert seen["translation"] == {"text": texts["ja"], "language": "ja", "engine": "phrasebook", "glossaryOk": True}
        mine = await off.wait_for(is_event("message", seq=ack["seq"]))
        assert "translation" not in mine  # the sender reads the original
        # A reader who arrives later gets the same in history.
        ko, _, history = await investor(server, ko_invite["code"], "ko")
        stored = [e for e in history if e.get("seq") == ack["seq"]][0]
        assert stored["translation"]["text"] == texts["ko"] and stored["translation"]["engine"] == "phrasebook"
        # Unknown phrase, investor sending a phrase.
        bad = await off.action({"type": "say", "session": sid, "phrase": "no-such-phrase", "clientId": cid()})
        assert bad["type"] == "error" and bad["code"] == "not_found", bad
        refused = await ja.action({"type": "say", "session": sid, "phrase": "wait-moment", "clientId": cid()})
        assert refused["type"] == "error" and refused["code"] == "forbidden", refused
        for ws in (ja, ko, off):
            await ws.close()
    run(go())


def ask_in_every_language(server, title: str, questions: dict[str, str]) -> dict[str, tuple[dict, list]]:
    """Each language's investor asks its question in an auto session; returns, per language,
    the answer and the frames that came after it (for the status)."""
    s = server.create_session(title, assistant="auto")
    sid = s["id"]
    invites = {lang: server.create_invite(sid, name=f"Investor {lang}", language=lang) for lang in LANGUAGES}

    async def go():
        answers = {}
        for lang in LANGUAGES:
            ws, _, _ = await investor(server, invites[lang]["code"], lang)
            ack = await ws.action({"type": "ask", "session": sid, "text": questions[lang], "clientId": cid()})
            answer = await ws.wait_for(is_event("answer", replyTo=ack["seq"]), timeout=20)
            status = await ws.wait_for(is_event("status", about=ack["seq"]))
            answers[lang] = (answer, status)
            await ws.close()
        return answers
    return run(go())


ASKED = {  # a question per language, and a spelling of the fact the answer must hold in it
    "vi": ("Tỉnh Quảng Ninh có bao nhiêu dự án FDI?", ["210"]),
    "en": ("What industrial parks are being developed?", ["Yen Than", "Dam Ha B"]),
    "fr": ("Quels secteurs le programme de promotion 2025 vise-t-il ?", ["semi-conducteurs"]),
    "ja": ("どの工業団地が開発されていますか？", ["イエンタン", "ダムハ"]),
    "ko": ("꽝닌성의 2025년 성장 목표는 몇 퍼센트입니까?", ["14"]),
    "zh": ("广宁省有多少个外商直接投资项目？", ["210"]),
}


def test_answers_are_in_the_askers_language_and_quote_its_version(server):
    s = server.create_session("Six languages", assistant="auto")
    sid = s["id"]
    invites = {lang: server.create_invite(sid, name=f"Investor {lang}", language=lang) for lang in LANGUAGES}

    async def go():
        for lang in LANGUAGES:
            ws, _, _ = await investor(server, invites[lang]["code"], lang)
            question, facts = ASKED[lang]
            ack = await ws.action({"type": "ask", "session": sid, "text": question, "clientId": cid()})
            answer = await ws.wait_for(is_event("answer", replyTo=ack["seq"]), timeout=20)
            assert answer["about"] == ack["seq"]
            assert answer["language"] == lang, answer
            assert any(f in answer["text"] for f in facts), (lang, answer["text"])
            assert answer["citations"], answer
            assert all(c["document"].endswith("." + lang) for c in answer["citations"]), answer["citations"]
            await ws.close()
    run(go())


RENT = {  # "what is the land rent in Van Don?" as investors write it
    "vi": "Giá thuê đất ở Khu kinh tế Vân Đồn là bao nhiêu?",
    "en": "What is the land rent in the Van Don economic zone?",
    "fr": "Quel est le loyer du terrain dans la zone économique de Van Don ?",
    "ja": "ヴァンドン経済特区で土地の賃料はいくらですか？",
    "ko": "반돈 경제구역의 토지 임대료는 얼마입니까?",
    "zh": "云屯经济区的土地租金是多少？",
}


def test_a_question_for_a_person_is_handed_over_in_every_language_with_the_desks_address(server):
    for lang, (answer, status) in ask_in_every_language(server, "Hand-over", RENT).items():
        contact = answer.get("contact")
        assert contact, (lang, answer["text"])
        assert contact["desk"] in ("land-site-clearance", "industrial-zones"), contact
        assert "@" in contact["email"] and contact["phone"].startswith("+84"), contact
        # The investor is told, in their language, who will contact them and how.
        assert contact["email"] in answer["text"] and contact["phone"] in answer["text"]
        assert contact["name"] in answer["text"]
        assert status["state"] == "handed_over"


def test_an_edited_approval_says_who_edited_it(server):
    s = server.create_session("Review", assistant="review")
    sid = s["id"]
    invite = server.create_invite(sid, name="Sato", language="ja")

    async def go():
        off, welcome = await officer(server, join=sid)
        ja, _, _ = await investor(server, invite["code"], "ja")
        ack = await ja.action({"type": "ask", "session": sid, "text": "クアンニン省のFDI案件はいくつありますか？", "clientId": cid()})
        draft = await off.wait_for(is_event("draft", replyTo=ack["seq"]), timeout=20)
        await off.send({"type": "approve", "session": sid, "draft": draft["seq"], "text": "210件を超えるFDI案件があります。"})
        answer = await ja.wait_for(is_event("answer", replyTo=ack["seq"]))
        assert answer["edited"] is True
        assert answer["editedBy"]["id"] == welcome["you"]["id"] and answer["editedBy"]["name"] == welcome["you"]["name"]
        # Approved unchanged: no editedBy.
        ack2 = await ja.action({"type": "ask", "session": sid, "text": "クアンニン省の2025年の成長目標は？", "clientId": cid()})
        draft2 = await off.wait_for(is_event("draft", replyTo=ack2["seq"]), timeout=20)
        await off.send({"type": "approve", "session": sid, "draft": draft2["seq"]})
        plain = await ja.wait_for(is_event("answer", replyTo=ack2["seq"]))
        assert plain["edited"] is False and "editedBy" not in plain
        await ja.close()
        await off.close()
    run(go())


def test_a_broken_phrasebook_refuses_start_up_with_its_line(tmp_path):
    agents = tmp_path / "Agents"
    shutil.copytree(AGENTS, agents)
    phrases = agents / "quang-ninh-ipa" / "phrases.tsv"
    lines = phrases.read_text(encoding="utf-8").split("\n")
    cells = lines[2].split("\t")
    cells[4] = ""  # line 3 loses its Japanese text
    lines[2] = "\t".join(cells)
    phrases.write_text("\n".join(lines), encoding="utf-8")
    proc = subprocess.run([BIN, "serve", "--port", "0", "--data", str(tmp_path / "data"), "--agents", str(agents)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "phrases.tsv:3:" in proc.stderr and "has no ja text" in proc.stderr, proc.stderr[-2000:]


GOLF = {  # a question the documents know nothing of, as investors write it
    "vi": "Sân golf nào gần sân bay có thẻ hội viên mùa đông cho khách?",
    "en": "Which golf courses near the airport offer winter memberships for visitors?",
    "fr": "Quels terrains de golf près de l'aéroport proposent des abonnements d'hiver ?",
    "ja": "空港近くのゴルフ場で冬季会員権を販売しているのはどこですか？",
    "ko": "공항 근처 골프장 중 겨울 회원권을 파는 곳은 어디입니까?",
    "zh": "机场附近哪些高尔夫球场提供冬季会员卡？",
}
NOT_FOUND = {  # the start of "the documents do not answer this", per language
    "vi": "Tài liệu của Ban chưa có đủ thông tin", "en": "The agency's documents do not answer",
    "fr": "Les documents de l’agence ne permettent pas", "ja": "当局の資料には、このご質問に", "ko": "기관 자료로는",
    "zh": "本局资料中暂无足够信息",
}


def test_a_question_the_documents_do_not_cover_is_handed_over_in_every_language(server):
    for lang, (answer, status) in ask_in_every_language(server, "Low confidence", GOLF).items():
        assert answer["text"].startswith(NOT_FOUND[lang]), (lang, answer["text"])
        assert answer["citations"] == [] and answer["confidencePercent"] < 35, answer
        assert answer["contact"]["desk"] == "investor-services", answer["contact"]
        assert answer["contact"]["email"] in answer["text"]
        assert status["state"] == "handed_over"


def test_the_phrasebook_is_reloaded_while_serving_and_a_broken_one_keeps_the_last(server_factory, tmp_path):
    agents = tmp_path / "Agents"
    shutil.copytree(AGENTS, agents)
    srv = server_factory("--agents", str(agents))
    phrases = agents / "quang-ninh-ipa" / "phrases.tsv"
    text = phrases.read_text(encoding="utf-8")
    added = "tea-offer\tMời Quý vị dùng trà.\tPlease have some tea.\tPrenez un thé, je vous prie.\tお茶をどうぞ。\t차 드십시오.\t请用茶。\tHospitality\n"
    phrases.write_text(text.rstrip("\n") + "\n" + added, encoding="utf-8")

    def ids():
        _, body, _ = srv.http("GET", "/v1/phrases", srv.officer_token)
        return {p["id"] for p in body["phrases"]}

    deadline = time.monotonic() + 15
    while "tea-offer" not in ids() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "tea-offer" in ids()
    # A broken file (a line without its Korean text) is refused; the phrases in force stay.
    phrases.write_text(text.rstrip("\n") + "\n" + added.replace("차 드십시오.", ""), encoding="utf-8")
    deadline = time.monotonic() + 15
    while "phrases.tsv" not in srv.stderr_text() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "phrases.tsv" in srv.stderr_text() and "has no ko text" in srv.stderr_text()
    assert "tea-offer" in ids()
