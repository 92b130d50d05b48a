"""The web client in a real browser (issue: web client): Debian's headless Chromium driven
by Selenium against the real server.

One meeting runs through the module, in order: an officer creates it in the console and
invites a Japanese investor; the investor joins from the invite link; they exchange
messages in Vietnamese and Japanese and each sees the other's glossary terms in their own
language; the investor's network is cut and restored while the officer talks on; the
investor asks the assistant and the officer approves the draft; an XSS attempt stays inert;
the officer ends the meeting; a reviewer opens, annotates and verifies the transcript.

The investor's browser reaches the server through a proxy the test can cut (browser.py).
Screenshots of the three pages go to SCREENSHOT_DIR (`make screenshots` puts them in docs/).
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from browser import CuttableProxy, console_errors, element, new_browser, screenshot, wait_until
from harness import AGENTS, REPO, Server, cid, http_request, officer, run
from provider_standin import StandIn

# The browser logs a failed WebSocket handshake while the investor's network is down.
NETWORK_DOWN_NOISE = ("WebSocket connection to",)

# The pages of the working tree, served as they are (the binary embeds them when built).
WEB_ROOT = REPO / "Sources" / "DialogueServer" / "Web"

# Run before the page's own scripts: keeps every WebSocket the page opens in
# window.__sockets, so a test can hand the page a frame on its own socket, as if the server
# had sent it. Nothing in the pages knows about it.
RECORD_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
    }
  };
})();
"""


class Meeting:
    """What the tests of this module share: the server, the three browsers, the session."""

    def __init__(self, server: Server):
        self.server = server
        self.proxy = CuttableProxy(server.port)
        self.officer = new_browser(1400, 900, "vi")
        self.investor = new_browser(1280, 860, "ja")
        self.reviewer = None
        self.session_id: str | None = None
        self.invite_url: str | None = None

    def close(self):
        for b in (self.officer, self.investor, self.reviewer):
            if b is not None:
                b.quit()
        self.proxy.close()


@pytest.fixture(scope="module")
def meeting(server):
    m = Meeting(server)
    yield m
    m.close()


def texts(browser, css: str) -> list[str]:
    return [e.text for e in browser.find_elements(By.CSS_SELECTOR, css)]


def log_items(browser, root: str) -> dict[int, str]:
    """seq -> text of every rendered event under `root`; fails on a seq shown twice."""
    seen: dict[int, str] = {}
    for e in browser.find_elements(By.CSS_SELECTOR, f"{root} [data-seq]"):
        seq = int(e.get_attribute("data-seq"))
        assert seq not in seen, f"seq {seq} is shown twice"
        seen[seq] = e.text
    return seen


def probe_item(browser, root: str, text: str, probe, what: str, timeout: float = 15.0):
    """Waits until the event holding `text` under `root` satisfies `probe(element)`, looking
    it up afresh each time: pages re-render an event when its translation arrives or after a
    reconnect, which leaves earlier references stale."""
    def attempt():
        item = next((e for e in browser.find_elements(By.CSS_SELECTOR, f"{root} [data-seq]") if text in e.text), None)
        return probe(item) if item is not None else None
    return wait_until(attempt, timeout, what, browser)


def term_title(item, written: str):
    """The approved form of the term written `written` in an event element (shown on hover)."""
    return next((t.get_attribute("data-translation") for t in item.find_elements(By.CSS_SELECTOR, ".term")
                 if t.get_attribute("textContent") == written), None)


def officer_say(meeting: Meeting, text: str, ask: bool = False):
    box = element(meeting.officer, "#composer-text")
    box.clear()
    box.send_keys(text)
    element(meeting.officer, "#send-ask" if ask else "#send-say").click()


def wait_for_text(browser, root: str, text: str, timeout: float = 15.0):
    return wait_until(
        lambda: next((e for e in browser.find_elements(By.CSS_SELECTOR, f"{root} [data-seq]") if text in e.text),
                     None),
        timeout, f"{text!r} under {root}", browser)


def test_officer_creates_meeting_and_invites_in_console(meeting):
    b, server = meeting.officer, meeting.server
    b.get(server.url + "console")
    element(b, "#token-input").send_keys(server.officer_token)
    element(b, "#sign-in").click()
    element(b, "#session-title").send_keys("Vân Đồn logistics park — Tanaka Logistics")
    element(b, "#create-session").click()
    button = wait_until(
        lambda: next((e for e in b.find_elements(By.CSS_SELECTOR, "#session-list [data-session]")
                      if "Tanaka Logistics" in e.text), None), what="the new session in the list", browser=b)
    meeting.session_id = button.get_attribute("data-session")
    button.click()
    element(b, "#conn-status")
    # the token never travels in a URL
    assert server.officer_token not in b.current_url

    element(b, "#invite-name").send_keys("Tanaka Yui")
    Select(element(b, "#invite-language")).select_by_value("ja")
    element(b, "#create-invite").click()
    link = wait_until(lambda: element(b, "#invite-link").get_attribute("value"), what="the invite link", browser=b)
    assert "/join#" in link
    # Staff are addressed as an agency's software would (issue 20): no "đồng chí" anywhere.
    for page in ("console.js", "barometer.js", "review.js", "console.html"):
        st, text, _ = http_request(server.url, "GET", "/" + page)
        assert st == 200 and "đồng chí" not in text, page
    # Shown whole (issue 20): nothing of the link is scrolled out of its field.
    assert b.execute_script(
        "const f = document.getElementById('invite-link');"
        "return f.scrollWidth <= f.clientWidth + 1 && f.scrollHeight <= f.clientHeight + 1;"), "the invite link is cut off"
    meeting.invite_url = link
    wait_until(lambda: b.find_elements(By.CSS_SELECTOR, "#invites [data-invite]"), what="the invite list", browser=b)
    assert "Tanaka Yui" in element(b, "#invites").text

    # the server agrees: a live session with one active invite
    st, invites, _ = http_request(server.url, "GET", f"/v1/sessions/{meeting.session_id}/invites",
                                  server.officer_token)
    assert st == 200 and [i["state"] for i in invites["invites"]] == ["active"]
    assert console_errors(b) == []


def test_investor_joins_and_both_see_terms_in_their_language(meeting):
    inv, off = meeting.investor, meeting.officer
    # The investor opens the link through the cuttable proxy; the code is in the fragment.
    code = meeting.invite_url.split("#", 1)[1]
    inv.get(meeting.proxy.url + "/join#" + code)
    assert "#" not in inv.current_url, "the invite code must leave the address bar"
    Select(element(inv, "#prejoin-lang")).select_by_value("ja")
    element(inv, "#join-button").click()
    notice = element(inv, "#notice-text")
    assert notice.text.strip(), "the recording and AI notice is shown"
    # The agent pack's greeting, in Japanese, opens the conversation.
    manifest = json.loads((Path(AGENTS) / "quang-ninh-ipa" / "agent.json").read_text(encoding="utf-8"))
    assert element(inv, "#greeting-text").text == manifest["greetings"]["ja"].strip()
    assert element(inv, "#greeting-from").text == manifest["names"]["ja"]
    assert element(inv, "#composer-text").get_attribute("placeholder")
    assert inv.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"

    # The officer sees the investor arrive.
    wait_until(lambda: "Tanaka Yui" in element(off, "#people").text, what="the investor among people", browser=off)

    officer_say(meeting, "Kính chào quý vị, khu công nghiệp Sông Khoai có cảng biển gần kề.")
    assert probe_item(inv, "#events", "Sông Khoai", lambda e: term_title(e, "khu công nghiệp"),
                      "the term in the officer's message") == "工業団地"
    # keyboard and screen-reader users get the terms from one button under the message
    # (test_browser_workspace.py counts the Tab stops)
    toggle = probe_item(inv, "#events", "Sông Khoai", lambda e: e.find_element(By.CSS_SELECTOR, ".terms-toggle"),
                        "the message's terms button")
    toggle.click()
    assert "工業団地" in probe_item(inv, "#events", "Sông Khoai", lambda e: e.find_element(By.CSS_SELECTOR, ".terms-list").text,
                                 "the terms listed")

    box = element(inv, "#composer-text")
    box.send_keys("工業団地の土地賃料はいくらですか。")
    box.send_keys(Keys.ENTER)
    assert probe_item(off, "#log", "土地賃料", lambda e: term_title(e, "工業団地"),
                      "the term in the investor's message") == "khu công nghiệp"
    wait_for_text(inv, "#events", "土地賃料")  # the investor's own message, stored and echoed
    screenshot(inv, "investor")
    assert console_errors(inv) == [] and console_errors(off) == []


def test_investor_connection_cut_and_restored_loses_nothing(meeting):
    inv, off, server = meeting.investor, meeting.officer, meeting.server
    meeting.proxy.cut()
    element(inv, '#conn[data-state="reconnecting"]')
    sent = [f"Thông tin bổ sung số {n} về khu kinh tế Vân Đồn." for n in range(1, 4)]
    for text in sent:
        officer_say(meeting, text)
        wait_for_text(off, "#log", text)
    # Written while offline: waits as "sending" and goes out after the reconnect.
    box = element(inv, "#composer-text")
    box.send_keys("接続が切れている間に書きました。")
    box.send_keys(Keys.ENTER)
    time.sleep(1.5)
    meeting.proxy.restore()

    element(inv, '#conn[data-state="live"]', timeout=40)
    note = element(inv, "#conn-note")
    assert int(note.get_attribute("data-missed")) >= 3, note.text
    for text in sent:
        wait_for_text(inv, "#events", text)
    wait_for_text(off, "#log", "接続が切れている間")
    wait_until(lambda: not inv.find_elements(By.CSS_SELECTOR, "#outbox li"), what="an empty outbox", browser=inv)

    # Exactly the stored events an investor may see, each once, in seq order.
    st, transcript, _ = http_request(server.url, "GET", f"/v1/sessions/{meeting.session_id}/transcript?format=json",
                                     server.officer_token)
    assert st == 200
    shown_kinds = {"message", "question", "answer", "joined", "left", "moderation", "ended"}
    expected = [e["seq"] for e in transcript["events"] if e["kind"] in shown_kinds]
    shown = log_items(inv, "#events")
    assert sorted(shown) == expected
    rendered_order = [int(e.get_attribute("data-seq")) for e in inv.find_elements(By.CSS_SELECTOR, "#events > [data-seq]")]
    assert rendered_order == sorted(rendered_order)
    assert console_errors(inv, ignore=NETWORK_DOWN_NOISE) == []


def test_investor_asks_and_officer_approves_the_draft(meeting):
    inv, off = meeting.investor, meeting.officer
    box = element(inv, "#composer-text")
    box.send_keys("What was the FDI attracted by Quảng Ninh in 2024?")
    element(inv, "#ask").click()
    # The session is in review mode: officers get a draft, the investor a banner.
    draft = element(off, "#log .draft", timeout=30)
    banner = element(inv, "#banner")
    assert banner.get_attribute("data-banner") == "bannerReviewing"
    assert not inv.find_elements(By.CSS_SELECTOR, "#events .assistant"), "drafts never reach investors"
    draft.find_element(By.CSS_SELECTOR, '[data-action="approve"]').click()

    element(inv, "#events .msg.assistant", timeout=20)

    def open_first_source():
        summaries = inv.find_elements(By.CSS_SELECTOR, "#events .msg.assistant .citations summary")
        if summaries:
            summaries[0].click()
        return bool(summaries)
    wait_until(open_first_source, what="the answer's sources", browser=inv)
    assert wait_until(lambda: element(inv, "#events .msg.assistant .citations details[open] .passage").text.strip(),
                      what="the cited passage", browser=inv)
    wait_until(lambda: inv.find_element(By.ID, "banner").get_attribute("hidden") is not None
               or inv.find_element(By.ID, "banner").get_attribute("data-banner") != "bannerReviewing",
               what="the review banner to go", browser=inv)
    screenshot(off, "console")
    assert console_errors(inv) == [] and console_errors(off) == []


def test_officer_edits_rejects_shares_and_mutes_from_the_console(meeting):
    inv, off, server = meeting.investor, meeting.officer, meeting.server

    def ask(text):
        box = element(inv, "#composer-text")
        box.send_keys(text)
        element(inv, "#ask").click()
        # the newest undecided draft in the console
        return wait_until(lambda: next((d for d in reversed(off.find_elements(By.CSS_SELECTOR, "#log .draft"))
                                        if d.find_elements(By.CSS_SELECTOR, '[data-action="approve"]')), None),
                          timeout=30, what="a draft to decide", browser=off)

    # Edit, then approve: the investor reads the officer's wording.
    draft = ask("How large is the Việt Hưng industrial park?")
    draft.find_element(By.CSS_SELECTOR, '[data-action="edit"]').click()
    area = element(off, "#log textarea.draft-edit")
    area.clear()
    area.send_keys("Việt Hưng industrial park: see the fact sheet; an officer will confirm the area.")
    element(off, '#log .draft [data-action="approve"]').click()
    wait_for_text(inv, "#events", "an officer will confirm the area")

    # Reject with a reason: nothing reaches the investor but the question's state.
    draft = ask("Can you guarantee a land rent discount for us?")
    # Rejecting cannot be taken back (issue 20): the first press only asks for confirmation,
    # and for the reason.
    assert not draft.find_element(By.CSS_SELECTOR, "input.draft-reason").is_displayed()
    draft.find_element(By.CSS_SELECTOR, '[data-action="reject"]').click()
    armed = element(off, '#log .draft [data-action="reject"][data-armed="true"]')
    assert armed.text not in ("Reject", "Từ chối"), armed.text
    element(off, "#log .draft input.draft-reason").send_keys("needs the land desk")
    time.sleep(0.5)
    assert "needs the land desk" not in element(off, "#log").text
    element(off, '#log .draft [data-action="reject"][data-armed="true"]').click()
    wait_until(lambda: "needs the land desk" in element(off, "#log").text, what="the rejection", browser=off)

    # Search the pack and share a passage: a `say` with citations the investor can open.
    element(off, "#search-input").send_keys("Vân Đồn economic zone")
    element(off, "#search-go").click()
    share = wait_until(lambda: off.find_elements(By.CSS_SELECTOR, '#search-results [data-action="share"]'),
                       what="search results", browser=off)[0]
    share.click()
    shared = wait_until(lambda: next((e for e in inv.find_elements(By.CSS_SELECTOR, "#events .msg")
                                      if e.find_elements(By.CSS_SELECTOR, ".citations")
                                      and "assistant" not in e.get_attribute("class")), None),
                        what="the shared passage with its citation", browser=inv)
    assert shared.find_elements(By.CSS_SELECTOR, ".citations summary")

    # Mute the investor: the page says so and the composer closes; unmute reopens it.
    person = element(off, f'#people [data-participant^="inv_"]')
    person.find_element(By.CSS_SELECTOR, '[data-action="mute"]').click()
    wait_until(lambda: not inv.find_element(By.ID, "composer-text").is_enabled(), what="the muted composer",
               browser=inv)
    element(off, '#people [data-participant^="inv_"] [data-action="unmute"]').click()
    wait_until(lambda: inv.find_element(By.ID, "composer-text").is_enabled(), what="the composer back",
               browser=inv)
    assert console_errors(inv) == [] and console_errors(off) == []


def test_markup_in_messages_is_shown_as_text(meeting):
    inv, off = meeting.investor, meeting.officer
    attack = '<img src=x onerror="document.title=\'pwned\'"><script>window.__xss=1</script><b>bold</b>'
    officer_say(meeting, attack)
    for b, root in ((inv, "#events"), (off, "#log")):
        shown = probe_item(b, root, "<script>window.__xss=1</script>",
                           lambda e: (e.text, len(e.find_elements(By.CSS_SELECTOR, "img, script, b"))), "the attack")
        assert attack in shown[0] and shown[1] == 0
        assert b.execute_script("return window.__xss") is None
        assert b.title != "pwned"
    assert console_errors(inv) == [] and console_errors(off) == []


def test_officer_ends_the_meeting(meeting):
    inv, off = meeting.investor, meeting.officer
    element(off, "#end-session").click()
    # A confirmation step: either the browser's dialog or a second button in the page.
    try:
        off.switch_to.alert.accept()
    except Exception:
        element(off, "#end-session-confirm").click()
    element(inv, "#banner")
    wait_until(lambda: inv.find_element(By.ID, "banner").get_attribute("data-banner") == "endedBanner",
               what="the ended banner", browser=inv)
    assert not element(inv, "#composer-text").is_enabled()
    st, session, _ = http_request(meeting.server.url, "GET", f"/v1/sessions/{meeting.session_id}",
                                  meeting.server.officer_token)
    assert session["status"] == "ended"
    # True presence (issue 20): the pages are still open, yet nobody is in a meeting that ended,
    # in the API, on the session's card and in both pages' participant lists.
    assert session["participants"] and not [p for p in session["participants"] if p["online"]], session
    # "0 online / 2" in the console's language (this console reads Vietnamese: "0 trực tuyến / 2").
    import re
    wait_until(lambda: re.search(r"(^|· )0 [^/·]+ / [1-9]", element(
        off, f'#session-list [data-session="{meeting.session_id}"] .session-item-meta').text),
               what="the card's presence after the end", browser=off)
    assert not off.find_elements(By.CSS_SELECTOR, '#people li.person[data-online="true"]')
    assert not inv.find_elements(By.CSS_SELECTOR, "#people li.person.online")


def test_reviewer_opens_annotates_and_verifies_the_transcript(meeting):
    server = meeting.server
    meeting.reviewer = b = new_browser(1400, 900, "en")
    b.get(server.url + "review")
    element(b, "#token-input").send_keys(server.reviewer_token)
    element(b, "#sign-in").click()
    # Found by what was said (the title does not hold it), with the matching message shown.
    element(b, "#session-search").send_keys("song khoai")
    element(b, "#session-search-go").click()
    listed = f'#session-list [data-session="{meeting.session_id}"]'
    wait_until(lambda: any("Sông Khoai" in m.text for m in b.find_elements(By.CSS_SELECTOR, f"{listed} .session-match")),
               what="the session and its matching message in the results", browser=b)
    b.find_element(By.CSS_SELECTOR, listed).click()
    probe_item(b, "#transcript", "Sông Khoai", lambda e: "search-match" in e.get_attribute("class"),
               "the matching message outlined in the transcript")
    Select(element(b, "#transcript-language")).select_by_value("ja")

    # The officer's Vietnamese message, with its term rendered for Japanese (the transcript
    # is re-rendered when the language changes, so every look-up below is retried).
    probe_item(b, "#transcript", "Sông Khoai", lambda e: term_title(e, "khu công nghiệp") == "工業団地",
               "the term rendered for Japanese")
    # The XSS attempt is text here too.
    assert probe_item(b, "#transcript", "<script>window.__xss=1</script>",
                      lambda e: str(len(e.find_elements(By.CSS_SELECTOR, "img, script, b"))), "the attack") == "0"

    verdict = wait_until(lambda: element(b, "#verify-status").get_attribute("data-ok") in ("true", "false")
                         and element(b, "#verify-status").get_attribute("data-ok"), what="the verification", browser=b)
    assert verdict == "true", element(b, "#verify-status").text

    # A note on the investor's message.
    seq = int(probe_item(b, "#transcript", "土地賃料", lambda e: e.get_attribute("data-seq"), "the investor's message"))

    def open_note_form():
        wait_for_text(b, "#transcript", "土地賃料").find_element(By.CSS_SELECTOR, '[data-action="note"]').click()
        return True
    wait_until(open_note_form, what="the note form", browser=b)
    element(b, "#note-text").send_keys("Follow up: send the land-rent schedule.")
    element(b, "#note-save").click()
    wait_for_text(b, "#transcript", "Follow up: send the land-rent schedule.")
    st, transcript, _ = http_request(server.url, "GET", f"/v1/sessions/{meeting.session_id}/transcript?format=json",
                                     server.reviewer_token)
    notes = [n for n in transcript.get("notes", []) if n.get("seq") == seq]
    assert notes and notes[0]["text"] == "Follow up: send the land-rent schedule.", transcript.get("notes")
    b.execute_script("window.scrollTo(0, 0)")
    screenshot(b, "review")
    assert server.reviewer_token not in b.current_url
    assert console_errors(b) == []


def test_investor_page_fits_a_phone(server):
    """The join page on a phone-sized screen: no sideways scrolling, composer in view."""
    s = server.create_session("Phone check")
    invite = server.create_invite(s["id"], name="Lee Ji-woo", language="ko")
    b = new_browser(390, 844, "ko")
    try:
        b.get(server.url + "join#" + invite["code"])
        element(b, "#join-button").click()
        element(b, "#composer-text")
        assert b.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        send = element(b, "#send")
        assert b.execute_script("const r = arguments[0].getBoundingClientRect(); return r.bottom <= window.innerHeight",
                                send)
        assert b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ko"
        screenshot(b, "investor-phone")
        assert console_errors(b) == []
    finally:
        b.quit()


def record_sockets(browser):
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_SOCKETS})


def serve_frame(browser, frame: dict):
    """Delivers `frame` to the page's newest WebSocket, through the page's own handler."""
    browser.execute_script(
        "window.__sockets.at(-1).dispatchEvent(new MessageEvent('message', { data: arguments[0] }));",
        json.dumps(frame))


def socket_count(browser) -> int:
    return browser.execute_script("return window.__sockets.length")


STORE_DOWN = {"type": "service", "store": "unavailable",
              "message": "This server cannot reach its database: messages are not acknowledged until it is back. "
                         "Reconnect to continue on another server, or wait."}
STORE_BACK = {"type": "service", "store": "available", "message": "Messages are being stored again."}
STORE_LATER = {"type": "service", "store": "degraded", "message": "a store state of a later protocol version"}


def service_banner_shown(browser) -> bool:
    return browser.find_element(By.ID, "service-banner").is_displayed()


def assert_new_connection_clears_warning(browser, live: str):
    """A new connection starts without the warning: this server's store is reachable, so it
    sends no `service` frame after its welcome."""
    serve_frame(browser, STORE_DOWN)
    element(browser, "#service-banner")
    before = socket_count(browser)
    browser.execute_script("window.__sockets.at(-1).close()")
    wait_until(lambda: socket_count(browser) > before, what="a new connection", browser=browser)
    element(browser, live, timeout=30)
    assert not service_banner_shown(browser)


def test_database_loss_is_shown_in_the_investor_page_and_the_console(server_factory):
    """A node that loses its database sends `service` frames (test_nodes.py stops PostgreSQL
    for real; this module has none, so the frames are handed to each page's own socket):
    both pages show a lasting warning in the reader's language, drop it when the store is
    back, ignore `store` values they do not know, and start a new connection without it."""
    srv = server_factory("--web-root", str(WEB_ROOT))
    s = srv.create_session("Database check")
    invite = srv.create_invite(s["id"], name="Nguyễn Minh Anh", language="vi")
    inv = new_browser(1280, 860, "vi")
    off = new_browser(1400, 900, "en")
    try:
        for b in (inv, off):
            record_sockets(b)

        # The investor page, in Vietnamese.
        inv.get(srv.url + "join#" + invite["code"])
        element(inv, "#join-button").click()
        element(inv, '#conn[data-state="live"]')
        assert not service_banner_shown(inv)
        serve_frame(inv, STORE_DOWN)
        banner = element(inv, "#service-banner")
        assert "chưa lưu được tin nhắn" in banner.text and "máy chủ khác" in banner.text, banner.text
        assert banner.get_attribute("role") == "alert"
        serve_frame(inv, STORE_LATER)
        assert service_banner_shown(inv), "an unknown store value leaves the warning as it is"
        # Still writable: what is sent waits for its ack.
        assert element(inv, "#composer-text").is_enabled()
        serve_frame(inv, STORE_BACK)
        wait_until(lambda: not service_banner_shown(inv), what="the warning to go", browser=inv)
        assert element(inv, "#conn-note").text == "Máy chủ đã lưu được tin nhắn trở lại."
        serve_frame(inv, STORE_LATER)
        assert not service_banner_shown(inv), "an unknown store value shows nothing"

        assert_new_connection_clears_warning(inv, '#conn[data-state="live"]')

        # The officer console, in English.
        off.get(srv.url + "console")
        element(off, "#token-input").send_keys(srv.officer_token)
        element(off, "#sign-in").click()
        element(off, f'#session-list [data-session="{s["id"]}"]').click()
        element(off, '#conn-status[data-state="live"]')
        assert not service_banner_shown(off)
        serve_frame(off, STORE_DOWN)
        banner = element(off, "#service-banner")
        assert "cannot store messages" in banner.text and "another server" in banner.text, banner.text
        serve_frame(off, STORE_LATER)
        assert service_banner_shown(off)
        serve_frame(off, STORE_BACK)
        wait_until(lambda: not service_banner_shown(off), what="the warning to go", browser=off)
        assert element(off, "#status-line").text == "Messages are being stored again."
        assert_new_connection_clears_warning(off, '#conn-status[data-state="live"]')
        assert console_errors(inv) == [] and console_errors(off) == []
    finally:
        inv.quit()
        off.quit()


def test_machine_translations_in_the_investor_page_and_the_review(server_factory):
    """With a translation provider (the API-shaped stand-in, which prefixes `[target]`), the
    investor reads the translation with the original a click away, and the reviewer sees
    both side by side."""
    standin = StandIn()
    srv = server_factory("--translator", f"libretranslate:{standin.url}")
    s = srv.create_session("Translation check")
    invite = srv.create_invite(s["id"], name="Dubois Claire", language="fr")
    investor_browser = new_browser(1280, 860, "fr")
    reviewer_browser = None
    try:
        investor_browser.get(srv.url + "join#" + invite["code"])
        element(investor_browser, "#join-button").click()
        element(investor_browser, "#composer-text")

        async def say():
            off, _ = await officer(srv, join=s["id"])
            r = await off.say(s["id"], "Khu công nghiệp này có diện tích 169 ha.", language="vi")
            assert r["type"] == "ack", r
            await off.close()

        run(say())
        wait_for_text(investor_browser, "#events", "[fr]")
        assert element(investor_browser, '#events .prov-source[data-provenance="machine"]').text.strip()
        # The original, a click away, with its terms for a French reader.
        assert probe_item(investor_browser, "#events", "[fr]",
                          lambda e: term_title(e.find_element(By.CSS_SELECTOR, "details.original"), "Khu công nghiệp"),
                          "the term in the original") == "parc industriel"
        assert console_errors(investor_browser) == []

        reviewer_browser = new_browser(1400, 900, "en")
        reviewer_browser.get(srv.url + "review")
        element(reviewer_browser, "#token-input").send_keys(srv.reviewer_token)
        element(reviewer_browser, "#sign-in").click()
        element(reviewer_browser, f'#session-list [data-session="{s["id"]}"]').click()
        Select(element(reviewer_browser, "#transcript-language")).select_by_value("fr")
        translation = probe_item(reviewer_browser, "#transcript", "169 ha",
                                 lambda e: next((t.text for t in e.find_elements(By.CSS_SELECTOR, ".translation")), None),
                                 "the translation beside the original")
        assert "[fr]" in translation and "169 ha" in translation
        assert console_errors(reviewer_browser) == []
    finally:
        investor_browser.quit()
        if reviewer_browser is not None:
            reviewer_browser.quit()
        standin.close()


def test_repeated_network_cuts_lose_and_repeat_nothing(server):
    """Five cuts while an officer streams and the investor writes, online and offline
    (hundreds in `make soak`): the page ends with exactly the stored events, each once."""
    from browser_chaos import run_browser_chaos
    result = run_browser_chaos(server, cuts=5, seed=11)
    assert result["events"] > 20


# ---------------------------------------------------------------------------
# Issue 15: where each reader's text comes from, answers under their question, the
# phrasebook picker, human translation (translate action, queue, interpreters), the notice
# when nothing translates, and translations in the review page. Each test starts its own
# server on the pages of the working tree.

def console_sign_in(b, srv, token: str, session_id: str | None = None):
    b.get(srv.url + "console")
    element(b, "#token-input").send_keys(token)
    element(b, "#sign-in").click()
    if session_id:
        element(b, f'#session-list [data-session="{session_id}"]').click()
        element(b, '#conn-status[data-state="live"]')


def investor_join(b, srv, code: str):
    b.get(srv.url + "join#" + code)
    element(b, "#join-button").click()
    element(b, '#conn[data-state="live"]')


async def staff_ws(srv, token: str, language: str, join: str):
    """A staff connection over the protocol, reading `language`, joined to `join`."""
    from harness import connect
    ws = await connect(srv)
    welcome = await ws.hello(token, language)
    await ws.join(join)
    return ws, welcome


def send_frames(srv, token: str, language: str, session_id: str, frames: list[dict], wait: float = 0.3):
    """Sends `frames` from a staff connection reading `language`; returns its welcome and
    every frame it received (acks, errors)."""
    async def go():
        ws, welcome = await staff_ws(srv, token, language, session_id)
        mark = ws.mark()
        for frame in frames:
            if "clientId" in frame:
                reply = await ws.action(frame)
                assert reply["type"] == "ack", reply
            else:
                await ws.send(frame)
        await asyncio.sleep(wait)
        received = ws.find(lambda f: True, since=mark)
        await ws.close()
        return welcome, received
    return run(go())


def provenance_of(item, css: str = ".prov-source"):
    found = item.find_elements(By.CSS_SELECTOR, css)
    return (found[0].get_attribute("data-provenance"), found[0].text) if found else None


def test_every_reader_is_told_where_the_text_comes_from(server_factory):
    """Point 1: the investor (French) and the console (English) each see, under every text,
    whether it is the original (which language), a machine translation (which engine) or
    the phrasebook's wording; the text and the original carry their `lang`."""
    standin = StandIn()
    srv = server_factory("--web-root", str(WEB_ROOT), "--translator", f"libretranslate:{standin.url}")
    s = srv.create_session("Provenance check")
    invite = srv.create_invite(s["id"], name="Dubois Claire", language="fr")
    inv = new_browser(1366, 800, "fr")
    off = new_browser(1366, 800, "en")
    try:
        investor_join(inv, srv, invite["code"])
        console_sign_in(off, srv, srv.officer_token, s["id"])

        box = element(inv, "#composer-text")
        box.send_keys("Nous cherchons un terrain près du port.")
        box.send_keys(Keys.ENTER)
        # The investor's own text: the original, in French.
        kind, label = probe_item(inv, "#events", "près du port", provenance_of, "the label of the investor's message")
        assert kind == "original" and "français" in label, label
        # The console: the original in French, and its machine translation into English.
        assert probe_item(off, "#log", "près du port", provenance_of, "the original's label")[1] == "Original · French"
        translation = probe_item(off, "#log", "près du port",
                                 lambda e: next(iter(e.find_elements(By.CSS_SELECTOR, '.translation[data-provenance="machine"]')), None),
                                 "the machine translation in the console")
        assert "machine translation (libretranslate)" in translation.text
        assert translation.find_element(By.CSS_SELECTOR, ".translation-text").get_attribute("lang") == "en"
        assert probe_item(off, "#log", "près du port",
                          lambda e: e.find_element(By.CSS_SELECTOR, ".msg-text").get_attribute("lang"), "lang") == "fr"

        # A Vietnamese message: the investor reads a machine translation, engine named.
        send_frames(srv, srv.officer_token, "vi", s["id"],
                    [{"type": "say", "session": s["id"], "text": "Cảng Cái Lân cách khu đất 5 km.", "clientId": cid()}])
        item = wait_for_text(inv, "#events", "[fr]")
        kind, label = probe_item(inv, "#events", "[fr]", provenance_of, "the machine translation's label")
        assert kind == "machine" and label == "Traduction automatique · libretranslate", label
        assert probe_item(inv, "#events", "[fr]",
                          lambda e: (e.find_element(By.CSS_SELECTOR, ".msg-text").get_attribute("lang"),
                                     e.find_element(By.CSS_SELECTOR, "details.original p").get_attribute("lang")),
                          "lang of the translation and of the original") == ("fr", "vi")
        assert item.find_element(By.CSS_SELECTOR, ".prov-source").get_attribute("data-engine") == "libretranslate"

        # A phrase sent by a Vietnamese-speaking officer: both read the phrasebook's wording.
        send_frames(srv, srv.officer_token, "vi", s["id"],
                    [{"type": "say", "session": s["id"], "phrase": "wait-moment", "clientId": cid()}])
        kind, label = probe_item(inv, "#events", "Un instant, s’il vous plaît.", provenance_of, "the phrase's label")
        assert kind == "phrasebook" and "recueil" in label, label
        phrase = probe_item(off, "#log", "chờ trong giây lát",
                            lambda e: next(iter(e.find_elements(By.CSS_SELECTOR, '.translation[data-provenance="phrasebook"]')), None),
                            "the phrasebook translation in the console")
        assert "One moment, please." in phrase.text and "from the phrasebook" in phrase.text
        screenshot(inv, "provenance-investor")
        screenshot(off, "provenance-console")
        assert console_errors(inv) == [] and console_errors(off) == []
    finally:
        inv.quit()
        off.quit()
        standin.close()


def test_answers_sit_under_their_question_and_say_who_edited_them(server_factory):
    """Point 2: an answer is shown under the question it answers (`replyTo`), in the
    investor page and the console; an approved answer an officer edited says by whom."""
    srv = server_factory("--web-root", str(WEB_ROOT))
    s = srv.create_session("Answers check")
    invite = srv.create_invite(s["id"], name="Kim Min-jun", language="ko")
    inv = new_browser(1366, 800, "ko")
    off = new_browser(1366, 800, "en")
    try:
        investor_join(inv, srv, invite["code"])
        console_sign_in(off, srv, srv.officer_token, s["id"])
        officer_name = run(officer(srv))[1]["you"]["name"]
        box = element(inv, "#composer-text")
        box.send_keys("What was the FDI attracted by Quảng Ninh in 2024?")
        element(inv, "#ask").click()
        # The draft waits under its question in the console.
        draft = element(off, "#log .msg.question > .replies > .msg.draft", timeout=30)
        draft.find_element(By.CSS_SELECTOR, '[data-action="edit"]').click()
        area = element(off, "#log textarea.draft-edit")
        area.clear()
        area.send_keys("Quảng Ninh attracted large FDI in 2024; an officer will send the figures.")
        element(off, '#log .draft [data-action="approve"]').click()

        answer = element(inv, "#events .msg.question > .replies > .msg.assistant", timeout=20)
        assert "send the figures" in answer.text
        edited = wait_until(lambda: answer.find_element(By.CSS_SELECTOR, ".prov-edited").text, what="who edited", browser=inv)
        assert edited == f"{officer_name} 님이 수정함", edited
        assert not inv.find_elements(By.CSS_SELECTOR, "#events > .msg.assistant"), "the answer is not loose in the log"
        console_answer = element(off, "#log .msg.question > .replies > .msg.answer")
        assert wait_until(lambda: console_answer.find_element(By.CSS_SELECTOR, ".prov-edited").text,
                          what="who edited, in the console", browser=off) == f"Edited by {officer_name}"
        screenshot(inv, "answer-under-question")
        assert console_errors(inv) == [] and console_errors(off) == []
    finally:
        inv.quit()
        off.quit()


def test_phrase_picker_is_searchable_and_works_from_the_keyboard(server_factory):
    """Point 3: Ctrl+K opens the phrasebook; the query matches any language and the id,
    whatever the accents; arrows choose, Enter sends a `say` with the phrase, Escape
    closes; each phrase shows the investors' language under the officer's."""
    srv = server_factory("--web-root", str(WEB_ROOT))
    s = srv.create_session("Phrasebook check")
    invite = srv.create_invite(s["id"], name="Sato Haruki", language="ja")
    inv = new_browser(1366, 800, "ja")
    off = new_browser(1366, 800, "vi")
    try:
        investor_join(inv, srv, invite["code"])
        console_sign_in(off, srv, srv.officer_token, s["id"])
        wait_until(lambda: "Sato Haruki" in element(off, "#people").text, what="the investor present", browser=off)

        composer = element(off, "#composer-text")
        composer.click()
        composer.send_keys(Keys.CONTROL, "k")
        search = element(off, "#phrase-search")
        assert off.switch_to.active_element == search
        assert off.find_element(By.ID, "phrase-dialog").get_attribute("open") is not None
        # Vietnamese without accents finds the Vietnamese text.
        search.send_keys("vui long cho trong giay lat")
        wait_until(lambda: [o.get_attribute("data-phrase") for o in off.find_elements(By.CSS_SELECTOR, "#phrase-list [role=option]")][:1]
                   == ["wait-moment"], what="the phrase found without accents", browser=off)
        option = off.find_element(By.CSS_SELECTOR, '#phrase-list [data-phrase="wait-moment"]')
        assert option.find_element(By.CSS_SELECTOR, ".phrase-main").get_attribute("lang") == "vi"
        other = option.find_element(By.CSS_SELECTOR, '.phrase-other [lang="ja"]')
        assert other.text == "少々お待ちください。"
        # Japanese text and the id find phrases too.
        search.clear()
        search.send_keys("少々お待ち")
        wait_until(lambda: off.find_elements(By.CSS_SELECTOR, '#phrase-list [data-phrase="wait-moment"]'),
                   what="the phrase found in Japanese", browser=off)
        search.clear()
        search.send_keys("WAIT THANKS")
        wait_until(lambda: [o.get_attribute("data-phrase") for o in off.find_elements(By.CSS_SELECTOR, "#phrase-list [role=option]")]
                   == ["wait-thanks"], what="the phrase found by its id", browser=off)
        search.send_keys(Keys.ESCAPE)
        wait_until(lambda: off.find_element(By.ID, "phrase-dialog").get_attribute("open") is None,
                   what="Escape to close", browser=off)

        # The button opens it too; arrows choose, Enter sends.
        element(off, "#open-phrases").click()
        search = element(off, "#phrase-search")
        search.send_keys("giay lat")
        wait_until(lambda: len(off.find_elements(By.CSS_SELECTOR, "#phrase-list [role=option]")) >= 2,
                   what="two matching phrases", browser=off)
        search.send_keys(Keys.ARROW_DOWN)
        active = off.find_element(By.CSS_SELECTOR, '#phrase-list [aria-selected="true"]')
        assert search.get_attribute("aria-activedescendant") == active.get_attribute("id")
        chosen = active.get_attribute("data-phrase")
        assert chosen != "wait-moment"
        search.send_keys(Keys.ARROW_UP)
        search.send_keys(Keys.ENTER)
        wait_until(lambda: off.find_element(By.ID, "phrase-dialog").get_attribute("open") is None,
                   what="the picker to close", browser=off)
        assert off.switch_to.active_element == off.find_element(By.ID, "composer-text")
        kind, _ = probe_item(inv, "#events", "少々お待ちください。", provenance_of, "the phrase in Japanese")
        assert kind == "phrasebook"
        wait_for_text(off, "#log", "Xin Quý vị vui lòng chờ trong giây lát.")
        events = srv.transcript(s["id"])["events"]
        assert [e.get("phrase") for e in events if e["kind"] == "message"] == ["wait-moment"]
        element(off, "#open-phrases").click()
        element(off, "#phrase-search").send_keys("cam on")
        off.set_window_size(1366, 800)
        screenshot(off, "phrase-picker")
        element(off, "#phrase-search").send_keys(Keys.ESCAPE)
        assert console_errors(inv) == [] and console_errors(off) == []
    finally:
        inv.quit()
        off.quit()


def test_officer_translates_by_hand_and_the_queue_follows(server_factory):
    """Points 4 and 1: a text lacking a person's translation into a language someone reads
    has a translate action; the editor starts from the machine translation; the queue
    counts what waits per language, live; the investor then reads the officer's
    translation, credited to them; the review page shows it with its translator."""
    standin = StandIn()
    srv = server_factory("--web-root", str(WEB_ROOT), "--translator", f"libretranslate:{standin.url}")
    s = srv.create_session("Hand translation check")
    invite = srv.create_invite(s["id"], name="Sato Haruki", language="ja")
    inv = new_browser(1366, 800, "ja")
    off = new_browser(1366, 800, "en")
    rev = None
    try:
        investor_join(inv, srv, invite["code"])
        console_sign_in(off, srv, srv.officer_token, s["id"])
        officer_name = run(officer(srv))[1]["you"]["name"]
        officer_say_in(off, "The port is five kilometres from the site.")
        item = wait_for_text(off, "#log", "five kilometres")
        tab = element(off, "#queue-tab-ja")
        wait_until(lambda: tab.find_element(By.CSS_SELECTOR, ".count").text == "1", what="one text waiting for Japanese",
                   browser=off)
        # The machine translation arrives; the queue's entry says so.
        wait_until(lambda: "machine translation only" in element(off, "#queue-list").text, what="machine only", browser=off)
        # The investor writes: English now waits too, live.
        box = element(inv, "#composer-text")
        box.send_keys("港までの道路は整備されていますか。")
        box.send_keys(Keys.ENTER)
        wait_until(lambda: element(off, "#queue-tab-en .count").text == "1", what="one text waiting for English",
                   browser=off)

        element(off, '#queue-tab-ja').click()
        element(off, '#queue-list [data-action="queue-translate"]').click()
        area = element(off, "#log textarea.translate-text")
        assert off.switch_to.active_element == area
        assert area.get_attribute("lang") == "ja"
        assert area.get_attribute("value").startswith("[ja]"), "the editor starts from the machine translation"
        area.clear()
        area.send_keys("港は用地から5キロメートルの距離にあります。")
        area.send_keys(Keys.CONTROL, Keys.ENTER)

        kind, label = probe_item(inv, "#events", "港は用地から5キロメートル", provenance_of, "the officer's translation")
        assert kind == "human" and label.startswith(officer_name) and "翻訳" in label, label
        wait_until(lambda: element(off, "#queue-tab-ja .count").text == "0", what="nothing waiting for Japanese", browser=off)
        probe_item(off, "#log", "five kilometres",
                   lambda e: not e.find_elements(By.CSS_SELECTOR, '[data-action="translate-ja"]')
                   and not e.find_elements(By.CSS_SELECTOR, "textarea.translate-text"), "the translate action gone")
        assert console_errors(inv) == [] and console_errors(off) == []

        # The review page, read in Japanese: the translation beside the original, with who made it.
        rev = new_browser(1366, 800, "en")
        rev.get(srv.url + "review")
        element(rev, "#token-input").send_keys(srv.reviewer_token)
        element(rev, "#sign-in").click()
        element(rev, f'#session-list [data-session="{s["id"]}"]').click()
        Select(element(rev, "#transcript-language")).select_by_value("ja")
        cell = probe_item(rev, "#transcript", "five kilometres",
                          lambda e: next(iter(e.find_elements(By.CSS_SELECTOR, '.translation[data-provenance="human"]')), None),
                          "the human translation in the review")
        assert "港は用地から5キロメートル" in cell.text and officer_name in cell.text
        assert console_errors(rev) == []
    finally:
        inv.quit()
        off.quit()
        if rev is not None:
            rev.quit()
        standin.close()


def officer_say_in(b, text: str):
    box = element(b, "#composer-text")
    box.clear()
    box.send_keys(text)
    element(b, "#send-say").click()


def test_interpreter_reads_and_translates_in_the_console(server_factory):
    """Point 4 for the `interpreter` role, and point 5: the console opens for an
    interpreter with only reading and translating; without machine translation the notice
    says which languages nothing translates into."""
    srv = server_factory("--web-root", str(WEB_ROOT))
    s = srv.create_session("Interpreter check")
    invite = srv.create_invite(s["id"], name="Sato Haruki", language="ja")
    token = srv.add_staff("Mai", "interpreter")
    b = new_browser(1366, 800, "vi")
    try:
        async def go():
            from harness import investor
            inv_ws, _, _ = await investor(srv, invite["code"], "ja")
            off_ws, _ = await staff_ws(srv, srv.officer_token, "en", s["id"])
            r = await off_ws.say(s["id"], "Welcome to Quảng Ninh.")
            assert r["type"] == "ack", r
            await off_ws.close()
            await inv_ws.close()
        run(go())
        b.get(srv.url + "console")
        b.execute_script("localStorage.setItem('ipa.consoleLang', 'vi')")
        console_sign_in(b, srv, token, s["id"])
        view = element(b, "#view-console")
        assert "role-interpreter" in view.get_attribute("class")
        for hidden in ("#composer", "#create-form", "#invite-form", "#search-form", "#end-session", "#assistant-mode"):
            assert not b.find_element(By.CSS_SELECTOR, hidden).is_displayed(), hidden
        wait_until(lambda: "Sato Haruki" in element(b, "#people").text, what="the investor present", browser=b)
        assert not b.find_elements(By.CSS_SELECTOR, '#people [data-action="mute"]')
        # Nothing translates on this server: the notice names Japanese, without the phrasebook.
        notice = element(b, "#mt-notice")
        assert "tiếng Nhật" in notice.text, notice.text
        assert not b.find_element(By.ID, "mt-open-phrases").is_displayed()

        wait_until(lambda: element(b, "#queue-tab-ja .count").text == "1", what="one text waiting for Japanese", browser=b)
        probe_item(b, "#log", "Welcome to Quảng Ninh",
                   lambda e: e.find_element(By.CSS_SELECTOR, '[data-action="translate-ja"]'), "the translate action").click()
        area = element(b, "#log textarea.translate-text")
        assert area.get_attribute("value") == ""
        area.send_keys("クアンニンへようこそ。")
        element(b, '#log [data-action="translate-send-ja"]').click()

        wait_until(lambda: element(b, "#queue-tab-ja .count").text == "0", what="the queue emptied", browser=b)

        async def history():
            from harness import investor
            ws, _, events = await investor(srv, invite["code"], "ja")
            await ws.close()
            return next(e for e in events if e.get("text") == "Welcome to Quảng Ninh.")
        translation = run(history())["translation"]
        assert translation["text"] == "クアンニンへようこそ。" and translation["engine"] == "human"
        assert translation["by"]["name"] == "Mai" and translation["by"]["role"] == "interpreter"
        screenshot(b, "console-interpreter")
        assert console_errors(b) == []
    finally:
        b.quit()


def test_console_says_when_nothing_translates(server_factory):
    """Point 5: no translation provider (welcome's machineTranslation.engine is null) and
    an investor reading Japanese: the officer is told, and pointed to the phrasebook."""
    srv = server_factory("--web-root", str(WEB_ROOT))
    s = srv.create_session("No translator check")
    invite = srv.create_invite(s["id"], name="Sato Haruki", language="ja")
    b = new_browser(1366, 800, "en")
    try:
        async def join():
            from harness import investor
            ws, _, _ = await investor(srv, invite["code"], "ja")
            await ws.close()
        run(join())
        console_sign_in(b, srv, srv.officer_token, s["id"])
        notice = element(b, "#mt-notice")
        assert "No machine translation" in notice.text and "Japanese" in notice.text, notice.text
        assert notice.get_attribute("data-languages") == "ja"
        element(b, "#mt-open-phrases").click()
        element(b, "#phrase-search").send_keys(Keys.ESCAPE)
        element(b, "#mt-open-queue").click()
        assert b.switch_to.active_element == b.find_element(By.ID, "queue-title")
        screenshot(b, "console-no-translator")
        assert console_errors(b) == []
    finally:
        b.quit()
    # The investor is told too: an officer's Vietnamese reaches them as written, and the
    # label under it says that nothing translates it in this meeting.
    send_frames(srv, srv.officer_token, "vi", s["id"],
                [{"type": "say", "session": s["id"], "text": "Xin chào Quý nhà đầu tư", "clientId": cid()}])
    page = new_browser(1366, 800, "ja")
    try:
        investor_join(page, srv, invite["code"])
        untranslated = lambda e: next(iter(e.find_elements(By.CSS_SELECTOR, '.prov-source[data-untranslated="true"]')), None)
        label = probe_item(page, "#events", "Xin chào", untranslated, "the untranslated label")
        assert "自動翻訳は提供されていません" in label.text, label.text
        assert console_errors(page) == []
    finally:
        page.quit()


def test_review_shows_translations_into_the_chosen_language(server_factory):
    """Point 6: choosing the reading language shows, beside each original, its translation
    into that language with where it comes from (here the phrasebook's wording)."""
    srv = server_factory("--web-root", str(WEB_ROOT))
    s = srv.create_session("Review languages check")
    send_frames(srv, srv.officer_token, "vi", s["id"],
                [{"type": "say", "session": s["id"], "phrase": "wait-moment", "clientId": cid()}])
    b = new_browser(1366, 800, "en")
    try:
        b.get(srv.url + "review")
        element(b, "#token-input").send_keys(srv.reviewer_token)
        element(b, "#sign-in").click()
        element(b, f'#session-list [data-session="{s["id"]}"]').click()
        for language, text in (("ja", "少々お待ちください。"), ("fr", "Un instant, s’il vous plaît.")):
            Select(element(b, "#transcript-language")).select_by_value(language)
            cell = probe_item(b, "#transcript", "chờ trong giây lát",
                              lambda e: next((c for c in e.find_elements(By.CSS_SELECTOR, ".translation")
                                              if text in c.text), None), f"the {language} translation")
            assert cell.get_attribute("data-provenance") == "phrasebook"
            assert cell.find_element(By.CSS_SELECTOR, ".text").get_attribute("lang") == language
        # Read in the original's language: the original alone.
        Select(element(b, "#transcript-language")).select_by_value("vi")
        probe_item(b, "#transcript", "chờ trong giây lát", lambda e: not e.find_elements(By.CSS_SELECTOR, ".translation"),
                   "the original alone")
        screenshot(b, "review-translations")
        assert console_errors(b) == []
    finally:
        b.quit()
