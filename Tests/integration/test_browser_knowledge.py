"""Issue 19 in a real browser (Debian's headless Chromium): the officer console's documents
panel, attachments and ratings, and the barometer page.

One server and one officer browser run through the module, in order:
(a) the officer uploads a real Word file (made with pandoc from Markdown with Vietnamese
    text and headings) in the console's documents panel, checks the preview, publishes it
    and sees it listed as published; /v1/search then finds a sentence of it;
(b) seed data (a session, an invite, an answer rated, the session ended, the survey
    answered with the invite code, all over HTTP and the protocol) — the /barometer page,
    reached from the console's header, shows the figures GET /v1/barometer gives, in
    Vietnamese too, prints without its controls, and its CSV link saves the server's CSV;
(c) the officer attaches a real PNG in a live session: the card appears in the console and
    its download gives the same bytes; an investor rates the assistant's answer and the
    officer sees the 👎 with the reason and the comment at once.
The pages are served from the working tree (--web-root). Screenshots go to SCREENSHOT_DIR.
"""

from __future__ import annotations

import asyncio
import shutil
import struct
import subprocess
import time
import urllib.parse
import zlib
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import console_errors, element, new_browser, screenshot, wait_until
from harness import AGENT_ID, REPO, Server, cid, investor, is_event, officer, run

WEB_ROOT = REPO / "Sources" / "DialogueServer" / "Web"

FAMILY = "hon-net-port"
DOC_ID = f"{FAMILY}.vi"
SENTENCE = "Bến cảng Hòn Nét thí điểm mô hình cảng xanh Kỳ Lân với ba cầu tàu nước sâu."
HEADINGS = ["Bến cảng Hòn Nét", "Kết nối giao thông", "Ưu đãi đầu tư"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("srv") / "data", ["--web-root", str(WEB_ROOT)])
    s.start()
    yield s
    s.stop()


class Officer:
    """The officer's browser (English), with downloads saved in a folder of the test."""

    def __init__(self, folder: Path):
        self.downloads = folder
        self.b = new_browser(1440, 960, "en")
        params = {"behavior": "allow", "downloadPath": str(folder)}
        try:
            self.b.execute_cdp_cmd("Browser.setDownloadBehavior", params)
        except Exception:  # an older driver: the page-level command
            self.b.execute_cdp_cmd("Page.setDownloadBehavior", params)

    def download(self, name: str, timeout: float = 20.0) -> bytes:
        path = self.downloads / name
        wait_until(lambda: path.exists() and path.stat().st_size > 0
                   and not any(p.suffix == ".crdownload" for p in self.downloads.iterdir()),
                   timeout, f"the download {name} (in {sorted(p.name for p in self.downloads.iterdir())})", self.b)
        return path.read_bytes()


@pytest.fixture(scope="module")
def staff(tmp_path_factory):
    o = Officer(tmp_path_factory.mktemp("downloads"))
    yield o
    o.b.quit()


def sign_in(b, srv: Server, hash_: str = ""):
    b.get(srv.url + "console" + hash_)
    element(b, "#token-input").send_keys(srv.officer_token)
    element(b, "#sign-in").click()
    element(b, "#view-console")


def make_docx(folder: Path) -> Path:
    """A real .docx, made by pandoc from Markdown with Vietnamese text and headings."""
    assert shutil.which("pandoc"), "the knowledge tests need pandoc (make deps)"
    markdown = folder / "hon-net.md"
    markdown.write_text(
        f"# {HEADINGS[0]}\n\n"
        f"{SENTENCE} Khu bến nằm trong Khu kinh tế Vân Đồn, cách sân bay quốc tế Vân Đồn khoảng 20 km.\n\n"
        f"## {HEADINGS[1]}\n\n"
        "Đường cao tốc Hạ Long – Vân Đồn nối bến cảng với Hà Nội và Hải Phòng.\n\n"
        f"## {HEADINGS[2]}\n\n"
        "- Miễn thuế thu nhập doanh nghiệp trong bốn năm đầu.\n"
        "- Giảm 50% số thuế phải nộp trong chín năm tiếp theo.\n",
        encoding="utf-8")
    docx = folder / "hon-net.docx"
    subprocess.run(["pandoc", str(markdown), "-o", str(docx)], check=True, timeout=60)
    assert docx.read_bytes()[:2] == b"PK", "pandoc wrote a zip (docx) file"
    return docx


def make_png(width: int = 12, height: int = 8) -> bytes:
    """A real PNG (8-bit RGB, a red square), written with zlib and struct."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes([196, 32, 44]) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


# --------------------------------------------------------------------------- (a) documents


def test_officer_uploads_previews_and_publishes_a_word_document(server, staff, tmp_path):
    b = staff.b
    docx = make_docx(tmp_path)
    sign_in(b, server)
    element(b, "#open-documents").click()
    element(b, "#docs-dialog[open]")
    wait_until(lambda: element(b, "#docs-agent").get_attribute("value") == AGENT_ID,
               what="the default pack in the panel", browser=b)
    # The pack's shipped documents, by family, each family with the languages it has.
    wait_until(lambda: b.find_elements(By.CSS_SELECTOR, '#docs-families [data-family="fdi-overview"] [data-document]'),
               what="the pack's documents by family", browser=b)
    fdi = element(b, '#docs-families [data-family="fdi-overview"] .doc-langs')
    assert set(fdi.get_attribute("data-present").split(",")) >= {"vi", "en"}

    element(b, "#docs-file").send_keys(str(docx))
    element(b, "#docs-family").send_keys(FAMILY)
    Select(element(b, "#docs-language")).select_by_value("vi")
    element(b, "#docs-doc-title").send_keys("Bến cảng Hòn Nét")
    element(b, "#docs-source").send_keys("Ban Quản lý Khu kinh tế Quảng Ninh")
    element(b, "#docs-date").send_keys("2025-06-30")
    element(b, "#docs-upload").click()

    # The preview: what the server read from the Word file, before anything is published.
    preview = element(b, "#docs-preview", timeout=30)
    assert preview.get_attribute("data-document") == DOC_ID
    version = int(preview.get_attribute("data-version"))
    assert SENTENCE in element(b, "#docs-preview-text").text
    sections = [li.text for li in b.find_elements(By.CSS_SELECTOR, "#docs-preview-sections li")]
    for heading in HEADINGS[1:]:
        assert any(heading in s for s in sections), (heading, sections)
    assert "Bến cảng Hòn Nét" in element(b, "#docs-preview-meta").text
    # Listed already, as a version awaiting publication.
    listed = element(b, f'#docs-families [data-document="{DOC_ID}"]')
    assert listed.get_attribute("data-published") == ""
    screenshot(b, "documents-preview")

    element(b, "#docs-publish").click()
    wait_until(lambda: b.find_element(By.ID, "docs-preview").get_attribute("hidden") is not None,
               what="the preview to close", browser=b)
    item = element(b, f'#docs-families [data-document="{DOC_ID}"][data-state="published"]')
    assert item.get_attribute("data-published") == str(version)
    assert item.get_attribute("data-origin") == "upload"
    family = element(b, f'#docs-families [data-family="{FAMILY}"] .doc-langs')
    assert family.get_attribute("data-present") == "vi"
    assert "en" in family.get_attribute("data-missing").split(",")
    item.find_element(By.CSS_SELECTOR, "summary").click()
    published = item.find_element(By.CSS_SELECTOR, f'[data-version="{version}"]')
    assert published.get_attribute("data-status") == "published"
    assert "hon-net.docx" in published.text
    assert published.find_element(By.CSS_SELECTOR, '[data-action="unpublish"]').is_displayed()
    screenshot(b, "documents-published")

    # The server agrees, and the assistant's search now finds the sentence.
    st, listing, _ = server.http("GET", f"/v1/agents/{AGENT_ID}/documents", server.officer_token)
    assert st == 200, listing
    [entry] = [d for d in listing["documents"] if d["id"] == DOC_ID]
    assert entry["published"] == version and entry["origin"] == "upload"
    query = urllib.parse.quote("cảng xanh Kỳ Lân Hòn Nét cầu tàu nước sâu")

    def found():
        st, js, _ = server.http("GET", f"/v1/search?q={query}&lang=vi&k=10&agent={AGENT_ID}", server.officer_token)
        assert st in (200, 503), js
        return st == 200 and next((r for r in js["results"] if r["document"] == DOC_ID), None)
    hit = wait_until(found, 30, "the published document in /v1/search")
    assert "Kỳ Lân" in hit["passage"], hit
    element(b, "#docs-close").click()
    assert console_errors(b) == []


# --------------------------------------------------------------------------- (b) barometer


def officer_rating(srv, sid: str, answer_seq: int) -> dict:
    """The `rating` event of an answer, as an officer's history holds it (ratings go to officers only)."""
    async def read():
        off, _ = await officer(srv)
        events = await off.join(sid)
        await off.close()
        return [e for e in events if e.get("kind") == "rating" and e.get("about") == answer_seq]
    [rating] = run(read())
    return rating


async def seed_rated_and_surveyed_meeting(srv: Server) -> dict:
    """A meeting whose investor asked, got an answer (automatic mode), rated it helpful, and,
    once the officer ended it, answered the survey with the invite code."""
    s = srv.create_session("Barometer — Vân Đồn logistics", assistant="auto")
    inv = srv.create_invite(s["id"], name="Nguyễn Thu Hà", language="en")
    ws, _, _ = await investor(srv, inv["code"], "en")
    ask = cid()
    ack = await ws.action({"type": "ask", "session": s["id"], "text": "How many FDI projects does Quang Ninh have?",
                           "clientId": ask})
    assert ack["type"] == "ack", ack
    answer = await ws.wait_for(is_event("answer", about=ack["seq"]), timeout=30)
    rated = await ws.action({"type": "rate", "session": s["id"], "seq": answer["seq"], "rating": "helpful",
                             "clientId": cid()})
    assert rated["type"] == "ack", rated  # ratings themselves are for officers
    await ws.close()
    off, _ = await officer(srv, join=s["id"])
    await off.send({"type": "end", "session": s["id"]})
    await off.wait_for(is_event("ended"), timeout=10)
    await off.close()
    st, survey, _ = srv.http("GET", "/v1/survey", inv["code"])
    assert st == 200, survey
    answers = {}
    for n, q in enumerate(survey["questions"]):
        answers[q["id"]] = [4, 5, 3, 4, 5][n % 5] if q["kind"] == "scale" else "Rất hữu ích, cảm ơn Ban."
    st, body, _ = srv.http("POST", "/v1/survey", inv["code"], {"answers": answers})
    assert st == 201, body
    return {"session": s, "invite": inv, "answers": answers}


def figures_shown(b) -> dict:
    """The table and totals as the page shows them (data-value: the number behind the text)."""
    rows = {}
    for row in b.find_elements(By.CSS_SELECTOR, "#figures-body tr[data-key]"):
        rows[row.get_attribute("data-key")] = {
            td.get_attribute("data-field"): td.get_attribute("data-value")
            for td in row.find_elements(By.CSS_SELECTOR, "td[data-field]")}
    totals = {d.get_attribute("data-total"): d.find_element(By.TAG_NAME, "dd").get_attribute("data-value")
              for d in b.find_elements(By.CSS_SELECTOR, "#totals [data-total]")}
    return {"rows": rows, "totals": totals}


def number_or_blank(value) -> str | float:
    return "" if value is None else float(value)


def test_barometer_shows_the_servers_figures_in_two_languages(server, staff):
    b = staff.b
    run(seed_rated_and_surveyed_meeting(server))

    b.get(server.url + "console")
    element(b, "#view-console")  # the token is still in this tab
    element(b, "#barometer-link").click()
    wait_until(lambda: b.current_url.split("#")[0].endswith("/barometer"), what="the barometer page", browser=b)
    element(b, "#figures-body tr[data-key]")
    assert server.officer_token not in b.current_url

    href = element(b, "#csv-link").get_attribute("href")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(href).query))
    assert query.pop("format") == "csv" and set(query) == {"from", "to", "group"} and query["group"] == "month"
    path = "/v1/barometer?" + urllib.parse.urlencode(query)
    st, data, _ = server.http("GET", path, server.officer_token)
    assert st == 200, data
    assert data["totals"]["responses"] >= 1 and data["totals"]["invited"] >= 1, data

    shown = figures_shown(b)
    assert set(shown["rows"]) == {str(g["key"]) for g in data["groups"]}
    for g in data["groups"]:
        row = shown["rows"][str(g["key"])]
        for field in ("invited", "responses", "responseRate"):
            assert number_or_blank(row[field] or None) == number_or_blank(g[field]), (field, row, g)
        for dim in data["dimensions"]:
            value = g["scores"].get(dim["id"])
            assert number_or_blank(row[f"score:{dim['id']}"] or None) == number_or_blank(value), (dim, row, g)
    for key, value in data["totals"].items():
        if key in shown["totals"]:
            assert number_or_blank(shown["totals"][key] or None) == number_or_blank(value), (key, shown, data)
    # What people read matches too: the month's responses and the first dimension's score.
    month = next(g for g in data["groups"] if g["responses"])
    cells = element(b, f'#figures-body tr[data-key="{month["key"]}"]')
    assert cells.find_element(By.CSS_SELECTOR, '[data-field="responses"]').text == str(month["responses"])
    first = data["dimensions"][0]
    score_cell = cells.find_element(By.CSS_SELECTOR, f'[data-field="score:{first["id"]}"]')
    assert score_cell.text == f'{month["scores"][first["id"]]:.2f}'
    # The charts: an image with a text alternative each, one bar per score given.
    charts = b.find_elements(By.CSS_SELECTOR, '.chart svg[role="img"]')
    assert len(charts) == 2 and all(c.get_attribute("aria-label") for c in charts)
    dims = {d["id"] for d in data["dimensions"]} | {"overall"}
    bars = b.find_elements(By.CSS_SELECTOR, "#scores-chart rect.bar")
    assert len(bars) == sum(1 for g in data["groups"] for k, v in g["scores"].items()
                            if k in dims and isinstance(v, (int, float)))
    # Documents rated, and gaps, as listed by the server.
    assert [e.get_attribute("data-document") for e in b.find_elements(By.CSS_SELECTOR, "#documents [data-document]")] \
        == [d["document"] for d in data["documents"]]
    assert len(data["documents"]) >= 1 and data["totals"]["ratings"] >= 1
    assert len(b.find_elements(By.CSS_SELECTOR, "#gaps li")) == len(data["gaps"])
    screenshot(b, "barometer-en")

    # Vietnamese: the chrome from the page's strings, the dimensions from the server's labels.
    Select(element(b, "#barometer-lang")).select_by_value("vi")
    wait_until(lambda: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi", what="the page in Vietnamese")
    assert element(b, "#title").text == "Chỉ số hài lòng của nhà đầu tư"
    for dim in data["dimensions"]:
        th = element(b, f'#figures-head th[data-column="{dim["id"]}"]')
        assert th.text == dim["label"]["vi"], (th.text, dim)
    assert "Tỷ lệ trả lời" in element(b, "#figures-head").text
    score_cell = element(b, f'#figures-body tr[data-key="{month["key"]}"] [data-field="score:{first["id"]}"]')
    assert score_cell.text == f'{month["scores"][first["id"]]:.2f}'.replace(".", ",")
    screenshot(b, "barometer-vi")

    # Printed: no controls, the table and both charts within an A4 page's width.
    b.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not b.find_element(By.ID, "filters").is_displayed()
        assert not b.find_element(By.CSS_SELECTOR, ".topbar-tools").is_displayed()
        assert b.find_element(By.ID, "figures").is_displayed()
    finally:
        b.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    # The CSV link saves the server's CSV (fetched with the token, never in the address).
    st, csv_text, headers = server.http("GET", path + "&format=csv", server.officer_token)
    assert st == 200 and "text/csv" in headers.get("Content-Type", ""), (st, headers)
    name = f'barometer_{query["from"]}_{query["to"]}_{query["group"]}.csv'
    element(b, "#csv-link").click()
    saved = staff.download(name)
    assert saved.decode("utf-8") == csv_text
    assert len([line for line in csv_text.splitlines() if line.strip()]) == len(data["groups"]) + 1
    assert console_errors(b) == []


# --------------------------------------------------------------------------- (c) attachments, ratings


def test_officer_attaches_a_picture_and_sees_the_investors_rating(server, staff, tmp_path):
    b = staff.b
    s = server.create_session("Hòn Nét port — Sato Logistics", assistant="auto")
    inv = server.create_invite(s["id"], name="Sato Haruki", language="en")
    b.get(server.url + "console#" + s["id"])
    element(b, '#conn-status[data-state="live"]')

    png = make_png()
    picture = tmp_path / "hon-net-site-plan.png"
    picture.write_bytes(png)
    b.find_element(By.ID, "attach-input").send_keys(str(picture))
    card = element(b, "#events .msg.attachment .attachment-card", timeout=20)
    assert "hon-net-site-plan.png" in card.text
    assert "PNG" in card.text
    assert card.get_attribute("data-type") == "image/png"
    screenshot(b, "attachment-card")
    card.find_element(By.CSS_SELECTOR, '[data-action="download"]').click()
    assert staff.download("hon-net-site-plan.png") == png

    # The investor asks, the assistant answers, the investor rates the answer: the officer
    # sees the rating on that answer as it happens.
    # (The console reads the language the barometer was last switched to: both pages share it.)
    language = b.find_element(By.TAG_NAME, "html").get_attribute("lang")
    st, reasons, _ = server.http("GET", f"/v1/rating-reasons?language={language}")
    assert st == 200 and reasons["reasons"], reasons
    reason = reasons["reasons"][0]
    comment = "The figure for 2024 is missing."

    async def investor_rates():
        ws, _, history = await investor(server, inv["code"], "en")
        assert any(e.get("kind") == "attachment" for e in history), "the investor has the attachment too"
        ack = await ws.action({"type": "ask", "session": s["id"], "clientId": cid(),
                               "text": "What FDI capital did Quang Ninh attract in 2024?"})
        assert ack["type"] == "ack", ack
        answer = await ws.wait_for(is_event("answer", about=ack["seq"]), timeout=30)
        await asyncio.sleep(0.5)
        rated = await ws.action({"type": "rate", "session": s["id"], "seq": answer["seq"], "rating": "unhelpful",
                                 "reason": reason["id"], "comment": comment, "clientId": cid()})
        assert rated["type"] == "ack", rated
        await ws.close()
        return answer
    answer = run(investor_rates())
    rating = officer_rating(server, s["id"], answer["seq"])
    assert rating["rating"] == "unhelpful" and rating["comment"] == comment

    badge = element(b, f'#events li[data-seq="{answer["seq"]}"] .rating-badge[data-rating="unhelpful"]')
    assert "👎" in badge.text and comment in badge.text and reason["text"] in badge.text, badge.text
    assert comment in badge.get_attribute("title") and "Sato Haruki" in badge.text
    screenshot(b, "rating-badge")
    assert console_errors(b) == []
