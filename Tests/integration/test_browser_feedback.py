"""Issue 19 in a real browser (Debian's headless Chromium): what the investor says about the
meeting, and the file an officer shares.

One meeting runs through the module, in order: a Japanese investor asks the assistant two
questions from their page and rates one answer helpful and the other not helpful, with a
reason from the pack's list and a comment; an independent officer connection sees both
`rating` events as they were given, a second investor of the same meeting sees nothing of
them, and a reload shows the ratings again. An officer shares a PNG: the investor sees its
card with a thumbnail and downloads the same bytes. The officer ends the meeting: the page
offers the survey, which the investor answers on a phone-sized window in Japanese; a
second answer is refused with 409.

The pages are those of the working tree (`--web-root`); the assistant is the embedded
extractive composer (no model needed, DIALOGUE_SKIP_LLAMA=1 is fine).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from browser import console_errors, element, join_meeting as join, new_browser, screenshot, wait_until
from harness import REPO, is_event, officer, run

WEB_ROOT = REPO / "Sources" / "DialogueServer" / "Web"

# Run before the page's scripts: remembers the size of every Blob the page turns into an
# object URL (the download of a shared file), so the test can compare it with the file.
RECORD_BLOBS = """
(() => {
  const create = URL.createObjectURL.bind(URL);
  window.__blobs = [];
  URL.createObjectURL = (blob) => {
    try { window.__blobs.push({ size: blob.size, type: blob.type }); } catch (e) {}
    return create(blob);
  };
})();
"""

# What the Japanese page says (join.js and survey.js STRINGS.ja).
JA = {
    "helpful": "役に立った",
    "unhelpful": "役に立たなかった",
    "thanksHelpful": "ありがとうございます。この回答を「役に立った」とご評価いただきました。",
    "thanksUnhelpful": "ありがとうございます。この回答を「役に立たなかった」とご評価いただきました。",
    "surveyOfferButton": "アンケートに回答する",
    "surveyTitle": "面談はいかがでしたか？",
    "thanksTitle": "ありがとうございました",
    "alreadyTitle": "このアンケートには回答済みです",
    "notYetTitle": "アンケートはまだ開始されていません",
    "download": "ダウンロード",
}

QUESTIONS = (
    "What was the FDI attracted by Quảng Ninh in 2024?",
    "How large is the Việt Hưng industrial park?",
)
COMMENT = "面積の数字が見つかりませんでした。"
SURVEY_COMMENT = "丁寧にご対応いただき、ありがとうございました。"


def png_bytes(width: int = 24, height: int = 16) -> bytes:
    """A real RGB PNG (a small gradient), made with zlib and struct only."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 10 % 256, y * 15 % 256, 128)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


class Feedback:
    """What the tests of this module share."""

    def __init__(self, server, downloads: Path):
        self.server = server
        self.downloads = downloads
        self.session = server.create_session("Feedback — Vân Đồn", assistant="auto")
        self.sid = self.session["id"]
        self.invite = server.create_invite(self.sid, name="Sato Haruki", language="ja")
        self.other_invite = server.create_invite(self.sid, name="Kim Min-jun", language="ko")
        self.investor = new_browser(1280, 900, "ja")
        self.other = None
        self.answers: list[int] = []  # seqs of the two answers, in order
        self.reason: str | None = None  # the reason id chosen in the page
        self.reason_text: str | None = None
        self.png = png_bytes()
        self.attachment: dict | None = None
        b = self.investor
        b.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_BLOBS})
        try:
            b.execute_cdp_cmd("Browser.setDownloadBehavior",
                              {"behavior": "allow", "downloadPath": str(downloads), "eventsEnabled": True})
        except Exception:
            b.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})

    def close(self):
        for b in (self.investor, self.other):
            if b is not None:
                b.quit()


@pytest.fixture(scope="module")
def feedback(tmp_path_factory):
    from harness import Server
    server = Server(tmp_path_factory.mktemp("srv") / "data", ["--web-root", str(WEB_ROOT)])
    server.start()
    downloads = tmp_path_factory.mktemp("downloads")
    f = Feedback(server, downloads)
    yield f
    f.close()
    server.stop()




def ask(b, text: str):
    box = element(b, "#composer-text")
    box.send_keys(text)
    element(b, "#ask").click()


def answers_in_page(b) -> list:
    return b.find_elements(By.CSS_SELECTOR, "#events .msg.question.mine > .replies > .msg.answer")


def rate_block(b, seq: int):
    return b.find_element(By.CSS_SELECTOR, f'#events li.msg.answer[data-seq="{seq}"] > .rate')


def officer_events(server, sid: str) -> list[dict]:
    """The session's events as an officer connection of its own receives them."""
    async def go():
        ws, _ = await officer(server)
        events = await ws.join(sid)
        await ws.close()
        return events
    return run(go())


def test_the_investor_rates_an_answer_helpful_from_the_keyboard(feedback):
    b, server = feedback.investor, feedback.server
    join(b, server, feedback.invite["code"])
    ask(b, QUESTIONS[0])
    answer = wait_until(lambda: answers_in_page(b), timeout=30, what="the first answer under its question", browser=b)[0]
    seq = int(answer.get_attribute("data-seq"))
    feedback.answers.append(seq)
    helpful = rate_block(b, seq).find_element(By.CSS_SELECTOR, 'button[data-rating="helpful"]')
    unhelpful = rate_block(b, seq).find_element(By.CSS_SELECTOR, 'button[data-rating="unhelpful"]')
    assert helpful.text == JA["helpful"] and unhelpful.text == JA["unhelpful"]
    assert helpful.get_attribute("aria-pressed") == "false" and unhelpful.get_attribute("aria-pressed") == "false"
    # Keyboard only: focus the button and press Space.
    b.execute_script("arguments[0].focus()", helpful)
    assert b.switch_to.active_element == helpful
    helpful.send_keys(Keys.SPACE)
    thanks = wait_until(lambda: rate_block(b, seq).find_element(By.CSS_SELECTOR, ".rate-thanks"),
                        what="the thanks for a helpful answer", browser=b)
    assert thanks.text == JA["thanksHelpful"], thanks.text
    assert not rate_block(b, seq).find_elements(By.CSS_SELECTOR, "button"), "the buttons are replaced"
    assert console_errors(b) == []


def test_the_investor_rates_another_answer_unhelpful_with_a_reason_and_a_comment(feedback):
    b, server = feedback.investor, feedback.server
    ask(b, QUESTIONS[1])
    answer = wait_until(lambda: answers_in_page(b)[1:], timeout=30, what="the second answer", browser=b)[0]
    seq = int(answer.get_attribute("data-seq"))
    feedback.answers.append(seq)
    unhelpful = rate_block(b, seq).find_element(By.CSS_SELECTOR, 'button[data-rating="unhelpful"]')
    unhelpful.click()
    wait_until(lambda: rate_block(b, seq).find_element(By.CSS_SELECTOR, 'button[data-rating="unhelpful"]')
               .get_attribute("aria-pressed") == "true", what="Not helpful pressed", browser=b)
    form = element(b, f'#events li[data-seq="{seq}"] .rate-form')
    assert rate_block(b, seq).find_element(By.CSS_SELECTOR, 'button[data-rating="unhelpful"]') \
        .get_attribute("aria-expanded") == "true"
    # The reasons are the pack's, in the page's language.
    select = wait_until(lambda: (lambda s: s if len(Select(s).options) > 1 and s.is_enabled() else None)(
        form.find_element(By.CSS_SELECTOR, "select")), what="the reasons", browser=b)
    st, listed, _ = server.http("GET", "/v1/rating-reasons?language=ja")
    assert st == 200 and listed["reasons"], (st, listed)
    shown = [(o.get_attribute("value"), o.text) for o in Select(select).options[1:]]
    assert shown == [(r["id"], r["text"]) for r in listed["reasons"]], shown
    # Sending without a reason is refused in the page.
    form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
    wait_until(lambda: rate_block(b, seq).find_element(By.CSS_SELECTOR, ".rate-status").text,
               what="the missing reason", browser=b)
    Select(select).select_by_index(1)
    feedback.reason, feedback.reason_text = shown[0]
    comment = form.find_element(By.CSS_SELECTOR, "textarea")
    assert comment.get_attribute("maxlength") == "2000"
    comment.send_keys(COMMENT)
    screenshot(b, "rating-form")
    form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
    thanks = wait_until(lambda: rate_block(b, seq).find_element(By.CSS_SELECTOR, ".rate-thanks"),
                        what="the thanks for an unhelpful answer", browser=b)
    assert thanks.text == JA["thanksUnhelpful"], thanks.text
    assert console_errors(b) == []


def test_the_ratings_are_stored_as_given_and_seen_by_an_independent_client(feedback):
    server = feedback.server
    first, second = feedback.answers
    events = officer_events(server, feedback.sid)
    by_seq = {e["seq"]: e for e in events}
    ratings = [e for e in events if e["kind"] == "rating"]
    assert [(r["about"], r["rating"]) for r in ratings] == [(first, "helpful"), (second, "unhelpful")], ratings
    assert ratings[0].get("reason") is None and ratings[0].get("comment") is None
    assert ratings[1]["reason"] == feedback.reason and ratings[1]["comment"] == COMMENT
    me = feedback.invite["id"] if "id" in feedback.invite else None
    for r in ratings:
        assert r["from"]["role"] == "investor" and (me is None or r["from"]["id"] == me), r["from"]
        answer = by_seq[r["about"]]
        assert answer["kind"] == "answer" and by_seq[answer["about"]]["kind"] == "question"
    # Rating the same answer again is refused (once per answer).
    async def again():
        from harness import investor
        ws, _, history = await investor(server, feedback.invite["code"], "ja")
        # Ratings are for officers: no investor's socket carries them, not even the rater's.
        assert not [e for e in history if e.get("kind") == "rating"], history
        since = ws.mark()
        await ws.send({"type": "rate", "session": feedback.sid, "seq": first, "rating": "unhelpful"})
        error = await ws.wait_for(lambda f: f.get("type") == "error", since=since)
        await ws.close()
        return error
    error = run(again())
    assert error["code"] == "conflict", error


def test_another_investor_sees_nothing_of_the_ratings_and_a_reload_shows_them_again(feedback):
    b, server = feedback.investor, feedback.server
    feedback.other = other = new_browser(1024, 800, "ko")
    join(other, server, feedback.other_invite["code"])
    for seq in feedback.answers:
        element(other, f'#events li.msg.answer[data-seq="{seq}"]')
    assert not other.find_elements(By.CSS_SELECTOR, ".rate, .rate-thanks"), "no rating shown to someone else"
    assert not other.find_elements(By.CSS_SELECTOR, '[data-seq] [data-rating]')
    assert console_errors(other) == []

    b.refresh()
    element(b, '#conn[data-state="live"]', timeout=20)
    first, second = feedback.answers
    assert wait_until(lambda: rate_block(b, first).find_element(By.CSS_SELECTOR, ".rate-thanks").text,
                      what="the first rating after a reload", browser=b) == JA["thanksHelpful"]
    assert rate_block(b, second).find_element(By.CSS_SELECTOR, ".rate-thanks").text == JA["thanksUnhelpful"]
    # Answers carrying media (documents with pictures, tours, maps) show a card each.
    events = {e["seq"]: e for e in officer_events(server, feedback.sid)}
    for seq in feedback.answers:
        media = [m for m in events[seq].get("media") or [] if m.get("image") or m.get("tour") or m.get("map")]
        cards = b.find_elements(By.CSS_SELECTOR, f'#events li[data-seq="{seq}"] .media-card')
        assert len(cards) == len(media), (seq, media)
        for card, item in zip(cards, media):
            assert card.get_attribute("data-document") == item["document"]
            if item.get("caption"):
                assert item["caption"] in card.text
            if item.get("image"):
                # A plain <img> of the pack's public image, allowed by the page's policy.
                img = card.find_element(By.CSS_SELECTOR, "img.media-image")
                assert img.get_attribute("src") == server.url.rstrip("/") + item["image"]
                wait_until(lambda: b.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img),
                           what="the document's picture", browser=b)
            links = {a.get_attribute("data-media"): a for a in card.find_elements(By.CSS_SELECTOR, "a")}
            for kind in ("tour", "map"):
                if item.get(kind):
                    assert links[kind].get_attribute("target") == "_blank"
                    assert "noopener" in links[kind].get_attribute("rel")
    assert console_errors(b) == []


def test_the_investor_downloads_a_file_an_officer_shares(feedback):
    b, server = feedback.investor, feedback.server
    st, js, _ = server.http("POST", f"/v1/sessions/{feedback.sid}/attachments?name=plan.png", server.officer_token,
                            raw=feedback.png, headers={"Content-Type": "image/png"})
    assert st == 201, (st, js)
    feedback.attachment = attachment = js["attachment"]
    assert attachment["name"] == "plan.png" and attachment["type"] == "image/png"
    assert attachment["size"] == len(feedback.png)
    assert attachment["sha256"] == hashlib.sha256(feedback.png).hexdigest()

    card = element(b, f'#events li.msg.attachment[data-seq="{js["seq"]}"]', timeout=20)
    assert card.find_element(By.CSS_SELECTOR, ".attachment-name").text == "plan.png"
    meta = card.find_element(By.CSS_SELECTOR, ".attachment-meta").text
    assert meta.startswith("PNG · ") and any(ch.isdigit() for ch in meta), meta
    wait_until(lambda: b.find_element(By.CSS_SELECTOR, f'li[data-seq="{js["seq"]}"] .attachment-thumb')
               .get_attribute("data-state") == "drawn", what="the thumbnail", browser=b)
    button = b.find_element(By.CSS_SELECTOR, f'li[data-seq="{js["seq"]}"] button[data-action="download"]')
    assert button.text == JA["download"]
    screenshot(b, "attachment-card")
    button.click()
    target = feedback.downloads / "plan.png"
    wait_until(lambda: target.exists() and target.stat().st_size == len(feedback.png)
               and not list(feedback.downloads.glob("*.crdownload")), timeout=20, what="the downloaded file", browser=b)
    assert target.read_bytes() == feedback.png
    # The page fetched the file itself (with the invite code) and saved that blob.
    assert len(feedback.png) in [blob["size"] for blob in b.execute_script("return window.__blobs")]
    assert console_errors(b) == []


def test_the_page_offers_the_survey_once_the_officer_ends_the_meeting(feedback):
    b, server = feedback.investor, feedback.server
    assert not b.find_element(By.ID, "survey-offer").is_displayed()
    st, js, _ = server.http("GET", "/v1/survey", feedback.invite["code"])
    assert st == 403, (st, js)

    async def end():
        ws, _ = await officer(server, join=feedback.sid)
        since = ws.mark()
        await ws.send({"type": "end", "session": feedback.sid})
        await ws.wait_for(is_event("ended"), since=since)
        await ws.close()
    run(end())
    offer = element(b, "#survey-offer", timeout=20)
    link = offer.find_element(By.ID, "survey-link")
    assert link.text == JA["surveyOfferButton"]
    assert link.get_attribute("href") == server.url + "survey#" + feedback.invite["code"]
    # No more ratings offered once the meeting is over (the given ones stay).
    assert not b.find_elements(By.CSS_SELECTOR, "#events .rate button")
    # Nobody is in a meeting that ended, this reader included (issue 20: true presence).
    people = b.find_elements(By.CSS_SELECTOR, "#people li.person")
    assert people and not b.find_elements(By.CSS_SELECTOR, "#people li.person.online"), [p.get_attribute("class") for p in people]
    screenshot(b, "survey-offer")
    assert console_errors(b) == []


def test_the_investor_answers_the_survey_on_a_phone_in_japanese(feedback):
    b, server = feedback.investor, feedback.server
    b.set_window_size(390, 844)
    element(b, "#survey-link").click()
    wait_until(lambda: element(b, "#view-form").is_displayed(), timeout=20, what="the survey form", browser=b)
    assert b.find_element(By.CSS_SELECTOR, "html").get_attribute("lang") == "ja"
    assert element(b, "#survey-title").text == JA["surveyTitle"]
    # The code left the address bar.
    assert feedback.invite["code"] not in b.current_url

    st, survey, _ = server.http("GET", "/v1/survey", feedback.invite["code"])
    assert st == 200 and survey["language"] == "ja" and survey["answered"] is False, (st, survey)
    assert survey["intro"] and element(b, "#survey-intro").text == survey["intro"]
    assert element(b, "#survey-meeting").text == feedback.session["title"]
    scales = [q for q in survey["questions"] if q["kind"] == "scale"]
    texts = [q for q in survey["questions"] if q["kind"] == "text"]
    fieldsets = b.find_elements(By.CSS_SELECTOR, '#survey-questions fieldset[data-kind="scale"]')
    assert [f.get_attribute("data-question") for f in fieldsets] == [q["id"] for q in scales]
    for fieldset, question in zip(fieldsets, scales):
        assert fieldset.find_element(By.CSS_SELECTOR, "legend").text == question["text"]
        assert len(fieldset.find_elements(By.CSS_SELECTOR, 'input[type="radio"]')) == 5
        ends = fieldset.find_element(By.CSS_SELECTOR, ".scale-ends").text
        assert survey["scale"]["low"] in ends and survey["scale"]["high"] in ends, ends
    # Fits the phone: nothing wider than the screen.
    assert b.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    # Scales answered 4, then the first one changed to 5 with the keyboard (arrows move in a radio group).
    for fieldset in fieldsets:
        label = fieldset.find_elements(By.CSS_SELECTOR, ".scale label")[3]
        b.execute_script("arguments[0].scrollIntoView({block: 'center'})", label)
        label.click()
    expected = {q["id"]: 4 for q in scales}
    assert fieldsets and texts, "the pack's survey has scale and text questions"
    if fieldsets:
        checked = fieldsets[0].find_element(By.CSS_SELECTOR, "input:checked")
        b.execute_script("arguments[0].focus()", checked)
        ActionChains(b).send_keys(Keys.ARROW_RIGHT).perform()
        wait_until(lambda: fieldsets[0].find_element(By.CSS_SELECTOR, "input:checked").get_attribute("value") == "5",
                   what="the arrow key choosing 5", browser=b)
        expected[scales[0]["id"]] = 5
    for question in texts:
        area = b.find_element(By.CSS_SELECTOR, f'#survey-questions [data-question="{question["id"]}"] textarea')
        label = b.find_element(By.CSS_SELECTOR, f'label[for="{area.get_attribute("id")}"]')
        assert label.text == question["text"]
        area.send_keys(SURVEY_COMMENT)
        expected[question["id"]] = SURVEY_COMMENT
    screenshot(b, "survey-phone")
    submit = element(b, "#survey-submit")
    b.execute_script("arguments[0].scrollIntoView({block: 'center'})", submit)
    submit.click()
    wait_until(lambda: element(b, "#view-message").is_displayed(), timeout=20, what="the thanks", browser=b)
    assert element(b, "#message-title").text == JA["thanksTitle"]
    screenshot(b, "survey-thanks")

    # What the page sent is what the server keeps: the barometer reads back these scores.
    st, barometer, _ = server.http("GET", "/v1/barometer?group=language", server.officer_token)
    [ja] = [g for g in barometer["groups"] if g["key"] == "ja"]
    assert ja["responses"] == 1 and ja["scores"] == {k: float(v) for k, v in expected.items() if isinstance(v, int)}, ja
    # Once only: a second answer is refused, and the page says it was received.
    st, js, _ = server.http("POST", "/v1/survey", feedback.invite["code"], {"answers": expected})
    assert st == 409, (st, js)
    st, survey, _ = server.http("GET", "/v1/survey", feedback.invite["code"])
    assert st == 200 and survey["answered"] is True
    b.refresh()
    wait_until(lambda: element(b, "#view-message").is_displayed(), timeout=20, what="already answered", browser=b)
    assert element(b, "#message-title").text == JA["alreadyTitle"]
    assert console_errors(b) == []


def test_the_survey_page_says_what_is_wrong_with_its_link(feedback):
    b, server = feedback.investor, feedback.server
    # Before the end of its meeting (403), and with a code that is no invite (401).
    s = server.create_session("Survey not yet")
    early = server.create_invite(s["id"], name="Tanaka Yui", language="ja")
    b.get(server.url + "survey#" + early["code"])
    wait_until(lambda: element(b, "#view-message").is_displayed(), timeout=20, what="not yet", browser=b)
    assert element(b, "#message-title").text == JA["notYetTitle"]
    b.get(server.url + "survey#" + "A" * 32)
    wait_until(lambda: element(b, "#message-title").text not in ("", JA["notYetTitle"]), what="invalid", browser=b)
    assert element(b, "#message-title").text == "このアンケートのリンクは使用できません"
    # The refusals (403, 401) are logged by the browser as failed requests: that is all.
    assert console_errors(b, ignore=("403", "401")) == []
