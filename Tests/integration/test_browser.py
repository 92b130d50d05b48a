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

import json
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from browser import CuttableProxy, console_errors, element, new_browser, screenshot, wait_until
from harness import AGENTS, REPO, Server, http_request, officer, run
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
    """The title (approved form) of the term written `written` in an event element."""
    return next((t.get_attribute("title") for t in item.find_elements(By.CSS_SELECTOR, ".term")
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
    # keyboard users reach the term, and focusing it shows the approved form
    assert probe_item(inv, "#events", "Sông Khoai",
                      lambda e: e.find_element(By.CSS_SELECTOR, ".term").get_attribute("tabindex"), "a focusable term") == "0"

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
    draft.find_element(By.CSS_SELECTOR, "input.draft-reason").send_keys("needs the land desk")
    draft.find_element(By.CSS_SELECTOR, '[data-action="reject"]').click()
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
        assert element(investor_browser, "#events .translated-note").text.strip()
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
