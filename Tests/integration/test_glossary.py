"""The translation-glossary layer (issue 4): live `terms` per reader language, the glossary
API with versions, transcripts rendered for a chosen language, broken glossaries refused.

Expected translations are worked out here from the pack's glossary.tsv with the contract's
rules (section 6), independently of the server's code.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from harness import AGENTS, AGENT_ID, BIN, assert_http_error, investor, officer, reviewer, run

GLOSSARY = Path(AGENTS) / AGENT_ID / "glossary.tsv"


# --------------------------------------------------------------------------- the oracle


def load_glossary(text: str) -> tuple[list[str], list[dict]]:
    lines = text.splitlines()
    header = lines[0].split("\t")
    concepts = []
    for line in lines[1:]:
        if not line.strip():
            continue
        cells = dict(zip(header, line.split("\t")))
        forms = {c: [f.strip() for f in cells[c].split("|")] for c in header
                 if c not in ("id", "keep", "note") and cells.get(c, "").strip()}
        concepts.append({"id": cells.get("id", ""), "keep": cells.get("keep", "") == "1", "forms": forms})
    return [c for c in header if c not in ("id", "keep", "note")], concepts


LANGUAGES, CONCEPTS = load_glossary(GLOSSARY.read_text(encoding="utf-8"))
BY_ID = {c["id"]: c for c in CONCEPTS}


def approved(concept: dict, reader: str) -> str:
    """Contract section 6: the reader's column; for `keep` names else vi, else the first."""
    forms = concept["forms"]
    if reader in forms:
        return forms[reader][0]
    for fallback in (["vi"] if concept["keep"] else ["en", "vi"]):
        if fallback in forms:
            return forms[fallback][0]
    return next(iter(forms.values()))[0]


def concept_named(language: str, form: str) -> dict:
    for c in CONCEPTS:
        if form in c["forms"].get(language, []):
            return c
    raise AssertionError(f"the pack's glossary has no {language} form {form!r}")


def utf16_span(text: str, part: str) -> tuple[int, int]:
    i = text.index(part)
    start = len(text[:i].encode("utf-16-le")) // 2
    return start, start + len(part.encode("utf-16-le")) // 2


async def event_at(ws, seq: int, session: str) -> dict:
    """The event with this seq, once seen (live or in history)."""
    await ws.wait_seq(seq, session)
    return [e for e in ws.events(session) if e.get("seq") == seq][-1]


def term_for(event: dict, concept_id: str) -> dict:
    found = [t for t in event.get("terms", []) if t["concept"] == concept_id]
    assert len(found) == 1, f"expected one term {concept_id} in {event.get('terms')!r}"
    return found[0]


def check_term(event: dict, concept: dict, as_written: str, reader: str):
    term = term_for(event, concept["id"])
    assert term["text"] == as_written
    start, end = utf16_span(event["text"], as_written)
    assert (term["start"], term["end"]) == (start, end)
    assert term["translation"] == approved(concept, reader), (reader, term)


# --------------------------------------------------------------------------- the pack's glossary


def test_the_pack_glossary_is_large_and_complete():
    assert len(CONCEPTS) >= 200
    assert set(LANGUAGES) >= {"vi", "en", "fr", "ja", "ko", "zh"}
    for c in CONCEPTS:
        if not c["keep"]:
            missing = {"vi", "en", "fr", "ja", "ko", "zh"} - set(c["forms"])
            assert not missing, f"{c['id']}: a term needs all six languages, missing {missing}"
    for required in ("industrial-park", "economic-zone", "land-lease", "land-tax", "site-clearance",
                     "investment-incentive", "post-investment-support"):
        assert required in BY_ID


# --------------------------------------------------------------------------- live terms


def test_readers_in_three_languages_get_terms_in_their_own(server):
    park = BY_ID["industrial-park"]
    zone = BY_ID["economic-zone"]
    vi_park = park["forms"]["vi"][0]
    vi_zone = zone["forms"]["vi"][0]
    text = f"Xin giới thiệu {vi_park} và {vi_zone} của tỉnh."
    s = server.create_session("Glossary live")
    inv_ja = server.create_invite(s["id"], name="Sato", language="ja")
    inv_ko = server.create_invite(s["id"], name="Kim", language="ko")

    async def go():
        off = await officer(server, join=s["id"])
        off_ws = off[0]
        ja, _, _ = await investor(server, inv_ja["code"], "ja")
        ko, _, _ = await investor(server, inv_ko["code"], "ko")
        rev, _ = await reviewer(server, join=s["id"])
        ack = await off_ws.say(s["id"], text, language="vi")
        assert ack["type"] == "ack"
        for ws, reader in ((ja, "ja"), (ko, "ko"), (rev, "en"), (off_ws, "en")):
            ev = await event_at(ws, ack["seq"], s["id"])
            assert ev["text"] == text and ev["language"] == "vi"
            assert isinstance(ev.get("glossary"), int)
            check_term(ev, park, vi_park, reader)
            check_term(ev, zone, vi_zone, reader)
        # A Japanese investor writes Japanese; the Vietnamese-speaking officer reads it.
        ja_park = park["forms"]["ja"][0]
        ack = await ja.say(s["id"], f"{ja_park}の用地について教えてください")
        assert ack["type"] == "ack"
        for ws, reader in ((ko, "ko"), (off_ws, "en"), (ja, "ja")):
            ev = await event_at(ws, ack["seq"], s["id"])
            assert ev["language"] == "ja"
            check_term(ev, park, ja_park, reader)
        for ws in (off_ws, ja, ko, rev):
            await ws.close()
    run(go())


def test_terms_found_without_diacritics_in_any_case_and_in_history(server):
    park = BY_ID["industrial-park"]
    en_park = park["forms"]["en"][0]
    vi_park = park["forms"]["vi"][0]
    plain = unicodedata.normalize("NFD", vi_park)
    plain = "".join(ch for ch in plain if unicodedata.category(ch) != "Mn").replace("đ", "d").upper()
    s = server.create_session("Glossary folding")
    inv = server.create_invite(s["id"], name="Dupont", language="fr")
    late = server.create_invite(s["id"], name="Wang", language="zh")

    async def go():
        ws, _, _ = await investor(server, inv["code"], "fr")
        a1 = await ws.say(s["id"], f"Le {plain} est-il ouvert ?", language="fr")
        a2 = await ws.say(s["id"], f"What about the {en_park.upper()}? And a report, not a port.",
                          language="en")
        a3 = await ws.say(s["id"], unicodedata.normalize("NFD", f"{vi_park} ở đâu?"), language="vi")
        ev1 = await event_at(ws, a1["seq"], s["id"])
        check_term(ev1, park, plain, "fr")
        ev2 = await event_at(ws, a2["seq"], s["id"])
        check_term(ev2, park, en_park.upper(), "fr")
        ev3 = await event_at(ws, a3["seq"], s["id"])
        check_term(ev3, park, unicodedata.normalize("NFD", vi_park), "fr")
        # A reader who arrives later gets the same terms, in its own language, in history.
        zh, _, history = await investor(server, late["code"], "zh")
        by_seq = {e["seq"]: e for e in history}
        check_term(by_seq[a1["seq"]], park, plain, "zh")
        check_term(by_seq[a3["seq"]], park, unicodedata.normalize("NFD", vi_park), "zh")
        # Events without text carry no terms; events with text always do, [] when none.
        assert all("terms" not in e for e in history if e["kind"] in ("joined", "left"))
        a4 = await ws.say(s["id"], "Bonjour à tous", language="fr")
        assert (await event_at(zh, a4["seq"], s["id"]))["terms"] == []
        await ws.close()
        await zh.close()
    run(go())


def test_the_message_language_follows_hello_unless_the_script_says_otherwise(server):
    s = server.create_session("Glossary languages")
    inv = server.create_invite(s["id"], name="Lee", language="en")

    async def go():
        ws, _, _ = await investor(server, inv["code"], "en")
        a1 = await ws.say(s["id"], "Where is the land office?")
        a2 = await ws.say(s["id"], "산업단지에 투자하고 싶습니다")
        a3 = await ws.say(s["id"], "Xin chào", language="vi")
        assert (await event_at(ws, a1["seq"], s["id"]))["language"] == "en"
        assert (await event_at(ws, a2["seq"], s["id"]))["language"] == "ko"
        assert (await event_at(ws, a3["seq"], s["id"]))["language"] == "vi"
        await ws.close()
    run(go())


# --------------------------------------------------------------------------- API and versions


def test_glossary_get_put_versions_and_restart(server_factory, tmp_path):
    agents = tmp_path / "agents"
    shutil.copytree(AGENTS, agents)
    srv = server_factory("--agents", str(agents))
    tok = srv.officer_token
    st, body, headers = srv.http("GET", f"/v1/glossary?agent={AGENT_ID}", tok)
    assert st == 200
    original = body if isinstance(body, str) else body.decode()
    assert original == GLOSSARY.read_text(encoding="utf-8")
    assert headers.get("X-Glossary-Version") == "1"
    assert headers.get("Content-Type", "").startswith("text/tab-separated-values")

    # A broken upload is refused whole, naming the line; nothing changes.
    header = original.splitlines()[0]
    columns = header.count("\t") + 1
    broken = original + "bad-line\tonly two cells\n"
    bad_line = len(original.splitlines()) + 1
    st, js, _ = srv.http("PUT", f"/v1/glossary?agent={AGENT_ID}", tok, raw=broken.encode(),
                         headers={"Content-Type": "text/tab-separated-values"})
    assert_http_error(st, js, 400, "bad_request")
    assert f"line {bad_line}" in js["error"]["message"] and f"expected {columns}" in js["error"]["message"]
    # Dropping a concept the hand-over rules use is refused too.
    used = [l for l in original.splitlines()[1:] if l.split("\t")[0] == "land-lease"]
    if used:
        st, js, _ = srv.http("PUT", f"/v1/glossary?agent={AGENT_ID}", tok,
                             raw=original.replace(used[0] + "\n", "").encode())
        assert_http_error(st, js, 400, "bad_request")
        assert "land-lease" in js["error"]["message"]
    # A reviewer may read but not replace.
    st, js, _ = srv.http("PUT", f"/v1/glossary?agent={AGENT_ID}", srv.reviewer_token, raw=original.encode())
    assert_http_error(st, js, 403, "forbidden")
    st, _, headers = srv.http("GET", f"/v1/glossary?agent={AGENT_ID}", srv.reviewer_token)
    assert st == 200 and headers.get("X-Glossary-Version") == "1"

    s = srv.create_session("Glossary versions")
    names = ["vi", "en", "fr", "ja", "ko", "zh"]
    cells = {"id": "test-harbour", "keep": "", "note": "added by a test",
             "vi": "bến thử nghiệm", "en": "test harbour|trial harbour", "fr": "port d’essai",
             "ja": "試験港", "ko": "시험항", "zh": "试验港"}
    new_line = "\t".join(cells.get(c, "") for c in header.split("\t"))
    assert all(n in header.split("\t") for n in names)

    async def before():
        ws, _ = await officer(srv, join=s["id"], token=tok)
        a = await ws.say(s["id"], "The test harbour opens soon", language="en")
        ev = await event_at(ws, a["seq"], s["id"])
        assert ev["terms"] == [] and ev["glossary"] == 1
        await ws.close()
        return a["seq"]
    old_seq = run(before())

    st, js, _ = srv.http("PUT", f"/v1/glossary?agent={AGENT_ID}", tok, raw=(original + new_line + "\n").encode())
    assert st == 200, js
    assert js["version"] == 2 and js["concepts"] == len(CONCEPTS) + 1

    async def after():
        ws, _ = await officer(srv, join=s["id"], token=tok)
        inv = srv.create_invite(s["id"], name="Tanaka", language="ja")
        ja, _, history = await investor(srv, inv["code"], "ja")
        a = await ws.say(s["id"], "The Trial Harbour opens soon", language="en")
        for reader, w in (("en", ws), ("ja", ja)):
            ev = await event_at(w, a["seq"], s["id"])
            assert ev["glossary"] == 2
            assert term_for(ev, "test-harbour")["translation"] == {"en": "test harbour", "ja": "試験港"}[reader]
        # The old event keeps the version it was stored with: still no terms.
        assert [e for e in history if e["seq"] == old_seq][0]["terms"] == []
        await ws.close()
        await ja.close()
        return a["seq"]
    new_seq = run(after())

    # Transcripts render terms for a chosen language, each event with its own version.
    st, doc, _ = srv.http("GET", f"/v1/sessions/{s['id']}/transcript?format=json&lang=ko", tok)
    assert st == 200
    events = {e["seq"]: e for e in doc["events"]}
    assert events[old_seq]["terms"] == [] and events[old_seq]["glossary"] == 1
    assert term_for(events[new_seq], "test-harbour")["translation"] == "시험항"
    st, md, _ = srv.http("GET", f"/v1/sessions/{s['id']}/transcript?format=md&lang=ko", tok)
    md = md if isinstance(md, str) else md.decode()
    assert "용어" in md and "시험항" in md
    st, html, _ = srv.http("GET", f"/v1/sessions/{s['id']}/transcript?format=html&lang=ja", tok)
    html = html if isinstance(html, str) else html.decode()
    assert 'class="term" title="試験港"' in html
    # Terms are beside the events, not in what is hashed: the export still verifies.
    export = tmp_path / "export.json"
    export.write_text(json.dumps(doc))
    p = subprocess.run([BIN, "transcript", "verify", "--file", str(export)], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr

    # Versions survive a restart: the upload stays in force while the file is unchanged…
    srv.stop()
    srv.start()
    st, body, headers = srv.http("GET", f"/v1/glossary?agent={AGENT_ID}", tok)
    assert headers.get("X-Glossary-Version") == "2" and "test-harbour" in (body if isinstance(body, str) else body.decode())
    st, body, headers = srv.http("GET", f"/v1/glossary?agent={AGENT_ID}&version=1", tok)
    assert st == 200 and "test-harbour" not in (body if isinstance(body, str) else body.decode())
    # …and a changed file becomes the next version at start-up.
    (agents / AGENT_ID / "glossary.tsv").write_text(original + new_line.replace("test-harbour", "file-harbour")
                                                    .replace("test harbour|trial harbour", "file harbour")
                                                    .replace("bến thử nghiệm", "bến tệp")
                                                    .replace("port d’essai", "port de fichier")
                                                    .replace("試験港", "ファイル港").replace("시험항", "파일항")
                                                    .replace("试验港", "文件港") + "\n", encoding="utf-8")
    srv.stop()
    srv.start()
    st, body, headers = srv.http("GET", f"/v1/glossary?agent={AGENT_ID}", tok)
    text = body if isinstance(body, str) else body.decode()
    assert headers.get("X-Glossary-Version") == "3" and "file-harbour" in text and "test-harbour" not in text
    st, js, _ = srv.http("GET", "/v1/glossary?agent=nobody", tok)
    assert_http_error(st, js, 404, "not_found")


def test_a_broken_glossary_refuses_start_with_file_and_line(tmp_path):
    agents = tmp_path / "agents"
    shutil.copytree(AGENTS, agents)
    path = agents / AGENT_ID / "glossary.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines[1].split("\t")
    lines.insert(5, "\t".join([first[0]] + first[1:]))  # the same id again on line 6
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    p = subprocess.run([BIN, "serve", "--port", "0", "--data", str(tmp_path / "data"), "--agents", str(agents)],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0
    assert "glossary.tsv:6:" in p.stderr and "duplicate id" in p.stderr, p.stderr
    assert "url:" not in p.stdout
