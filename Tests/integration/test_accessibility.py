"""Accessibility of every page, audited with axe-core in a real browser (Debian's headless
Chromium, axe-core from the `axe-selenium-python` package).

One server (pages of the working tree, `--web-root`) and one browser serve the whole module.
Two meetings are seeded over HTTP and the protocol, with the shipped agent pack answering
(`assistant="auto"`, no model needed):
  - a live one, with an officer's message and, for each audited language, an investor of
    that language who asked the assistant a question and got its answer;
  - an ended one (officer's message, a question, its answer rated helpful, the survey
    answered by that investor), with one unanswered survey invite per audited language.

Audited, each in the six interface languages (en, vi, fr, ja, ko, zh): the landing page, /join before and after
joining the live meeting (and on a 390×844 phone with a message's terms listed), /request,
/survey of the ended meeting, /console signed out and signed in with the live meeting open
(and with terms listed, a share preview and the shortcuts dialog open), /review signed in
with the ended meeting's transcript open, and /barometer signed in. The investor pages take their language from localStorage
`ipa.lang` (the survey from its invite's language), the staff pages from `ipa.staffLang`.

A page fails on any violation of impact "serious" or "critical"; the failure lists every
violation (any impact) with its rule, impact, help text and up to five target selectors.
Each audit's full result is also saved as JSON under A11Y_REPORT_DIR (default
/tmp/dialogue-a11y). AXE_CORE_JS may name another axe.min.js to run instead of the packaged one.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from selenium.webdriver.common.by import By

from browser import element, new_browser, wait_until
from harness import REPO, Server, cid, investor, is_event, officer, run

WEB_ROOT = REPO / "Sources" / "DialogueServer" / "Web"
REPORT_DIR = Path(os.environ.get("A11Y_REPORT_DIR") or "/tmp/dialogue-a11y")
LANGUAGES = ("en", "vi", "fr", "ja", "ko", "zh")
FAILING_IMPACTS = ("critical", "serious")
IMPACT_ORDER = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
SHOWN_NODES = 5

QUESTIONS = {
    "en": "What was the FDI attracted by Quảng Ninh in 2024?",
    "vi": "Quảng Ninh thu hút bao nhiêu vốn FDI năm 2024?",
    "ja": "2024年にクアンニン省が誘致したFDIはいくらですか？",
    "fr": "Combien d'IDE la province de Quảng Ninh a-t-elle attirés en 2024 ?",
    "ko": "2024년에 꽝닌성이 유치한 FDI는 얼마입니까?",
    "zh": "2024年广宁省吸引了多少外国直接投资？",
}


# --------------------------------------------------------------------------- the audit


def axe_script() -> str:
    """axe-core's source: AXE_CORE_JS, else axe-selenium-python's from its 3.0 (axe-core 4.10,
    Python 3.12+), else axe-core-python's (axe-core 4.4). axe-selenium-python 2.x's axe-core
    3.1 is not used: it misreports valid markup (requirements.txt)."""
    if os.environ.get("AXE_CORE_JS"):
        return Path(os.environ["AXE_CORE_JS"]).read_text(encoding="utf-8")
    from importlib import metadata, util
    try:
        if int(metadata.version("axe-selenium-python").split(".")[0]) >= 3:
            spec = util.find_spec("axe_selenium_python")
            found = sorted(Path(spec.origin).parent.rglob("axe.min.js"))
            if found:
                return found[0].read_text(encoding="utf-8")
    except metadata.PackageNotFoundError:
        pass
    spec = util.find_spec("axe_core_python")
    assert spec, "the accessibility audit needs axe-selenium-python or axe-core-python (make test-deps)"
    return (Path(spec.origin).parent / "axe.min.js").read_text(encoding="utf-8")


AXE_SOURCE = axe_script()


def axe_violations(b) -> list[dict]:
    """axe-core's violations on the page as it is now (every rule the engine runs by default)."""
    b.execute_script(AXE_SOURCE)
    results = b.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(done, (e) => done({error: String(e)}));")
    assert isinstance(results, dict) and "violations" in results, f"axe did not run: {results!r}"
    return sorted(results["violations"], key=lambda v: (IMPACT_ORDER.get(v.get("impact"), 9), v["id"]))


def describe(violations: list[dict], nodes: int = SHOWN_NODES) -> str:
    """One paragraph per violation: rule, impact, help, and the first `nodes` targets."""
    lines = []
    for v in violations:
        lines.append(f"[{v.get('impact')}] {v['id']}: {v.get('help')} ({len(v['nodes'])} node(s))")
        for node in v["nodes"][:nodes]:
            lines.append(f"    {' > '.join(str(t) for t in node.get('target', []))}")
        if len(v["nodes"]) > nodes:
            lines.append(f"    … and {len(v['nodes']) - nodes} more")
    return "\n".join(lines)


def save_report(label: str, url: str, violations: list[dict]):
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    slim = [{"id": v["id"], "impact": v.get("impact"), "help": v.get("help"), "helpUrl": v.get("helpUrl"),
             "nodes": [{"target": n.get("target"), "html": n.get("html"), "summary": n.get("failureSummary")}
                       for n in v["nodes"]]} for v in violations]
    (REPORT_DIR / f"{label}.json").write_text(json.dumps({"url": url, "violations": slim}, ensure_ascii=False, indent=2))


def assert_accessible(b, label: str) -> list[dict]:
    """Audits the current page; fails when a violation is serious or critical, listing all."""
    violations = axe_violations(b)
    save_report(label, b.current_url, violations)
    failing = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
    assert not failing, (
        f"{label}: {len(failing)} serious/critical accessibility violation(s) "
        f"({len(violations)} in all) at {b.current_url}\n{describe(violations)}")
    return violations


# --------------------------------------------------------------------------- seed data


@dataclass
class Site:
    server: Server
    browser: object
    live: dict  # the live meeting
    live_invites: dict  # language -> invite (that investor asked a question)
    ended: dict  # the ended meeting
    survey_invites: dict  # language -> invite whose survey is unanswered


async def seed_live(srv: Server) -> tuple[dict, dict]:
    s = srv.create_session("Vân Đồn — logistics land", assistant="auto")
    invites = {lang: srv.create_invite(s["id"], name=name, language=lang)
               for lang, name in (("en", "Emma Clarke"), ("vi", "Nguyễn Thu Hà"), ("fr", "Claire Dupont"),
                                  ("ja", "Sato Haruki"), ("ko", "Kim Min-jun"), ("zh", "Li Wei"))}
    off, _ = await officer(srv, join=s["id"])
    said = await off.say(s["id"], "Chào mừng Quý vị. Welcome to the meeting — the assistant answers from our documents.")
    assert said["type"] == "ack", said
    for lang, inv in invites.items():
        ws, _, _ = await investor(srv, inv["code"], lang)
        ack = await ws.action({"type": "ask", "session": s["id"], "text": QUESTIONS[lang], "clientId": cid()})
        assert ack["type"] == "ack", ack
        await ws.wait_for(is_event("answer", about=ack["seq"]), timeout=30)
        await ws.close()
    await off.close()
    return s, invites


async def seed_ended(srv: Server) -> tuple[dict, dict]:
    s = srv.create_session("Hòn Nét port — survey", assistant="auto")
    asker = srv.create_invite(s["id"], name="Kim Min-jun", language="en")
    invites = {lang: srv.create_invite(s["id"], name=f"Survey reader {lang}", language=lang) for lang in LANGUAGES}
    off, _ = await officer(srv, join=s["id"])
    await off.say(s["id"], "Thank you for coming; the port's figures follow.")
    ws, _, _ = await investor(srv, asker["code"], "en")
    ack = await ws.action({"type": "ask", "session": s["id"], "text": "How many FDI projects does Quang Ninh have?",
                           "clientId": cid()})
    assert ack["type"] == "ack", ack
    answer = await ws.wait_for(is_event("answer", about=ack["seq"]), timeout=30)
    rated = await ws.action({"type": "rate", "session": s["id"], "seq": answer["seq"], "rating": "helpful",
                             "clientId": cid()})
    assert rated["type"] == "ack", rated
    await ws.close()
    for lang, inv in invites.items():  # the survey is for investors who took part
        reader, _, _ = await investor(srv, inv["code"], lang)
        await reader.close()
    since = off.mark()
    await off.send({"type": "end", "session": s["id"]})
    await off.wait_for(is_event("ended"), timeout=10, since=since)
    await off.close()
    st, survey, _ = srv.http("GET", "/v1/survey", asker["code"])
    assert st == 200, survey
    answers = {q["id"]: (4 if q["kind"] == "scale" else "Rất hữu ích, cảm ơn Ban.") for q in survey["questions"]}
    st, body, _ = srv.http("POST", "/v1/survey", asker["code"], {"answers": answers})
    assert st == 201, body
    return s, invites


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("srv") / "data", ["--web-root", str(WEB_ROOT)])
    srv.start()
    b = None
    try:
        live, live_invites = run(seed_live(srv))
        ended, survey_invites = run(seed_ended(srv))
        b = new_browser(1366, 900, "en")
        b.set_script_timeout(60)
        yield Site(srv, b, live, live_invites, ended, survey_invites)
    finally:
        if b is not None:
            b.quit()
        srv.stop()


# --------------------------------------------------------------------------- opening the pages


def fresh_tab(site: Site, lang: str, staff_token: str | None = None):
    """Forgets what earlier pages kept (storage of this origin), then sets the language both
    kinds of page read, and the staff token when the page is to be signed in."""
    b = site.browser
    b.get(site.server.url + "healthz")
    b.execute_script(
        "localStorage.clear(); sessionStorage.clear();"
        "localStorage.setItem('ipa.lang', arguments[0]); localStorage.setItem('ipa.staffLang', arguments[0]);"
        "if (arguments[1]) sessionStorage.setItem('ipa.staffToken', arguments[1]);",
        lang, staff_token or "")


def rendered_in(b, lang: str, css: str, what: str):
    """The page is drawn (`css` visible) in `lang`."""
    element(b, css, timeout=20)
    wait_until(lambda: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang,
               what=f"{what} in {lang} (html lang is "
                    f"{b.find_element(By.TAG_NAME, 'html').get_attribute('lang')!r})", browser=b)


def count_at_least(b, css: str, n: int, what: str):
    wait_until(lambda: len(b.find_elements(By.CSS_SELECTOR, css)) >= n, timeout=20, what=what, browser=b)


def open_landing(site: Site, lang: str):
    b = site.browser
    fresh_tab(site, lang)
    b.get(site.server.url)
    rendered_in(b, lang, "#main h1", "the landing page")
    count_at_least(b, "#lang-switch a, #lang-switch button", 2, "the language switch")


def open_join_before(site: Site, lang: str):
    b = site.browser
    fresh_tab(site, lang)
    b.get(site.server.url + "join#" + site.live_invites[lang]["code"])
    rendered_in(b, lang, "#view-prejoin #join-button", "the join page before joining")
    element(b, "#invitation")  # the invitation's answers under the button (live meeting)


def open_join_after(site: Site, lang: str):
    b = site.browser
    fresh_tab(site, lang)
    b.get(site.server.url + "join#" + site.live_invites[lang]["code"])
    element(b, "#join-button", timeout=20).click()
    element(b, '#conn[data-state="live"]', timeout=20)
    rendered_in(b, lang, "#composer-text", "the meeting")
    count_at_least(b, "#events .msg.answer", len(LANGUAGES), "the assistant's answers")
    count_at_least(b, "#events .msg.question", len(LANGUAGES), "the investors' questions")
    element(b, "#events .msg.question.mine .rate button")  # this reader's answer can be rated


def open_request(site: Site, lang: str):
    b = site.browser
    fresh_tab(site, lang)
    b.get(site.server.url + "request")
    rendered_in(b, lang, "#form-title", "the request form")
    wait_until(lambda: len(b.find_elements(By.CSS_SELECTOR, "#topic option")) > 3, what="the desks as topics", browser=b)


def open_survey(site: Site, lang: str):
    b = site.browser
    fresh_tab(site, lang)
    b.get(site.server.url + "survey#" + site.survey_invites[lang]["code"])
    rendered_in(b, lang, "#view-form #survey-submit", "the survey form")
    count_at_least(b, "#survey-questions fieldset, #survey-questions textarea", 2, "the survey's questions")


def open_console_signed_out(site: Site, lang: str):
    b = site.browser
    fresh_tab(site, lang)
    b.get(site.server.url + "console")
    rendered_in(b, lang, "#view-signin #token-input", "the console's sign-in form")


def open_console_signed_in(site: Site, lang: str):
    b = site.browser
    fresh_tab(site, lang, site.server.officer_token)
    b.get(site.server.url + "console#" + site.live["id"])
    element(b, '#conn-status[data-state="live"]', timeout=20)
    rendered_in(b, lang, "#view-console #conv-title", "the console with the meeting open")
    count_at_least(b, "#session-list [data-session]", 2, "the sessions")
    count_at_least(b, "#log #events .msg.answer", len(LANGUAGES), "the meeting's messages")


def open_review(site: Site, lang: str):
    b = site.browser
    fresh_tab(site, lang, site.server.reviewer_token)
    b.get(site.server.url + "review#" + site.ended["id"])
    rendered_in(b, lang, "#transcript-view #transcript-title", "the review page with a transcript open")
    count_at_least(b, "#transcript > li", 3, "the transcript's events")
    wait_until(lambda: b.find_element(By.ID, "verify-status").get_attribute("data-ok") in ("true", "false"),
               what="the verification", browser=b)
    count_at_least(b, "#session-list [data-session]", 2, "the sessions")


def open_barometer(site: Site, lang: str):
    b = site.browser
    fresh_tab(site, lang, site.server.officer_token)
    b.get(site.server.url + "barometer")
    rendered_in(b, lang, "#view-barometer #figures-body tr[data-key]", "the barometer's figures")
    count_at_least(b, '.chart svg[role="img"]', 2, "the charts")


def open_join_on_a_phone(site: Site, lang: str):
    """The meeting on a 390×844 phone, a message's terms listed, a banner dismissed if any."""
    b = site.browser
    b.set_window_size(390, 844)
    try:
        open_join_after(site, lang)
        terms = b.find_elements(By.CSS_SELECTOR, "#events .terms-toggle")
        if terms:
            b.execute_script("arguments[0].click()", terms[0])
            element(b, "#events .terms-box[open] .terms-list")
        b.execute_script("document.getElementById('notice').open = true")
    except Exception:
        b.set_window_size(1366, 900)
        raise


def open_console_workspace(site: Site, lang: str):
    """The console with a message's terms listed, a passage's share preview open, then the
    keyboard shortcuts' dialog over it all."""
    b = site.browser
    open_console_signed_in(site, lang)
    terms = b.find_elements(By.CSS_SELECTOR, "#events .terms-toggle")
    if terms:
        b.execute_script("arguments[0].click()", terms[0])
    element(b, "#search-input").send_keys("Vân Đồn")
    element(b, "#search-go").click()
    share = wait_until(lambda: b.find_elements(By.CSS_SELECTOR, '#search-results [data-action="share"]:not([disabled])'),
                       timeout=20, what="a passage to share", browser=b)[0]
    b.execute_script("arguments[0].click()", share)
    element(b, "#search-results textarea.share-text")
    b.execute_script("document.getElementById('log').focus()")
    b.switch_to.active_element.send_keys("?")
    wait_until(lambda: b.find_element(By.ID, "shortcuts-dialog").get_attribute("open") is not None,
               what="the shortcuts dialog", browser=b)


PAGES: dict[str, Callable[[Site, str], None]] = {
    "landing": open_landing,
    "join-before": open_join_before,
    "join-after": open_join_after,
    "request": open_request,
    "survey": open_survey,
    "console-signed-out": open_console_signed_out,
    "console-signed-in": open_console_signed_in,
    "console-workspace": open_console_workspace,
    "join-phone": open_join_on_a_phone,
    "review": open_review,
    "barometer": open_barometer,
}


# --------------------------------------------------------------------------- tests


BROKEN_PAGE = ('<!doctype html><html lang="en"><head><title>Broken on purpose</title></head><body><main>'
               '<h1>Broken on purpose</h1>'
               '<img id="no-alt" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
               '<button id="no-name" type="button"></button>'
               '</main></body></html>')


def test_the_audit_fails_on_a_page_with_serious_violations(site):
    """The helper itself: an image without alt text and a button without a name must fail."""
    b = site.browser
    b.get("data:text/html;charset=utf-8," + urllib.parse.quote(BROKEN_PAGE))
    element(b, "#no-name")
    with pytest.raises(AssertionError) as failure:
        assert_accessible(b, "self-test-broken")
    message = str(failure.value)
    for rule, target in (("image-alt", "#no-alt"), ("button-name", "#no-name")):
        assert f"{rule}:" in message and target in message, message
    assert "[critical]" in message, message
    # And a page without faults passes.
    b.get("data:text/html;charset=utf-8," + urllib.parse.quote(
        BROKEN_PAGE.replace('src=', 'alt="A dot" src=').replace("></button>", ">Send</button>")))
    element(b, "#no-name")
    assert [v for v in assert_accessible(b, "self-test-fixed") if v.get("impact") in FAILING_IMPACTS] == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", list(PAGES))
def test_the_page_has_no_serious_accessibility_violation(site, page, lang):
    try:
        PAGES[page](site, lang)
        assert_accessible(site.browser, f"{page}-{lang}")
    finally:
        site.browser.set_window_size(1366, 900)
