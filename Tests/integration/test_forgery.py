"""Forgery by someone who can write the database but not read the signing key (issue 16,
section 1), and the signing key's own protection. Every attack is performed against the
real binary: the SQLite file of a stopped server is rewritten with `forger.py`, which
recomputes hashes and chains exactly as docs/transcripts.md says."""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import subprocess
import time

import pytest

from forger import AttackerKey, Database, forge_export, key_id, resign_document
from harness import BIN, AGENTS, REPO, Server, cli, find_database, officer, run

TEXTS = ["alpha harbour", "bravo tariff", "charlie lease", "delta customs", "echo visa", "foxtrot rail"]
TARGET_SEQ = 4          # joined = 1, then the messages from 2: "charlie lease"
CHECKPOINT_EVENTS = 4   # small, so a short session has checkpoints


@pytest.fixture(scope="module")
def ended(tmp_path_factory):
    """An ended session with a note, checkpoints and a final head; the server stopped."""
    tmp = tmp_path_factory.mktemp("forgery")
    srv = Server(tmp / "data", extra=["--checkpoint-events", str(CHECKPOINT_EVENTS), "--rate-limit", "off"])
    srv.start()

    async def talk():
        sid = srv.create_session("Forgery target")["id"]
        ws, _ = await officer(srv, join=sid)
        for t in TEXTS:
            a = await ws.say(sid, t)
            assert a["type"] == "ack", a
        m = ws.mark()
        await ws.send({"type": "end", "session": sid})
        await ws.wait_for(lambda f: f.get("type") == "event" and f.get("kind") == "ended", since=m)
        await ws.close()
        return sid
    sid = run(talk())
    st, _, _ = srv.http("POST", f"/v1/sessions/{sid}/notes", srv.officer_token, {"seq": 3, "text": "Confirmed by the board"})
    assert st == 201
    st, v, _ = srv.http("GET", f"/v1/sessions/{sid}/verify", srv.officer_token)
    assert st == 200 and v["ok"] is True, v
    assert srv.stop() == 0
    yield {"srv": srv, "sid": sid, "tmp": tmp, "verify": v}


def copy_data(ended, name: str):
    """A copy of the stopped server's data folder (database and key), for one attack."""
    dest = ended["tmp"] / name
    shutil.copytree(ended["srv"].data, dest)
    return dest


def another_nodes_view(data):
    """The same data folder without this node's record of the heads it signed
    (`signed-heads`, outside the database): what a node that did not sign sees."""
    ledger = data / "signed-heads"
    if ledger.exists():
        ledger.rename(data / "signed-heads.elsewhere")
    return data


def export_json(data, sid: str) -> dict:
    p = cli("transcript", "export", sid, "--format", "json", "--data", data)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def verify_file(path, *args):
    return cli("transcript", "verify", "--file", path, *args)


def write(tmp, name: str, doc: dict):
    path = tmp / name
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def verify_over_http(data, sid: str) -> dict:
    srv = Server(data)
    srv.start(expect_token=False)
    try:
        token = cli("staff", "add", "--name", f"auditor{time.monotonic_ns()}", "--role", "reviewer",
                    "--data", data).stdout.strip()
        st, v, _ = srv.http("GET", f"/v1/sessions/{sid}/verify", token)
        assert st == 200, v
        return v
    finally:
        srv.stop()


def test_intact_session_has_checkpoints_and_a_final_head(ended):
    with Database(ended["srv"].data) as db:
        signed = db.checkpoints(ended["sid"])
    states = [state for _, state in signed]
    assert "ended" in states, signed
    assert any(state == "live" and seq >= CHECKPOINT_EVENTS for seq, state in signed), signed
    p = cli("transcript", "verify", ended["sid"], "--data", ended["srv"].data)
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert ended["verify"]["keyId"] and ended["verify"]["checkpoints"] >= 2, ended["verify"]


# ------------------------------------------------------------------ attack 1: rewrite, delete the head

def test_rewrite_and_delete_head_is_tampered(ended):
    data, sid = copy_data(ended, "attack1"), ended["sid"]
    with Database(data) as db:
        db.rewrite_text(sid, TARGET_SEQ, "charlie lease WAIVED")
        db.delete_signatures(sid)
    p = cli("transcript", "verify", sid, "--data", data)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert "differs from what this server signed" in p.stdout, p.stdout
    # From the database alone (a node that did not seal it): an ended session without its head.
    another_nodes_view(data)
    p = cli("transcript", "verify", sid, "--data", data)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert "no signed head" in p.stdout, p.stdout
    # The server does not sign it afresh, at start or at export.
    v = verify_over_http(data, sid)
    assert v["ok"] is False, v
    doc = export_json(data, sid)
    assert any(e.get("text") == "charlie lease WAIVED" for e in doc["events"])
    p = verify_file(write(ended["tmp"], "attack1.json", doc), "--data", data)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    p = cli("transcript", "verify", sid, "--data", data)
    assert p.returncode == 1, ("still tampered after a restart and an export", p.stdout)


def test_rewrite_drop_end_and_flip_status_is_tampered(ended):
    """The attacker also hides that the session ended. The node that sealed it knows from
    its own record; any node sees the rewritten event under a live checkpoint that no
    longer matches the chain."""
    data, sid = copy_data(ended, "attack1b"), ended["sid"]
    with Database(data) as db:
        db.drop_end(sid)
        db.rewrite_text(sid, TARGET_SEQ, "charlie lease WAIVED")
        db.delete_signatures(sid, tables=("heads",))
        db.con.execute("DELETE FROM checkpoints WHERE session_id = ? AND state = 'ended'", (sid,))
    p = cli("transcript", "verify", sid, "--data", data)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert "this server sealed the session" in p.stdout or "this server signed" in p.stdout, p.stdout
    another_nodes_view(data)
    p = cli("transcript", "verify", sid, "--data", data)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert "does not match the chain" in p.stdout, p.stdout


def test_hidden_end_and_every_signature_deleted_is_found_by_the_sealing_node(ended):
    """A short session (fewer events than the unsigned tail a live session may have) with
    its end hidden and every signature deleted looks live from the database alone; the node
    that sealed it reports it, and no node signs it again."""
    data, sid = copy_data(ended, "hidden-end"), ended["sid"]
    with Database(data) as db:
        db.drop_end(sid)
        db.rewrite_text(sid, TARGET_SEQ, "charlie lease WAIVED")
        db.delete_signatures(sid)
    p = cli("transcript", "verify", sid, "--data", data)
    assert p.returncode == 1 and "this server signed" in p.stdout, p.stdout
    token = cli("staff", "add", "--name", "auditor", "--role", "officer", "--data", data).stdout.strip()
    srv = Server(data)
    srv.start(expect_token=False)
    try:
        st, v, _ = srv.http("GET", f"/v1/sessions/{sid}/verify", token)
        assert st == 200 and v["ok"] is False, v
        st, doc, _ = srv.http("GET", f"/v1/sessions/{sid}/transcript?format=json", token)
        assert st == 200, doc
    finally:
        srv.stop()
    with Database(data) as db:
        assert db.checkpoints(sid) == [], "the server signed a session it had sealed"


# ------------------------------------------------------------------ attack 2: a head signed by the attacker

def test_head_signed_with_attackers_key_is_tampered(ended):
    data, sid = copy_data(ended, "attack2"), ended["sid"]
    key = AttackerKey()
    with Database(data) as db:
        db.rewrite_text(sid, TARGET_SEQ, "charlie lease WAIVED")
        db.forge_heads(sid, key)
    p = cli("transcript", "verify", sid, "--data", data)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    # From the database alone, the forged head is refused for its key.
    another_nodes_view(data)
    p = cli("transcript", "verify", sid, "--data", data)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert f"does not trust (key id {key_id(key.public)})" in p.stdout, p.stdout
    v = verify_over_http(data, sid)
    assert v["ok"] is False, v
    p = verify_file(write(ended["tmp"], "attack2.json", export_json(data, sid)), "--data", data)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)


def test_export_resigned_with_attackers_key_is_untrusted(ended):
    data, sid = copy_data(ended, "attack2b"), ended["sid"]
    doc = export_json(data, sid)
    server_key = doc["publicKey"]
    forged = forge_export(doc, AttackerKey(), TARGET_SEQ, "charlie lease WAIVED")
    path = write(ended["tmp"], "attack2b.json", forged)
    p = verify_file(path, "--data", data)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert "does not trust" in p.stdout, p.stdout
    p = verify_file(path, "--public-key", server_key)   # an outside verifier naming the key
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)


# ------------------------------------------------------------------ attack 3: edit the export's other members

@pytest.mark.parametrize("edit", ["note", "participant", "title", "translations", "new member"])
def test_edited_export_fails_document_signature(ended, edit):
    data, sid = copy_data(ended, f"attack3-{edit.replace(' ', '-')}"), ended["sid"]
    doc = export_json(data, sid)
    assert doc["version"] == 2 and doc["keyId"] == key_id(base64.b64decode(doc["publicKey"]))
    intact = write(ended["tmp"], f"intact-{edit}.json", doc)
    p = verify_file(intact, "--data", data)
    assert p.returncode == 0, (p.stdout, p.stderr)
    if edit == "note":
        doc["notes"][0]["text"] = "Rejected by the board"
    elif edit == "participant":
        doc["participants"][0]["name"] = "Someone Else"
    elif edit == "title":
        doc["session"]["title"] = "Another meeting"
    elif edit == "translations":
        doc["translations"].append({"seq": 3, "language": "fr", "text": "faux", "engine": "human",
                                    "glossaryOk": True, "at": "2026-01-01T00:00:00.000Z"})
    else:
        doc["approvedBy"] = "the minister"
    p = verify_file(write(ended["tmp"], f"edited-{edit}.json", doc), "--data", data)
    assert p.returncode == 1, (edit, p.returncode, p.stdout, p.stderr)
    assert "document" in p.stdout, p.stdout
    # Re-signed by the attacker: the document's key is not trusted.
    resign_document(doc, AttackerKey())
    p = verify_file(write(ended["tmp"], f"resigned-{edit}.json", doc), "--data", data)
    assert p.returncode == 1, (edit, p.returncode, p.stdout, p.stderr)


def test_downgraded_export_fails(ended):
    """Calling a v2 file version 1 to skip the document signature does not work."""
    data, sid = copy_data(ended, "downgrade"), ended["sid"]
    doc = export_json(data, sid)
    doc["version"] = 1
    doc.pop("documentSignature")
    doc["notes"][0]["text"] = "Rejected by the board"
    p = verify_file(write(ended["tmp"], "downgraded.json", doc), "--data", data)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)


# ------------------------------------------------------------------ attack 4 (not an attack): key rotation

def test_key_rotate_keeps_old_transcripts_verifiable(ended, tmp_path):
    data, sid = copy_data(ended, "rotate"), ended["sid"]
    old_doc = export_json(data, sid)
    old_path = write(ended["tmp"], "before-rotation.json", old_doc)
    p = cli("key", "rotate", "--data", data)
    assert p.returncode == 0, p.stderr
    new_id = next(l.split(": ", 1)[1] for l in p.stdout.splitlines() if l.startswith("keyId: "))
    assert new_id != old_doc["keyId"]
    retired = data / "signing-key.ed25519.retired"
    assert stat.S_IMODE(retired.stat().st_mode) == 0o600
    assert stat.S_IMODE((data / "signing-key.ed25519").stat().st_mode) == 0o600
    # Old transcripts still verify, from the store and from the file.
    p = cli("transcript", "verify", sid, "--data", data)
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert verify_file(old_path, "--data", data).returncode == 0
    # New ones are signed with the new key; an export of the old session names the old key
    # for its head and the new key for the document.
    srv = Server(data, extra=["--checkpoint-events", str(CHECKPOINT_EVENTS)])
    srv.start(expect_token=False)
    try:
        token = cli("staff", "add", "--name", "rotator", "--role", "officer", "--data", data).stdout.strip()
        srv.officer_token = token

        async def talk():
            sid2 = srv.create_session("After rotation")["id"]
            ws, _ = await officer(srv, join=sid2)
            assert (await ws.say(sid2, "golf port"))["type"] == "ack"
            m = ws.mark()
            await ws.send({"type": "end", "session": sid2})
            await ws.wait_for(lambda f: f.get("type") == "event" and f.get("kind") == "ended", since=m)
            await ws.close()
            return sid2
        sid2 = run(talk())
        st, v2, _ = srv.http("GET", f"/v1/sessions/{sid2}/verify", token)
        assert st == 200 and v2["ok"] is True and v2["keyId"] == new_id, v2
        st, v1, _ = srv.http("GET", f"/v1/sessions/{sid}/verify", token)
        assert st == 200 and v1["ok"] is True and v1["keyId"] == old_doc["keyId"], v1
    finally:
        srv.stop()
    new_doc = export_json(data, sid2)
    assert new_doc["keyId"] == new_id and new_doc["documentSignature"]["keyId"] == new_id
    old_again = export_json(data, sid)
    assert old_again["keyId"] == old_doc["keyId"] and old_again["documentSignature"]["keyId"] == new_id
    assert verify_file(write(ended["tmp"], "after-rotation.json", old_again), "--data", data).returncode == 0
    # A verifier that knows only the new key refuses what the old one signed.
    p = verify_file(old_path, "--public-key", new_doc["publicKey"])
    assert p.returncode == 1, (p.stdout, p.stderr)


# ------------------------------------------------------------------ attack 5: live sessions, checkpoints

LIVE_MESSAGES = 16 * CHECKPOINT_EVENTS + 6   # more than a live session may leave unsigned


def test_live_checkpoints_bound_the_rewrite_window(tmp_path):
    srv = Server(tmp_path / "data", extra=["--checkpoint-events", str(CHECKPOINT_EVENTS),
                                           "--checkpoint-seconds", "1", "--rate-limit", "off"])
    srv.start()
    try:
        async def talk():
            sid = srv.create_session("Live")["id"]
            ws, _ = await officer(srv, join=sid)
            for i in range(LIVE_MESSAGES):
                assert (await ws.say(sid, f"message {i}"))["type"] == "ack"
            return sid, ws
        sid, ws = run(talk())
        deadline = time.monotonic() + 10
        signed = []
        while time.monotonic() < deadline:
            with Database(srv.data) as db:
                signed = db.checkpoints(sid)
            if signed and max(seq for seq, _ in signed) == LIVE_MESSAGES + 1:
                break
            time.sleep(0.2)
        assert any(seq >= CHECKPOINT_EVENTS for seq, state in signed if state == "live"), signed
        assert max(seq for seq, _ in signed) == LIVE_MESSAGES + 1, ("the time rule signs the tail within ~1 s", signed)
        st, v, _ = srv.http("GET", f"/v1/sessions/{sid}/verify", srv.officer_token)
        assert st == 200 and v["ok"] is True and v["checkpoints"] >= 2 and v.get("ended") is False, v
        # A live export is signed whole and verifies.
        st, doc, _ = srv.http("GET", f"/v1/sessions/{sid}/transcript?format=json", srv.officer_token)
        assert st == 200 and doc["head"]["state"] == "live", doc["head"]
        p = verify_file(write(tmp_path, "live.json", doc), "--data", srv.data)
        assert p.returncode == 0, (p.stdout, p.stderr)
    finally:
        srv.stop()
    # With the server stopped, an event covered by a checkpoint is rewritten.
    data = tmp_path / "rewrite"
    shutil.copytree(srv.data, data)
    with Database(data) as db:
        db.rewrite_text(sid, 3, "message 1 REWRITTEN")
    p = cli("transcript", "verify", sid, "--data", data, "--checkpoint-events", str(CHECKPOINT_EVENTS))
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    # …and every checkpoint deleted as well: this node's own record of what it signed finds it,
    with Database(data) as db:
        db.delete_signatures(sid)
    p = cli("transcript", "verify", sid, "--data", data, "--checkpoint-events", str(CHECKPOINT_EVENTS))
    assert p.returncode == 1 and "differs from what this server signed" in p.stdout, (p.stdout, p.stderr)
    # and from the database alone: more unsigned events than the server ever leaves (16 N).
    another_nodes_view(data)
    p = cli("transcript", "verify", sid, "--data", data, "--checkpoint-events", str(CHECKPOINT_EVENTS))
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert "after the last signed checkpoint" in p.stdout, p.stdout
    # A restarted server does not sign over it either: not at start, not for an export
    # (it signs only events it committed itself).
    token = cli("staff", "add", "--name", "auditor", "--role", "officer", "--data", data).stdout.strip()
    srv2 = Server(data, extra=["--checkpoint-events", str(CHECKPOINT_EVENTS)])
    srv2.start(expect_token=False)
    try:
        time.sleep(1.0)
        st, doc, _ = srv2.http("GET", f"/v1/sessions/{sid}/transcript?format=json", token)
        assert st == 200, doc
        p = verify_file(write(tmp_path, "rewritten-live.json", doc), "--data", data)
        assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
        st, v, _ = srv2.http("GET", f"/v1/sessions/{sid}/verify", token)
        assert st == 200 and v["ok"] is False, v
    finally:
        srv2.stop()
    with Database(data) as db:
        assert db.checkpoints(sid) == [], "the server signed a chain it could not account for"


# ------------------------------------------------------------------ attack 6: the key file's permissions

def test_key_file_readable_by_others_is_refused(ended):
    data = copy_data(ended, "mode")
    key = data / "signing-key.ed25519"
    os.chmod(key, 0o644)
    p = subprocess.run([BIN, "serve", "--port", "0", "--data", str(data), "--agents", AGENTS],
                       capture_output=True, text=True, timeout=60, cwd=str(REPO))
    assert p.returncode != 0, (p.returncode, p.stdout, p.stderr)
    assert str(key) in p.stderr and "644" in p.stderr, p.stderr
    p = cli("transcript", "verify", ended["sid"], "--data", data)
    assert p.returncode == 2 and str(key) in p.stderr, (p.returncode, p.stderr)
    os.chmod(key, 0o600)
    retired = data / "signing-key.ed25519.retired"
    retired.write_text(AttackerKey().public_b64 + "\n")
    os.chmod(retired, 0o666)
    p = cli("transcript", "verify", ended["sid"], "--data", data)
    assert p.returncode == 2 and str(retired) in p.stderr, (p.returncode, p.stderr)


def test_new_key_is_private(tmp_path):
    key = tmp_path / "keys" / "transcripts.ed25519"
    srv = Server(tmp_path / "data", extra=["--signing-key", str(key)])
    srv.start()
    srv.stop()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    # The default: the key in the data folder, which is made private with it.
    fresh = Server(tmp_path / "fresh")
    fresh.start()
    fresh.stop()
    assert stat.S_IMODE((fresh.data / "signing-key.ed25519").stat().st_mode) == 0o600
    assert stat.S_IMODE(fresh.data.stat().st_mode) == 0o700


# ------------------------------------------------------------------ the same on a shared PostgreSQL store

from test_nodes import postgres  # noqa: E402,F401  (a throwaway cluster for this module)


def test_postgres_store_two_nodes(postgres, tmp_path):
    """Two nodes share the store and the key: checkpoints made by either verify on both;
    a rewrite with the heads deleted, or re-signed with the attacker's key, is tampered."""
    from forger import PostgresDatabase
    key = tmp_path / "signing-key.ed25519"
    shared = ["--store", postgres.url, "--signing-key", str(key), "--rate-limit", "off",
              "--checkpoint-events", str(CHECKPOINT_EVENTS)]
    a = Server(tmp_path / "a", shared)
    a.start(expect_token=True)
    b = Server(tmp_path / "b", shared)
    b.start(expect_token=False)
    b.officer_token = a.officer_token
    try:
        async def talk():
            sid = a.create_session("Hai nút")["id"]
            off_a, _ = await officer(a, join=sid)
            off_b, _ = await officer(b, join=sid)
            for i in range(4):
                assert (await off_a.say(sid, f"from a {i}"))["type"] == "ack"
                assert (await off_b.say(sid, f"from b {i}"))["type"] == "ack"
            await off_a.wait_seq(9, sid)  # the join and the eight messages, seen on a
            m = off_a.mark()
            await off_a.send({"type": "end", "session": sid})
            await off_a.wait_for(lambda f: f.get("type") == "event" and f.get("kind") == "ended", since=m)
            await off_a.close()
            await off_b.close()
            return sid
        sid = run(talk())
        st, v, _ = a.http("GET", f"/v1/sessions/{sid}/verify", a.officer_token)
        assert st == 200 and v["ok"] is True and v["ended"] is True and v["checkpoints"] >= 2, (v, a.stderr_text()[-3000:])
        st, vb, _ = b.http("GET", f"/v1/sessions/{sid}/verify", b.officer_token)
        assert st == 200 and vb == v, (vb, v)
    finally:
        a.stop()
        b.stop()
    db = PostgresDatabase(postgres.url)
    assert "ended" in [state for _, state in db.checkpoints(sid)]

    def verify_on_a_node() -> dict:
        node = Server(tmp_path / "c", shared)
        node.start(expect_token=False)
        try:
            st, v, _ = node.http("GET", f"/v1/sessions/{sid}/verify", a.officer_token)
            assert st == 200, v
            return v
        finally:
            node.stop()

    db.rewrite_text(sid, TARGET_SEQ, "from a 1 WAIVED")
    db.delete_signatures(sid)
    v = verify_on_a_node()
    assert v["ok"] is False and "no signed head" in v["reason"], v
    attacker = AttackerKey()
    db.forge_heads(sid, attacker)
    v = verify_on_a_node()
    assert v["ok"] is False and key_id(attacker.public) in v["reason"], v
