"""Issue 20 in a real browser (Debian's headless Chromium): the pages people live in.

- The officer's console as a workspace on a 1366×800 window: the conversation's share of
  the height, no page scroll behind the columns, the queue of drafts and hand-overs with
  counts, the tab title "(2) " with two drafts waiting, keyboard shortcuts, the "new
  messages" bar never over a button, a reject that asks for its second press, and sharing a
  passage through an editable preview that cites title and source (never a file name).
- The investor's phone (390×844): the conversation's share of the screen once joined, the
  notice that folds once read and stays folded, a banner that can be dismissed and comes back
  only for a new hand-over, the composer the full width.
- Keyboard and screen readers: a message with five glossary terms is one Tab stop, read as
  written; every message, answer and translation carries the right `lang`.
- Staff pages in six languages, each person's choice remembered; the pack chosen from the
  server's packs.

The pages are those of the working tree (`--web-root`); the assistant is the embedded
extractive composer (DIALOGUE_SKIP_LLAMA=1 is fine).
"""

from __future__ import annotations

import re
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from browser import console_errors, element, join_meeting as investor_join, new_browser, screenshot, wait_until
from harness import REPO, Server, is_event, officer, run

WEB_ROOT = REPO / "Sources" / "DialogueServer" / "Web"

# An English question with at least five glossary terms (Agents/quang-ninh-ipa/glossary.tsv).
FIVE_TERMS = ("Which industrial park of the Van Don economic zone gives FDI incentives to a foreign investor "
              "in a joint venture?")

# What a focusable element is, as the browser's Tab order sees it.
FOCUSABLE = ("a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), "
             "textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("srv") / "data", ["--web-root", str(WEB_ROOT)])
    srv.start()
    yield srv
    srv.stop()


def viewport(b, width: int, height: int):
    """Sizes the window so that its viewport (not the window) is `width`×`height`."""
    b.set_window_size(width, height)
    inner = b.execute_script("return [window.innerWidth, window.innerHeight]")
    b.set_window_size(width + (width - inner[0]), height + (height - inner[1]))
    assert b.execute_script("return [window.innerWidth, window.innerHeight]") == [width, height]


def console_sign_in(b, srv, token: str, session_id: str | None = None):
    b.get(srv.url + "console" + (f"#{session_id}" if session_id else ""))
    element(b, "#token-input").send_keys(token)
    element(b, "#sign-in").click()
    element(b, "#view-console")
    if session_id:
        element(b, '#conn-status[data-state="live"]', timeout=20)




def ask_from_page(b, text: str):
    box = element(b, "#composer-text")
    box.send_keys(text)
    element(b, "#ask").click()


def rect(b, el) -> dict:
    return b.execute_script("const r = arguments[0].getBoundingClientRect();"
                            "return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height, width: r.width};", el)


def overlaps(a: dict, c: dict) -> bool:
    return a["left"] < c["right"] and c["left"] < a["right"] and a["top"] < c["bottom"] and c["top"] < a["bottom"]


def tab_stops_inside(b, container) -> int:
    """Presses Tab from the element before `container` and counts the stops inside it."""
    b.execute_script("""
        const box = arguments[0];
        const before = document.createElement('button');
        before.id = '__before'; before.textContent = 'before';
        box.parentNode.insertBefore(before, box);
        before.focus();""", container)
    stops = 0
    for _ in range(40):
        b.switch_to.active_element.send_keys(Keys.TAB)
        inside = b.execute_script("return arguments[0].contains(document.activeElement)", container)
        if not inside:
            break
        stops += 1
    b.execute_script("document.getElementById('__before').remove()")
    return stops


# ---------------------------------------------------------------------------
# The console as a workspace

def test_the_console_is_a_workspace_with_queues_a_title_count_and_shortcuts(server):
    s = server.create_session("Workspace — Đông Mai", assistant="review", languages=["vi", "en", "ja"])
    sid = s["id"]
    inv = server.create_invite(sid, name="Tanaka Yui", language="ja")
    off = new_browser(1366, 800, "en")
    investor_page = new_browser(1280, 900, "en")
    try:
        viewport(off, 1366, 800)
        console_sign_in(off, server, server.officer_token, sid)
        # The conversation takes at least 60 % of the window's height; the page never scrolls.
        log = element(off, "#log")
        inner = off.execute_script("return window.innerHeight")
        share = rect(off, log)["height"] / inner
        assert share >= 0.60, f"the conversation is {share:.0%} of the window's height"
        investor_join(investor_page, server, inv["code"])
        # A Japanese reader and no machine translation: the console says so, and still the
        # conversation keeps 60 %.
        wait_until(lambda: element(off, "#mt-notice").is_displayed(), what="the notice", browser=off)
        share = rect(off, log)["height"] / inner
        assert share >= 0.60, f"with the notice, the conversation is {share:.0%} of the window's height"
        ask_from_page(investor_page, "What was the FDI attracted by Quảng Ninh in 2024?")
        wait_until(lambda: len(off.find_elements(By.CSS_SELECTOR, "#drafts-queue .work-item")) == 1,
                   timeout=30, what="one draft waiting", browser=off)
        ask_from_page(investor_page, "How large is the Việt Hưng industrial park?")
        wait_until(lambda: len(off.find_elements(By.CSS_SELECTOR, "#drafts-queue .work-item")) == 2,
                   timeout=30, what="two drafts waiting", browser=off)
        assert element(off, "#drafts-count").text == "2"
        wait_until(lambda: off.title.startswith("(2) "), what="the title's count", browser=off)
        screenshot(off, "console-workspace")
        # Newest first.
        seqs = [int(li.get_attribute("data-seq")) for li in off.find_elements(By.CSS_SELECTOR, "#drafts-queue .work-item")]
        assert seqs == sorted(seqs, reverse=True), seqs
        # Nothing scrolls the page itself, however long the log.
        for i in range(12):
            investor_page.find_element(By.ID, "composer-text").send_keys(f"Line {i}: a message to fill the log.\n")
        wait_until(lambda: len(off.find_elements(By.CSS_SELECTOR, "#events .msg.message")) >= 12,
                   what="the messages", browser=off)
        page = off.execute_script("const e = document.scrollingElement; return [e.scrollHeight, e.clientHeight]")
        assert page[0] <= page[1] + 1, f"the page scrolls: {page}"
        # "New messages" sits between the log and the composer, over no button.
        off.execute_script("document.getElementById('log').scrollTop = 0")
        investor_page.find_element(By.ID, "composer-text").send_keys("One more line while the officer reads up.\n")
        jump = wait_until(lambda: (lambda j: j if j.is_displayed() else None)(off.find_element(By.ID, "jump")),
                          what="the new-messages bar", browser=off)
        jr = rect(off, jump)
        for button in off.find_elements(By.CSS_SELECTOR, "button"):
            if button != jump and button.is_displayed():
                assert not overlaps(jr, rect(off, button)), f"the bar covers {button.text!r}"

        # Single keys do nothing while the officer types: "n" and "a" land in the text box.
        box = element(off, "#composer-text")
        box.send_keys("na")
        assert box.get_attribute("value") == "na" and element(off, "#drafts-count").text == "2"
        box.clear()
        # Keyboard: N goes to the newest draft, A approves it; the counts and title follow.
        off.execute_script("document.getElementById('log').focus()")
        off.switch_to.active_element.send_keys("n")
        focused = off.switch_to.active_element
        assert focused.get_attribute("data-seq") == str(seqs[0]) and "draft" in focused.get_attribute("class")
        focused.send_keys("a")
        wait_until(lambda: element(off, "#drafts-count").text == "1", what="one draft left", browser=off)
        wait_until(lambda: off.title.startswith("(1) "), what="the title's count", browser=off)
        # Reject asks for a second press: R arms it (the reason field appears, and typing a
        # reason — "r" included — keeps it armed), R again rejects. Escape disarms.
        off.switch_to.active_element.send_keys("n")
        focused = off.switch_to.active_element
        assert focused.get_attribute("data-seq") == str(seqs[1])
        reason = focused.find_element(By.CSS_SELECTOR, ".reason-field")
        assert not reason.is_displayed(), "the reason is asked for only once Reject was pressed"
        reject = focused.find_element(By.CSS_SELECTOR, '[data-action="reject"]')
        focused.send_keys("r")
        assert reject.get_attribute("data-armed") == "true" and reason.is_displayed()
        off.switch_to.active_element.send_keys(Keys.ESCAPE)
        assert reject.get_attribute("data-armed") == "false"
        off.execute_script("arguments[0].focus()", focused)
        focused.send_keys("r")
        field = reason.find_element(By.TAG_NAME, "input")
        field.send_keys("needs the land desk, our reply follows")
        assert element(off, "#drafts-count").text == "1", "one press and a reason reject nothing"
        off.execute_script("arguments[0].focus()", focused)
        focused.send_keys("r")
        wait_until(lambda: element(off, "#drafts-count").text == "0", what="no draft left", browser=off)
        wait_until(lambda: not re.match(r"^\(\d+\) ", off.title), what="no count in the title", browser=off)
        assert element(off, "#drafts-none").is_displayed()
        # The shortcuts are listed, and the list opens with "?".
        off.execute_script("document.getElementById('log').focus()")
        off.switch_to.active_element.send_keys("?")
        dialog = element(off, "#shortcuts-dialog")
        wait_until(lambda: dialog.get_attribute("open") is not None, what="the shortcuts", browser=off)
        assert "Approve the draft in focus" in dialog.text
        element(off, "#shortcuts-close").click()
        assert off.switch_to.active_element == off.find_element(By.ID, "log"), "back where ? was pressed"
        # A new draft, then the meeting ends: nothing waits any more, and the title says so.
        ask_from_page(investor_page, "Which port serves the Hải Hà industrial park?")
        wait_until(lambda: off.title.startswith("(1) "), timeout=30, what="a draft waiting", browser=off)
        element(off, "#end-session").click()
        element(off, "#end-session-confirm").click()
        wait_until(lambda: not re.match(r"^\(\d+\) ", off.title), what="no count once ended", browser=off)
        assert element(off, "#drafts-count").text == "0"
        assert console_errors(off) == []
    finally:
        off.quit()
        investor_page.quit()


def test_a_hand_over_waits_until_followed_up_and_the_investor_can_dismiss_its_banner(server):
    s = server.create_session("Hand-over — land", assistant="auto", languages=["vi", "fr"])
    sid = s["id"]
    inv = server.create_invite(sid, name="Claire Dupont", language="fr")
    off = new_browser(1366, 800, "en")
    phone = new_browser(390, 844, "fr")
    try:
        console_sign_in(off, server, server.officer_token, sid)
        investor_join(phone, server, inv["code"])
        ask_from_page(phone, "Pouvons-nous négocier le prix du terrain et la location de terrain au parc de Đông Mai ?")
        item = wait_until(lambda: off.find_elements(By.CSS_SELECTOR, "#handovers .work-item"), timeout=30,
                          what="the hand-over waiting", browser=off)[0]
        assert element(off, "#handovers-count").text == "1"
        wait_until(lambda: off.title.startswith("(1) "), what="the title counts the hand-over", browser=off)
        # The investor's banner names the desk; dismissed, it stays away...
        banner = element(phone, "#banner")
        wait_until(lambda: banner.get_attribute("data-banner") == "bannerHandover" and banner.is_displayed(),
                   what="the hand-over banner", browser=phone)
        element(phone, "#banner-dismiss").click()
        assert not banner.is_displayed()
        phone.find_element(By.ID, "composer-text").send_keys("Merci.\n")
        wait_until(lambda: len(phone.find_elements(By.CSS_SELECTOR, "#events .msg.mine")) >= 2, what="the message",
                   browser=phone)
        assert not banner.is_displayed(), "a dismissed banner stays away until something new happens"
        # ...until a new hand-over.
        ask_from_page(phone, "Pouvons-nous négocier le loyer du terrain au parc de Đông Mai ?")
        wait_until(lambda: banner.is_displayed(), timeout=30, what="the banner back for a new hand-over", browser=phone)
        wait_until(lambda: element(off, "#handovers-count").text == "2", what="two hand-overs", browser=off)
        # Followed up from the keyboard: D on the item in focus.
        first = off.find_element(By.CSS_SELECTOR, "#handovers .work-item")
        off.execute_script("arguments[0].focus()", first)
        first.send_keys("d")
        wait_until(lambda: element(off, "#handovers-count").text == "1", what="one hand-over left", browser=off)
        # Remembered in this browser: a reload keeps it followed up.
        off.refresh()
        element(off, '#conn-status[data-state="live"]', timeout=20)
        wait_until(lambda: element(off, "#handovers-count").text == "1", what="still one after a reload", browser=off)
    finally:
        off.quit()
        phone.quit()


def test_sharing_a_passage_shows_an_editable_preview_citing_title_and_source(server):
    s = server.create_session("Share — Vân Đồn", assistant="off", languages=["vi", "en", "fr"])
    sid = s["id"]
    inv = server.create_invite(sid, name="Claire Dupont", language="fr")
    off = new_browser(1366, 800, "en")
    investor_page = new_browser(1280, 900, "fr")
    try:
        console_sign_in(off, server, server.officer_token, sid)
        investor_join(investor_page, server, inv["code"])
        element(off, "#search-input").send_keys("zone économique de Vân Đồn")
        element(off, "#search-go").click()
        result = wait_until(lambda: off.find_elements(By.CSS_SELECTOR, "#search-results .result"), timeout=20,
                            what="a search result", browser=off)[0]
        title = result.find_element(By.CSS_SELECTOR, ".result-title").text
        document_id = result.get_attribute("data-document")
        assert document_id
        result.find_element(By.CSS_SELECTOR, '[data-action="share"]').click()
        area = element(off, "#search-results textarea.share-text")
        assert off.switch_to.active_element == area, "the preview takes the focus"
        assert area.get_attribute("value").strip(), "the passage is offered"
        cites = element(off, "#search-results .share-cites").text
        assert title in cites, (title, cites)
        # Nothing is posted before the officer says so.
        assert not investor_page.find_elements(By.CSS_SELECTOR, "#events .msg.message")
        area.clear()
        area.send_keys("Extrait choisi par le conseiller : la zone économique de Vân Đồn accueille les investisseurs.")
        element(off, '#search-results [data-action="share-post"]').click()
        shared = wait_until(lambda: investor_page.find_elements(By.CSS_SELECTOR, "#events .msg.message"), timeout=20,
                            what="the shared passage", browser=investor_page)[0]
        assert "Extrait choisi par le conseiller" in shared.text
        page = investor_page.find_element(By.ID, "events").text
        assert title in page, "the investor sees the document's title"
        assert not re.search(r"[\w-]+\.(?:vi|en|fr|ja|ko|zh)\.md\b", page), "no internal file name"
        assert document_id not in investor_page.find_element(By.TAG_NAME, "body").get_attribute("textContent"), \
            "no internal document id"
    finally:
        off.quit()
        investor_page.quit()


# ---------------------------------------------------------------------------
# The phone

def test_on_a_phone_the_conversation_has_half_the_screen_and_the_notice_folds_once_read(server):
    s = server.create_session("Phone — Quảng Yên", assistant="auto", languages=["vi", "ja"])
    inv = server.create_invite(s["id"], name="Sato Haruki", language="ja")
    phone = new_browser(390, 844, "ja")
    try:
        viewport(phone, 390, 844)
        investor_join(phone, server, inv["code"])
        notice = element(phone, "#notice")
        assert notice.get_attribute("open") is not None, "the notice is open the first time"
        element(phone, "#notice-read").click()
        assert notice.get_attribute("open") is None
        inner = phone.execute_script("return window.innerHeight")
        share = rect(phone, element(phone, "#log"))["height"] / inner
        assert share >= 0.5, f"the conversation is {share:.0%} of the phone's screen"
        text = rect(phone, element(phone, "#composer-text"))
        width = phone.execute_script("return document.documentElement.clientWidth")
        assert text["width"] >= 0.85 * width, f"the text box is {text['width']} of {width} px"
        ask_from_page(phone, "ヴァンドン経済区の工業団地について教えてください。")
        wait_until(lambda: phone.find_elements(By.CSS_SELECTOR, "#events .msg.answer"), timeout=30, what="the answer",
                   browser=phone)
        screenshot(phone, "investor-phone")
        # Folded on the next visit too, and it can be reopened.
        phone.refresh()
        element(phone, '#conn[data-state="live"]', timeout=20)  # a reload joins again by itself
        notice = element(phone, "#notice")
        assert notice.get_attribute("open") is None, "read once, folded after"
        notice.find_element(By.TAG_NAME, "summary").click()
        assert notice.get_attribute("open") is not None
        assert console_errors(phone) == []
    finally:
        phone.quit()


# ---------------------------------------------------------------------------
# Keyboard and screen readers

def test_a_message_with_five_terms_is_one_tab_stop_read_as_written_with_its_lang(server):
    s = server.create_session("Terms — Vân Đồn", assistant="auto", languages=["vi", "en", "ja"])
    sid = s["id"]
    inv = server.create_invite(sid, name="Sato Haruki", language="ja")
    b = new_browser(1280, 900, "ja")
    off = new_browser(1366, 800, "en")

    async def say_from_officer():
        ws, _ = await officer(server)
        await ws.join(sid)
        await ws.send({"type": "say", "session": sid, "text": FIVE_TERMS, "clientId": "five-terms"})
        event = await ws.wait_for(is_event("message"), timeout=10)
        await ws.close()
        return event

    try:
        investor_join(b, server, inv["code"])
        event = run(say_from_officer())
        assert len(event.get("terms") or []) >= 5, event.get("terms")
        msg = wait_until(lambda: b.find_elements(By.CSS_SELECTOR, f'#events li[data-seq="{event["seq"]}"]'),
                         what="the message", browser=b)[0]
        original = msg.find_element(By.CSS_SELECTOR, ".original p") if msg.find_elements(By.CSS_SELECTOR, ".original p") \
            else msg.find_element(By.CSS_SELECTOR, ".msg-text")
        terms = original.find_elements(By.CSS_SELECTOR, ".term")
        assert len(terms) >= 5
        # Read as written: the terms have no label of their own and are no Tab stop.
        for term in terms:
            assert term.get_attribute("aria-label") is None and term.get_attribute("tabindex") is None
        assert original.get_attribute("textContent") == FIVE_TERMS
        assert original.get_attribute("lang") == "en"
        # One Tab stop for the whole message: its "Terms" button.
        assert tab_stops_inside(b, msg) == 1
        toggle = msg.find_element(By.CSS_SELECTOR, ".terms-toggle")
        assert toggle.find_element(By.XPATH, "..").get_attribute("open") is None
        toggle.click()
        listing = msg.find_element(By.CSS_SELECTOR, ".terms-list")
        assert listing.is_displayed() and len(listing.find_elements(By.TAG_NAME, "dt")) >= 5
        assert listing.find_element(By.TAG_NAME, "dd").get_attribute("lang") == "ja"
        # Every message, answer and translation has a lang: the investor's question in
        # Japanese, the assistant's answer in the language it is written in.
        ask_from_page(b, "ヴァンドン経済区の工業団地について教えてください。")
        wait_until(lambda: b.find_elements(By.CSS_SELECTOR, "#events .msg.answer .msg-text"), timeout=30,
                   what="the answer", browser=b)
        for text in b.find_elements(By.CSS_SELECTOR, "#events .msg-text, #events .original p"):
            lang = text.get_attribute("lang")
            assert lang, f"no lang on {text.text[:40]!r}"
            content = text.get_attribute("textContent")
            if re.search(r"[\u3040-\u30ff]", content):
                assert lang == "ja", (lang, content[:60])
        # The console: the same message is one Tab stop for its terms too.
        console_sign_in(off, server, server.officer_token, sid)
        cmsg = wait_until(lambda: off.find_elements(By.CSS_SELECTOR, f'#events li[data-seq="{event["seq"]}"]'),
                          what="the message in the console", browser=off)[0]
        assert len(cmsg.find_elements(By.CSS_SELECTOR, ".terms-toggle")) == 1
        assert all(t.get_attribute("tabindex") is None for t in cmsg.find_elements(By.CSS_SELECTOR, ".term"))
    finally:
        b.quit()
        off.quit()


# ---------------------------------------------------------------------------
# Staff pages in six languages; the pack from the server's packs

def test_each_member_of_staff_keeps_their_language_on_the_staff_pages(server):
    second = server.add_staff("Nguyễn Lan", "officer")
    b = new_browser(1366, 800, "en")
    try:
        console_sign_in(b, server, server.officer_token)
        select = Select(element(b, "#console-lang"))
        assert sorted(o.get_attribute("value") for o in select.options) == ["en", "fr", "ja", "ko", "vi", "zh"]
        select.select_by_value("ja")
        wait_until(lambda: element(b, "#sessions-title").text == "面談一覧", what="the console in Japanese", browser=b)
        assert b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"
        assert "đồng chí" not in b.find_element(By.TAG_NAME, "body").text
        # The pack is chosen from the server's packs, named in the page's language.
        agents = Select(element(b, "#session-agent"))
        st, listed, _ = server.http("GET", "/v1/agents?lang=ja", server.officer_token)
        assert st == 200 and listed["agents"], (st, listed)
        wait_until(lambda: [o.get_attribute("value") for o in agents.options] == [a["id"] for a in listed["agents"]],
                   what="the packs", browser=b)
        assert listed["agents"][0]["name"] in agents.options[0].text
        # The review page and the barometer follow the same person's choice.
        b.get(server.url + "review")
        wait_until(lambda: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja", what="review in Japanese",
                   browser=b)
        b.get(server.url + "barometer")
        wait_until(lambda: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja",
                   what="the barometer in Japanese", browser=b)
        # Another officer on the same browser keeps their own language, and never gets the
        # first one's: signed out, the page is back in the signed-out page's language.
        b.get(server.url + "console")
        element(b, "#sign-out").click()
        wait_until(lambda: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", what="signed out: English",
                   browser=b)
        element(b, "#token-input").send_keys(second)
        element(b, "#sign-in").click()
        element(b, "#view-console")
        assert b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "not the first officer's Japanese"
        Select(element(b, "#console-lang")).select_by_value("ko")
        wait_until(lambda: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ko", what="Korean", browser=b)
        element(b, "#sign-out").click()
        element(b, "#token-input").send_keys(server.officer_token)
        element(b, "#sign-in").click()
        wait_until(lambda: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja",
                   what="the first officer's Japanese again", browser=b)
        for lang, heading in (("fr", "Entretiens"), ("zh", None), ("vi", None)):
            Select(element(b, "#console-lang")).select_by_value(lang)
            wait_until(lambda: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang, what=lang, browser=b)
            body = b.find_element(By.TAG_NAME, "body").text
            assert "Sessions" not in body.split(), f"English left in the {lang} console"
            if heading:
                assert element(b, "#sessions-title").text == heading
        assert console_errors(b) == []
    finally:
        b.quit()


# ---------------------------------------------------------------------------
# Safe actions: revoke and remove ask first

def test_revoking_an_invite_and_removing_a_person_ask_first(server):
    s = server.create_session("Safe actions", assistant="off", languages=["vi", "en"])
    sid = s["id"]
    kept = server.create_invite(sid, name="Emma Clarke", language="en")
    present = server.create_invite(sid, name="Li Wei", language="en")
    off = new_browser(1366, 800, "en")
    guest = new_browser(1280, 900, "en")

    def invite_state(invite_id: str) -> str:
        st, listed, _ = server.http("GET", f"/v1/sessions/{sid}/invites", server.officer_token)
        assert st == 200, listed
        return next(i["state"] for i in listed["invites"] if i["id"] == invite_id)

    try:
        console_sign_in(off, server, server.officer_token, sid)
        revoke = element(off, f'#invites [data-invite="{kept["id"]}"] [data-action="revoke"]')
        label = revoke.text
        # One press arms it; Escape disarms it; nothing was revoked.
        revoke.click()
        armed = element(off, f'#invites [data-invite="{kept["id"]}"] [data-action="revoke"][data-armed="true"]')
        assert armed.text != label
        armed.send_keys(Keys.ESCAPE)
        wait_until(lambda: element(off, f'#invites [data-invite="{kept["id"]}"] [data-action="revoke"]').text == label,
                   what="disarmed", browser=off)
        assert invite_state(kept["id"]) == "active"
        # Two presses revoke.
        element(off, f'#invites [data-invite="{kept["id"]}"] [data-action="revoke"]').click()
        element(off, f'#invites [data-invite="{kept["id"]}"] [data-action="revoke"][data-armed="true"]').click()
        wait_until(lambda: invite_state(kept["id"]) == "revoked", what="the invite revoked", browser=off)
        # Remove asks in a box; Cancel keeps the person.
        investor_join(guest, server, present["code"])
        person = wait_until(lambda: [p for p in off.find_elements(By.CSS_SELECTOR, "#people [data-participant]")
                                     if "Li Wei" in p.text], what="the investor among people", browser=off)[0]
        person.find_element(By.CSS_SELECTOR, '[data-action="remove"]').click()
        cancel = element(off, '#people [data-action="remove-cancel"]')
        assert off.switch_to.active_element == off.find_element(By.CSS_SELECTOR, '#people [data-action="remove-confirm"]')
        cancel.click()
        assert element(guest, '#conn[data-state="live"]')
        element(off, '#people [data-action="remove"]').click()
        element(off, '#people [data-action="remove-confirm"]').click()
        wait_until(lambda: guest.find_element(By.ID, "view-stop").is_displayed(), what="the investor removed",
                   browser=guest)
    finally:
        off.quit()
        guest.quit()


def test_an_interpreters_title_counts_the_texts_waiting_for_a_translation(server):
    s = server.create_session("Interpreting — Cái Lân", assistant="off", languages=["vi", "ja"])
    sid = s["id"]
    inv = server.create_invite(sid, name="Sato Haruki", language="ja")
    interpreter = server.add_staff("Phạm Minh", "interpreter")
    b = new_browser(1366, 800, "en")
    investor_page = new_browser(1280, 900, "ja")

    async def officer_in_vietnamese():
        from harness import connect
        ws = await connect(server)
        await ws.hello(server.officer_token, "vi")
        await ws.join(sid)
        await ws.send({"type": "say", "session": sid, "text": "Chào mừng ông Sato.", "clientId": "vi-1"})
        await ws.wait_for(is_event("message"), timeout=10)
        await ws.close()

    try:
        run(officer_in_vietnamese())  # a Vietnamese reader, so Japanese texts wait for Vietnamese
        console_sign_in(b, server, interpreter, sid)
        investor_join(investor_page, server, inv["code"])
        # The officer's Vietnamese welcome waits for Japanese; each Japanese text for Vietnamese.
        wait_until(lambda: b.title.startswith("(1) "), timeout=20, what="the welcome waiting", browser=b)
        for count, text in enumerate(("港の水深は何メートルですか。", "土地の賃料を教えてください。"), start=2):
            investor_page.find_element(By.ID, "composer-text").send_keys(text + "\n")
            wait_until(lambda: b.title.startswith(f"({count}) "), timeout=20, what=f"{count} text(s) waiting",
                       browser=b)
        assert not b.find_element(By.ID, "work-card").is_displayed(), "drafts and hand-overs are officers' work"
        assert element(b, "#shortcuts-open").is_displayed(), "the shortcuts are an interpreter's too"
        # The interpreter's tab in the background still counts (a timer, not an animation frame).
        b.execute_script("window.open('about:blank', '_blank')")
        console_tab = b.window_handles[0]
        b.switch_to.window(b.window_handles[1])
        investor_page.find_element(By.ID, "composer-text").send_keys("よろしくお願いします。\n")
        time.sleep(2)
        b.switch_to.window(console_tab)
        assert b.title.startswith("(4) "), b.title
    finally:
        b.quit()
        investor_page.quit()
