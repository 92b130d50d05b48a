"""Redaction, erasure and retention really remove the data (issue 16, section 2;
docs/transcripts.md "Commitments", "Redaction", "Retention"): after an officer redacts a
message holding a phone number, the digits are in no file the server keeps or exports, no
plain SHA-256 of the text exists to confirm a guess, and the chain still verifies."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import stat
import time
from pathlib import Path

from harness import cli, investor, officer, run
from test_tamper import event_hash

PHONE = "0912345678"
PHONE_TEXT = f"Call me on {PHONE} after the meeting"
MAIL_PHONE = "0987654321"
MAIL_TEXT = f"Or my desk line {MAIL_PHONE}"
NAME = "Zebulon Quartermaine"
ORG = "Obsidian Heron Holdings"


EXPORT_KEYS = {"hash", "chain", "redacted", "terms", "translation", "textSalt", "personSalt"}


def check_chain(doc: dict):
    prev = bytes(32)
    for e in doc["events"]:
        body = {k: v for k, v in e.items() if k not in EXPORT_KEYS - {"textSalt", "personSalt"}}
        h = event_hash(body)
        assert e["hash"] == h.hex(), f"seq {e['seq']}: documented v2 hash differs"
        prev = hashlib.sha256(prev + h).digest()
        assert e["chain"] == prev.hex()


def files_under(folder: Path):
    return [p for p in folder.rglob("*") if p.is_file()]


def holders(folder: Path, needles: list[bytes]) -> dict:
    found = {}
    for p in files_under(folder):
        data = p.read_bytes()
        for n in needles:
            if n in data:
                found.setdefault(str(p), []).append(n.decode())
    return found


async def say_phone_number_then_end(srv, sid: str, code: str) -> int:
    """The investor of invite `code` says PHONE_TEXT, then the officer ends the session;
    returns the message's seq."""
    off, _ = await officer(srv, join=sid)
    ws, _, _ = await investor(srv, code, language="en")
    a = await ws.say(sid, PHONE_TEXT)
    await off.wait_seq(a["seq"], sid)
    m = off.mark()
    await off.send({"type": "end", "session": sid})
    await off.wait_for(lambda f: f.get("type") == "event" and f.get("kind") == "ended", since=m)
    await ws.close()
    await off.close()
    return a["seq"]


def test_redaction_removes_the_text_everywhere(server_factory, tmp_path):
    srv = server_factory()
    sid = srv.create_session("Redaction target")["id"]
    inv = srv.create_invite(sid, name=NAME, language="en", organisation=ORG)

    async def live():
        off, _ = await officer(srv, join=sid)
        ws, _, _ = await investor(srv, inv["code"], language="en")
        a = await ws.say(sid, PHONE_TEXT)
        b = await ws.say(sid, MAIL_TEXT)
        seq_a, seq_b = a["seq"], b["seq"]
        await off.wait_seq(seq_b, sid)
        # Searched once, so the transcript index holds the digits before the redaction.
        st, found, _ = srv.http("GET", "/v1/sessions?q=" + PHONE, srv.officer_token)
        assert st == 200 and any(s["id"] == sid for s in found["sessions"]), found
        # Only officers redact; unknown seqs are 404.
        st, body, _ = srv.http("POST", f"/v1/sessions/{sid}/events/{seq_a}/redact", srv.reviewer_token,
                               {"reason": "phone"})
        assert st == 403, body
        st, body, _ = srv.http("POST", f"/v1/sessions/{sid}/events/999/redact", srv.officer_token,
                               {"reason": "phone"})
        assert st == 404, body
        st, body, _ = srv.http("POST", f"/v1/sessions/{sid}/events/{seq_a}/redact", srv.officer_token, {})
        assert st == 400, body
        m_off, m_inv = off.mark(), ws.mark()
        st, body, _ = srv.http("POST", f"/v1/sessions/{sid}/events/{seq_a}/redact", srv.officer_token,
                               {"reason": "a phone number"})
        assert st == 200 and body["seq"] == seq_a and body["reason"] == "a phone number", body
        for client, mark in ((off, m_off), (ws, m_inv)):
            await client.until(lambda c=client, m=mark: any(
                f.get("type") == "redacted" and f.get("seq") == seq_a for f in c.frames[m:]), what="redacted frame")
        # A reader who comes back gets the event marked redacted, without its text.
        await ws.close()
        ws2, _, history = await investor(srv, inv["code"], language="en")
        ev = next(e for e in history if e["seq"] == seq_a)
        assert ev.get("redacted") is True and "text" not in ev, ev
        assert PHONE not in json.dumps(history)
        st, found, _ = srv.http("GET", "/v1/sessions?q=" + PHONE, srv.officer_token)
        assert st == 200 and not any(s["id"] == sid for s in found["sessions"]), found
        m = off.mark()
        await off.send({"type": "end", "session": sid})
        await off.wait_for(lambda f: f.get("type") == "event" and f.get("kind") == "ended", since=m)
        await ws2.close()
        await off.close()
        return seq_a, seq_b
    seq_a, seq_b = run(live())

    # The archive of the ended session holds the second number until the CLI redacts it.
    folder = Path(srv.data) / "transcripts"
    deadline = time.time() + 10
    while time.time() < deadline and not any(MAIL_PHONE.encode() in p.read_bytes() for p in files_under(folder)):
        time.sleep(0.1)
    assert any(MAIL_PHONE.encode() in p.read_bytes() for p in files_under(folder)), [str(p) for p in files_under(Path(srv.data))]
    p = cli("transcript", "redact", sid, str(seq_b), "--reason", "desk line", "--data", srv.data)
    assert p.returncode == 0, p.stderr
    assert srv.stop() == 0

    exports = {}
    for fmt in ("json", "md", "html"):
        p = cli("transcript", "export", sid, "--format", fmt, "--data", srv.data)
        assert p.returncode == 0, p.stderr
        exports[fmt] = p.stdout
        (tmp_path / f"export.{fmt}").write_text(p.stdout, encoding="utf-8")
    plain_hashes = [hashlib.sha256(t.encode()).hexdigest().encode() for t in (PHONE_TEXT, MAIL_TEXT)]
    needles = [PHONE.encode(), MAIL_PHONE.encode()] + plain_hashes
    assert holders(Path(srv.data), needles) == {}
    assert holders(tmp_path, needles) == {}

    doc = json.loads(exports["json"])
    assert doc["version"] == 2
    check_chain(doc)
    for seq, text in ((seq_a, PHONE_TEXT), (seq_b, MAIL_TEXT)):
        ev = next(e for e in doc["events"] if e["seq"] == seq)
        assert ev["redacted"] is True and "text" not in ev and "textSalt" not in ev, ev
        # Without the erased salt the commitment cannot be recomputed from a guess.
        assert ev["textHash"] != hashlib.sha256(text.encode()).hexdigest()
    p = cli("transcript", "verify", "--file", str(tmp_path / "export.json"))
    assert p.returncode == 0, p.stdout + p.stderr
    p = cli("transcript", "verify", sid, "--data", srv.data)
    assert p.returncode == 0, p.stdout + p.stderr
    assert str(seq_a) in p.stdout and str(seq_b) in p.stdout and "redacted" in p.stdout, p.stdout


def test_erase_participant_removes_name_organisation_and_messages(server_factory, tmp_path):
    srv = server_factory()
    sid = srv.create_session("Erasure target")["id"]
    inv = srv.create_invite(sid, name=NAME, language="en", organisation=ORG)

    run(say_phone_number_then_end(srv, sid, inv["code"]))
    assert srv.stop() == 0
    p = cli("erase-participant", inv["id"], "--data", srv.data)
    assert p.returncode == 0, p.stderr
    p = cli("transcript", "export", sid, "--format", "json", "--data", srv.data)
    assert p.returncode == 0, p.stderr
    (tmp_path / "export.json").write_text(p.stdout, encoding="utf-8")
    needles = [NAME.encode(), ORG.encode(), PHONE.encode()]
    assert holders(Path(srv.data), needles) == {}
    assert holders(tmp_path, needles) == {}
    doc = json.loads(p.stdout)
    check_chain(doc)
    theirs = [e for e in doc["events"] if e["from"]["id"] == inv["id"]]
    assert theirs and all("name" not in e["from"] and "nameHash" in e["from"] for e in theirs)
    assert cli("transcript", "verify", "--file", str(tmp_path / "export.json")).returncode == 0
    assert cli("transcript", "verify", sid, "--data", srv.data).returncode == 0


def test_retention_clears_old_ended_sessions_and_keeps_the_head(server_factory):
    # 0.00002 days = 1.7 s: the session ends, and a moment later retention clears it.
    srv = server_factory("--retention-days", "0.00002")
    sid = srv.create_session("Retention target")["id"]
    inv = srv.create_invite(sid, name=NAME, language="en", organisation=ORG)

    seq = run(say_phone_number_then_end(srv, sid, inv["code"]))
    deadline = time.time() + 20
    verdict = None
    while time.time() < deadline:
        st, verdict, _ = srv.http("GET", f"/v1/sessions/{sid}/verify", srv.officer_token)
        if st == 200 and seq in verdict.get("redacted", []):
            break
        time.sleep(0.3)
    assert verdict["ok"] is True and seq in verdict["redacted"], verdict
    assert verdict["signature"], verdict
    assert srv.stop() == 0
    assert holders(Path(srv.data), [PHONE.encode(), NAME.encode(), ORG.encode()]) == {}


def test_data_files_are_private(server_factory):
    srv = server_factory()
    sid = srv.create_session("Modes")["id"]

    async def live():
        off, _ = await officer(srv, join=sid)
        await off.say(sid, "hello")
        m = off.mark()
        await off.send({"type": "end", "session": sid})
        await off.wait_for(lambda f: f.get("type") == "event" and f.get("kind") == "ended", since=m)
        await off.close()
    run(live())
    folder = Path(srv.data) / "transcripts"
    deadline = time.time() + 10
    while time.time() < deadline and not files_under(folder):
        time.sleep(0.1)
    backup = Path(srv.data).parent / "backup.sqlite"
    assert cli("backup", str(backup), "--data", srv.data).returncode == 0
    assert srv.stop() == 0
    data = Path(srv.data)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    checked = 0
    for p in files_under(data) + [backup]:
        assert stat.S_IMODE(os.stat(p).st_mode) & 0o077 == 0, f"{p} is {oct(os.stat(p).st_mode)}"
        checked += 1
    assert checked >= 4
    # A data folder the server creates itself is private too.
    fresh = data.parent / "fresh-data"
    assert cli("staff", "add", "--name", "someone", "--role", "officer", "--data", str(fresh)).returncode == 0
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o700
    for p in files_under(fresh):
        assert stat.S_IMODE(os.stat(p).st_mode) & 0o077 == 0, f"{p} is {oct(os.stat(p).st_mode)}"


FIXTURE = Path(__file__).parent / "fixtures" / "v1"
V1_SESSION = "ses_6ssbyvuqi7j4653n"


def test_version_1_export_still_verifies():
    """An export written by the server before version 2 (no salts, plain textHash)."""
    p = cli("transcript", "verify", "--file", str(FIXTURE / "export.json"))
    assert p.returncode == 0, p.stdout + p.stderr
    doc = json.loads((FIXTURE / "export.json").read_text(encoding="utf-8"))
    assert doc["version"] == 1
    doc["events"][2]["text"] = "Call me on 0912345679"
    forged = Path(os.environ.get("TMPDIR", "/tmp")) / f"v1-forged-{os.getpid()}.json"
    forged.write_text(json.dumps(doc), encoding="utf-8")
    try:
        assert cli("transcript", "verify", "--file", str(forged)).returncode == 1
    finally:
        forged.unlink()


def test_version_1_database_is_read_verified_and_redacted(tmp_path):
    """A data folder of the version before: migrated on open, its sessions verify, a v1
    event can be redacted (with v1's weaker commitment) and the chain still holds."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("dialogue.sqlite", "signing-key.ed25519"):
        (data / name).write_bytes((FIXTURE / name).read_bytes())
    os.chmod(data / "signing-key.ed25519", 0o600)
    p = cli("transcript", "verify", V1_SESSION, "--data", str(data))
    assert p.returncode == 0, p.stdout + p.stderr
    p = cli("transcript", "redact", V1_SESSION, "3", "--reason", "phone", "--data", str(data))
    assert p.returncode == 0, p.stderr
    p = cli("transcript", "verify", V1_SESSION, "--data", str(data))
    assert p.returncode == 0 and "3" in p.stdout, p.stdout + p.stderr
    p = cli("transcript", "export", V1_SESSION, "--format", "json", "--data", str(data))
    assert p.returncode == 0, p.stderr
    assert PHONE not in p.stdout
    (tmp_path / "export.json").write_text(p.stdout, encoding="utf-8")
    doc = json.loads(p.stdout)
    assert all("textSalt" not in e and "personSalt" not in e for e in doc["events"])
    assert doc["events"][2]["redacted"] is True
    check_chain(doc)
    assert cli("transcript", "verify", "--file", str(tmp_path / "export.json")).returncode == 0
    assert holders(data, [PHONE.encode()]) == {}


def test_a_redacted_draft_can_no_longer_be_published(server_factory):
    """Approving a redacted draft would publish its text again: refused, and the investor
    was never told of the draft (the `redacted` frame of a draft goes to officers only)."""
    srv = server_factory()
    sid = srv.create_session("Draft redaction")["id"]  # review mode: drafts for officers
    inv = srv.create_invite(sid, name=NAME, language="en")

    async def go():
        from harness import is_event
        off, _ = await officer(srv, join=sid)
        ws, _, _ = await investor(srv, inv["code"], language="en")
        await ws.send({"type": "ask", "session": sid, "text": "How many FDI projects are there?", "clientId": "ask-1"})
        draft = await off.wait_for(is_event("draft"), timeout=30)
        m_off, m_inv = off.mark(), ws.mark()
        st, body, _ = srv.http("POST", f"/v1/sessions/{sid}/events/{draft['seq']}/redact", srv.officer_token,
                               {"reason": "wrong figures"})
        assert st == 200, body
        await off.wait_for(lambda f: f.get("type") == "redacted" and f.get("seq") == draft["seq"], since=m_off)
        await off.send({"type": "approve", "session": sid, "draft": draft["seq"]})
        err = await off.wait_for("error", since=m_off)
        assert err["code"] == "not_found", err
        await asyncio.sleep(0.5)
        assert not [f for f in ws.frames[m_inv:] if f.get("type") == "redacted" or f.get("kind") == "answer"]
        await ws.close()
        await off.close()
    run(go())


def test_cli_redaction_after_a_key_rotation_signs_the_archive_with_the_servers_key(tmp_path):
    """`transcript redact` (like `erase-participant` and `retention run`) rewrites the
    archive with the key the servers use (--signing-key, here outside the data folder) and
    still trusts the retired one: after `key rotate` the rewritten archive verifies, and no
    second key appears in the data folder."""
    from harness import Server

    key = tmp_path / "keys" / "signing-key.ed25519"
    key.parent.mkdir()
    srv = Server(tmp_path / "data", ["--signing-key", str(key)])
    srv.start(expect_token=None)
    try:
        sid = srv.create_session("Key rotation, then a redaction")["id"]
        inv = srv.create_invite(sid, name=NAME, language="en", organisation=ORG)

        seq = run(say_phone_number_then_end(srv, sid, inv["code"]))
        folder = Path(srv.data) / "transcripts"
        deadline = time.time() + 10
        while time.time() < deadline and not list(folder.glob("*.json")):
            time.sleep(0.1)
    finally:
        assert srv.stop() == 0
    archived = list(folder.glob("*.json"))
    assert archived, [str(p) for p in files_under(Path(srv.data))]

    assert cli("key", "rotate", "--signing-key", str(key), "--data", srv.data).returncode == 0
    p = cli("transcript", "redact", sid, str(seq), "--reason", "phone", "--data", srv.data, "--signing-key", str(key))
    assert p.returncode == 0, p.stderr
    assert not (Path(srv.data) / "signing-key.ed25519").exists(), "the CLI made a key of its own"
    for path in folder.glob("*.json"):
        assert PHONE.encode() not in path.read_bytes()
        p = cli("transcript", "verify", "--file", str(path), "--data", srv.data, "--signing-key", str(key))
        assert p.returncode == 0, p.stdout + p.stderr
        assert "warning" not in p.stderr, p.stderr

    # Without the key file the CLI refuses rather than sign with a new key.
    p = cli("transcript", "redact", sid, str(seq), "--reason", "again", "--data", srv.data)
    assert p.returncode != 0 and "signing key" in p.stderr, p.stderr
    assert not (Path(srv.data) / "signing-key.ed25519").exists()


def test_a_damaged_event_does_not_stop_retention(server_factory):
    """An event edited in the database (it no longer matches its hash) is left as it is and
    named; its session's other events and the other due sessions are still cleared."""
    import sqlite3

    srv = server_factory()
    sessions = []
    for title in ("Damaged, ended first", "Sound, ended second"):
        sid = srv.create_session(title)["id"]
        inv = srv.create_invite(sid, name=NAME, language="en", organisation=ORG)

        async def live(sid=sid, inv=inv):
            off, _ = await officer(srv, join=sid)
            ws, _, _ = await investor(srv, inv["code"], language="en")
            a = await ws.say(sid, PHONE_TEXT)
            b = await off.say(sid, "The desk line is on the website")
            await off.wait_seq(b["seq"], sid)
            m = off.mark()
            await off.send({"type": "end", "session": sid})
            await off.wait_for(lambda f: f.get("type") == "event" and f.get("kind") == "ended", since=m)
            await ws.close()
            await off.close()
            return a["seq"], b["seq"]
        sessions.append((sid, *run(live())))
        time.sleep(0.01)
    assert srv.stop() == 0

    (damaged, _, officer_seq), (sound, sound_seq, _) = sessions
    db = sqlite3.connect(Path(srv.data) / "dialogue.sqlite")
    db.execute("UPDATE events SET body = replace(body, 'website', 'web site') WHERE session_id = ? AND seq = ?",
               (damaged, officer_seq))
    db.commit()
    db.close()

    p = cli("retention", "run", "--days", "0", "--data", srv.data)
    assert p.returncode == 0, p.stderr
    assert "cleared 2 sessions" in p.stdout, p.stdout
    assert "does not match its hash" in p.stderr, p.stderr
    db = sqlite3.connect(Path(srv.data) / "dialogue.sqlite")
    bodies = dict(db.execute("SELECT session_id || ':' || seq, body FROM events").fetchall())
    reasons = [r for (r,) in db.execute("SELECT reason FROM redactions WHERE session_id = ? AND scope = 'retention'",
                                         (damaged,))]
    db.close()
    assert not any(PHONE in b or NAME in b for k, b in bodies.items() if not k.endswith(f":{officer_seq}")
                   or not k.startswith(damaged)), "retention left a text or a name"
    assert "web site" in bodies[f"{damaged}:{officer_seq}"], "the damaged event is left as it was"
    assert PHONE not in bodies[f"{sound}:{sound_seq}"]
    assert reasons and reasons[0].endswith(f"do not match their hash): {officer_seq}"), reasons
