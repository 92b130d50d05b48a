"""Command line: staff accounts, backup, transcript export (contract section 1)."""

from __future__ import annotations

import glob
import json
import os
import re
import sqlite3

from harness import cli, connect, find_database, officer, run


def test_staff_add_list_revoke(server):
    name = "Reviewer Revocable"
    p = cli("staff", "add", "--name", name, "--role", "reviewer", "--data", server.data)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("\n") <= 1 and p.stdout.strip(), repr(p.stdout)
    tok = p.stdout.strip()
    assert re.fullmatch(r"dst_[A-Za-z0-9_-]{43}", tok), tok
    st, _, _ = server.http("GET", "/v1/sessions", tok)
    assert st == 200
    p = cli("staff", "list", "--data", server.data)
    assert p.returncode == 0, p.stderr
    assert name in p.stdout
    assert tok not in p.stdout
    async def live():
        ws = await connect(server)
        await ws.hello(tok, "en")
        return ws

    async def revoke_closes(ws):
        p = cli("staff", "revoke", name, "--data", server.data)
        assert p.returncode == 0, p.stderr
        st, body, _ = server.http("GET", "/v1/sessions", tok)
        assert st == 401, (st, body)
        # docs/protocol.md: live connections of the account close within about five seconds
        code, reason = await ws.wait_closed(8)
        assert code == 1008, (code, reason)
        assert [f["code"] for f in ws.find("error")] == ["unauthorized"], ws.frames

    async def both():
        ws = await live()
        await revoke_closes(ws)
    run(both())

    async def ws_refused():
        ws = await connect(server)
        f = await ws.hello_raw(tok, "en")
        assert f["type"] == "error" and f["code"] == "unauthorized", f
        await ws.wait_closed()
    run(ws_refused())


def test_staff_add_refuses_other_roles(server):
    p = cli("staff", "add", "--name", "Someone", "--role", "investor", "--data", server.data)
    assert p.returncode != 0
    assert not re.search(r"dst_[A-Za-z0-9_-]{43}", p.stdout)


def test_secrets_are_stored_hashed(server):
    s = server.create_session("Secrets")
    inv = server.create_invite(s["id"])
    blob = b""
    for f in glob.glob(os.path.join(server.data, "*")):
        if os.path.isfile(f):
            with open(f, "rb") as fh:
                blob += fh.read()
    assert server.officer_token.encode() not in blob, "a staff token is stored in clear"
    assert inv["code"].encode() not in blob, "an invite code is stored in clear"


def test_backup_while_serving(server, tmp_path):
    s = server.create_session("Backup")

    async def talk():
        ws, _ = await officer(server, join=s["id"])
        for i in range(5):
            assert (await ws.say(s["id"], f"backup {i}"))["type"] == "ack"
        await ws.close()
    run(talk())
    dest = tmp_path / "backup.sqlite"
    p = cli("backup", dest, "--data", server.data)
    assert p.returncode == 0, (p.stdout, p.stderr)
    path = str(dest) if dest.is_file() else find_database(dest)
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = con.execute("SELECT CAST(body AS TEXT) FROM events").fetchall()
        texts = [r[0] for r in rows if r[0] and s["id"] in r[0]]
        assert sum(1 for t in texts if "backup " in t) == 5, texts
    finally:
        con.close()


def test_transcript_export_cli(server):
    s = server.create_session("Export CLI")

    async def talk():
        ws, _ = await officer(server, join=s["id"])
        assert (await ws.say(s["id"], "exported line"))["type"] == "ack"
        await ws.close()
    run(talk())
    p = cli("transcript", "export", s["id"], "--format", "json", "--data", server.data)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["format"] == "dialogue-transcript" and doc["session"]["id"] == s["id"]
    assert [e["text"] for e in doc["events"] if e["kind"] == "message"] == ["exported line"]
    for fmt, marker in (("md", "exported line"), ("html", "exported line")):
        p = cli("transcript", "export", s["id"], "--format", fmt, "--data", server.data)
        assert p.returncode == 0, p.stderr
        assert marker in p.stdout
    p = cli("transcript", "export", s["id"], "--data", server.data)
    assert p.returncode == 0 and "exported line" in p.stdout
    p = cli("transcript", "export", "ses_aaaaaaaaaaaaaaaa", "--data", server.data)
    assert p.returncode != 0


def test_glossary_check_and_terms(tmp_path):
    from harness import AGENTS, AGENT_ID
    shipped = f"{AGENTS}/{AGENT_ID}/glossary.tsv"
    p = cli("glossary", "check", shipped)
    assert p.returncode == 0, p.stderr
    assert re.match(r"ok: \d+ concepts \(\d+ names\), languages vi, en, fr, ja, ko, zh", p.stdout)
    bad = tmp_path / "bad.tsv"
    bad.write_text("id\tvi\ten\nport\tcảng biển\tseaport\nharbour\tbến cảng\tSEAPORT\n", encoding="utf-8")
    p = cli("glossary", "check", str(bad))
    assert p.returncode == 1
    assert f"{bad}:3: form \"SEAPORT\" (en) already belongs to concept \"port\" on line 2" in p.stderr
    p = cli("glossary", "terms", shipped, "Nous visitons le parc industriel", "--lang", "ko")
    assert p.returncode == 0, p.stderr
    terms = [json.loads(l) for l in p.stdout.splitlines()]
    assert [t["concept"] for t in terms] == ["industrial-park"]
    assert terms[0]["text"] == "parc industriel" and terms[0]["start"] == 17 and terms[0]["end"] == 32
    p = cli("glossary", "check", str(tmp_path / "missing.tsv"))
    assert p.returncode == 2
