"""Tamper evidence: hash chain and signature, in the database and in an exported file
(docs/transcripts.md)."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import re
import sqlite3

import pytest

from forger import canonical
from harness import cli, find_database, officer, run

TEXTS = ["alpha harbour", "bravo tariff", "charlie lease", "delta customs", "echo visa",
         "Khu công nghiệp Vân Đồn 🏭 — 工業団地 산업단지",
         'quote " backslash \\ slash / tab \t newline \n cr \r bell \u0007 nul-ish \u001f del \u007f ls \u2028 end']
TAMPER_TEXT = "charlie lease"   # seq 4: joined=1, then the messages from 2


# ------------------------------------------------------------------ canonical JSON (documented)

# `canonical` is the forger's own (forger.py): one reading of the documented form.


def commitment(name: str, value, salt_hex: str) -> str:
    """docs/transcripts.md, "Commitments" (version 2): HMAC-SHA256 under the event's salt."""
    msg = f"dialogue-server v2 {name}\n".encode() + canonical(value).encode("utf-8")
    return hmac.new(bytes.fromhex(salt_hex), msg, hashlib.sha256).hexdigest()


def hashed_form(body: dict) -> dict:
    """docs/transcripts.md: what people said (and, in version 2, who they are) is hashed
    apart, so it can be redacted. The exported `textSalt` / `personSalt` say which version."""
    form = json.loads(json.dumps(body))
    text_salt, person_salt = form.pop("textSalt", None), form.pop("personSalt", None)
    if text_salt:
        for name in ("text", "citations", "comment"):
            if name in form:
                form[name + "Hash"] = commitment(name, form.pop(name), text_salt)
    elif isinstance(form.get("text"), str):
        form["textHash"] = hashlib.sha256(form.pop("text").encode("utf-8")).hexdigest()
    if person_salt:
        for name in ("organisation", "targetName"):
            if name in form:
                form[name + "Hash"] = commitment(name, form.pop(name), person_salt)
        if "name" in form.get("from", {}):
            form["from"]["nameHash"] = commitment("name", form["from"].pop("name"), person_salt)
    return form


def event_hash(body: dict) -> bytes:
    return hashlib.sha256(canonical(hashed_form(body)).encode("utf-8")).digest()


def signed_text(sid: str, seq: int, head: str, state: str, signed_at: str) -> bytes:
    return (f"dialogue-server transcript v2\nsession: {sid}\nseq: {seq}\nhead: {head}\n"
            f"state: {state}\nsigned-at: {signed_at}\n").encode()


# ------------------------------------------------------------------ fixture: an ended session

@pytest.fixture(scope="module")
def ended(tmp_path_factory):
    from harness import Server
    tmp = tmp_path_factory.mktemp("tamper")
    srv = Server(tmp / "data")
    srv.start()

    async def talk():
        s = srv.create_session("Tamper target")
        sid = s["id"]
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
    st, v, _ = srv.http("GET", f"/v1/sessions/{sid}/verify", srv.officer_token)
    assert st == 200 and v["ok"] is True, v
    p = cli("transcript", "export", sid, "--format", "json", "--data", srv.data)
    assert p.returncode == 0, p.stderr
    export = tmp / "export.json"
    export.write_text(p.stdout, encoding="utf-8")
    assert srv.stop() == 0
    yield {"srv": srv, "sid": sid, "export": export, "verify": v, "tmp": tmp}
    srv.stop()


def named_seqs(out: str) -> list[str]:
    return re.findall(r"seq\D{0,16}?(\d+)", out, re.IGNORECASE)


def verify_file(path, cwd):
    return cli("transcript", "verify", "--file", path, cwd=cwd)


# ------------------------------------------------------------------ the exported file

def test_export_matches_documented_chain_and_signature(ended):
    doc = json.loads(ended["export"].read_text(encoding="utf-8"))
    sid = ended["sid"]
    assert doc["format"] == "dialogue-transcript" and doc["version"] == 2
    assert doc["algorithm"] == "Ed25519"
    assert doc["session"]["id"] == sid and doc["session"]["status"] == "ended"
    events = doc["events"]
    assert [e["seq"] for e in events] == list(range(1, len(TEXTS) + 3))
    assert [e["text"] for e in events if e["kind"] == "message"] == TEXTS
    prev = bytes(32)
    for e in events:
        body = {k: v for k, v in e.items() if k not in ("hash", "chain")}
        for absent in ("type", "terms", "translation"):
            assert absent not in body, f"stored form must not hold {absent!r}: {e}"
        h = event_hash(body)
        assert e["hash"] == h.hex(), f"seq {e['seq']}: hash differs from the documented canonical form"
        prev = hashlib.sha256(prev + h).digest()
        assert e["chain"] == prev.hex(), f"seq {e['seq']}: chain differs"
    assert doc["head"] == {"seq": events[-1]["seq"], "chain": prev.hex(), "state": "ended",
                           "signedAt": doc["head"]["signedAt"]}
    assert ended["verify"]["head"] == prev.hex()
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        pytest.skip("python 'cryptography' not installed: signature not checked here")
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(doc["publicKey"]))
    key.verify(base64.b64decode(doc["signature"]),
               signed_text(sid, doc["head"]["seq"], doc["head"]["chain"], "ended",
                           doc["head"]["signedAt"]))  # raises if bad
    if "publicKey" in ended["verify"]:
        assert ended["verify"]["publicKey"] == doc["publicKey"]


def test_verify_intact_file(ended):
    p = verify_file(ended["export"], ended["tmp"])
    assert p.returncode == 0, (p.stdout, p.stderr)


def _write(ended, name, doc) -> str:
    path = ended["tmp"] / name
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return str(path)


def _load(ended):
    return json.loads(ended["export"].read_text(encoding="utf-8"))


def test_file_with_altered_text_is_tampered(ended):
    doc = _load(ended)
    ev = next(e for e in doc["events"] if e.get("text") == TAMPER_TEXT)
    ev["text"] = TAMPER_TEXT.replace("c", "C", 1)
    p = verify_file(_write(ended, "text.json", doc), ended["tmp"])
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert str(ev["seq"]) in named_seqs(p.stdout + p.stderr), f"must name seq {ev['seq']}: {p.stdout}{p.stderr}"


def test_file_with_altered_text_and_hash_is_tampered(ended):
    """Recomputing the event's own hash does not help: the chain breaks."""
    doc = _load(ended)
    ev = next(e for e in doc["events"] if e.get("text") == TAMPER_TEXT)
    ev["text"] = "charlie LEASE"
    body = {k: v for k, v in ev.items() if k not in ("hash", "chain")}
    ev["hash"] = event_hash(body).hex()
    p = verify_file(_write(ended, "texthash.json", doc), ended["tmp"])
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert str(ev["seq"]) in named_seqs(p.stdout + p.stderr), p.stdout + p.stderr


def test_file_with_altered_signature_is_tampered(ended):
    doc = _load(ended)
    sig = bytearray(base64.b64decode(doc["signature"]))
    sig[10] ^= 0x01
    doc["signature"] = base64.b64encode(bytes(sig)).decode()
    p = verify_file(_write(ended, "sig.json", doc), ended["tmp"])
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)


def test_file_with_other_public_key_is_tampered(ended):
    doc = _load(ended)
    key = bytearray(base64.b64decode(doc["publicKey"]))
    key[0] ^= 0x01
    doc["publicKey"] = base64.b64encode(bytes(key)).decode()
    p = verify_file(_write(ended, "key.json", doc), ended["tmp"])
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)


def test_file_with_missing_event_is_tampered(ended):
    doc = _load(ended)
    del doc["events"][2]
    p = verify_file(_write(ended, "gap.json", doc), ended["tmp"])
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)


def test_file_with_truncated_tail_is_tampered(ended):
    doc = _load(ended)
    doc["events"] = doc["events"][:-1]
    p = verify_file(_write(ended, "tail.json", doc), ended["tmp"])
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)


def test_unreadable_file_exit_2(ended):
    p = verify_file(ended["tmp"] / "does-not-exist.json", ended["tmp"])
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    garbage = ended["tmp"] / "garbage.json"
    garbage.write_text("this is not a transcript {", encoding="utf-8")
    p = verify_file(garbage, ended["tmp"])
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)


# ------------------------------------------------------------------ the database

def test_database_byte_change_is_detected(ended):
    srv, sid = ended["srv"], ended["sid"]
    assert not srv.running
    p = cli("transcript", "verify", sid, "--data", srv.data)
    assert p.returncode == 0, ("intact before tampering", p.returncode, p.stdout, p.stderr)
    p = cli("transcript", "export", sid, "--format", "md", "--data", srv.data)
    assert p.returncode == 0 and TAMPER_TEXT in p.stdout

    con = sqlite3.connect(find_database(srv.data))
    try:
        cols = [r[1] for r in con.execute("PRAGMA table_info(events)")]
        assert "body" in cols, f"events columns: {cols}"
        rows = con.execute("SELECT seq, body FROM events WHERE CAST(body AS TEXT) LIKE ?",
                           (f"%{TAMPER_TEXT}%",)).fetchall()
        assert len(rows) == 1, rows
        seq, body = rows[0]
        if isinstance(body, bytes):
            new = body.replace(TAMPER_TEXT.encode(), TAMPER_TEXT.replace("c", "k", 1).encode(), 1)
        else:
            new = body.replace(TAMPER_TEXT, TAMPER_TEXT.replace("c", "k", 1), 1)
        assert new != body and len(new) == len(body)
        con.execute("UPDATE events SET body = ? WHERE seq = ? AND body = ?", (new, seq, body))
        con.commit()
    finally:
        con.close()
    bad_seq = 1 + 1 + TEXTS.index(TAMPER_TEXT)

    p = cli("transcript", "verify", sid, "--data", srv.data)
    out = p.stdout + p.stderr
    assert p.returncode == 1, (p.returncode, out)
    assert str(bad_seq) in named_seqs(out), f"must name seq {bad_seq}: {out}"
    p = cli("transcript", "verify", "--data", srv.data)
    assert p.returncode == 1, ("verify of all sessions", p.returncode, p.stdout, p.stderr)
    p = cli("transcript", "verify", "ses_aaaaaaaaaaaaaaaa", "--data", srv.data)
    assert p.returncode == 2, ("unknown session", p.returncode, p.stdout, p.stderr)

    # the server reports it too
    srv.start()
    st, v, _ = srv.http("GET", f"/v1/sessions/{sid}/verify", srv.officer_token)
    assert st == 200 and v["ok"] is False, v
    assert v.get("firstBadSeq") == bad_seq, v
    srv.stop()


def test_redacted_file_still_verifies_every_other_field(ended):
    """Redaction (text replaced by its textHash) keeps the chain, but an export is signed
    whole (version 2): redacting a file by hand breaks its document signature. (The chain
    side of redaction is checked in TranscriptVerifierTests.) A forged field is caught."""
    doc = _load(ended)
    ev = next(e for e in doc["events"] if e.get("text") == TAMPER_TEXT)
    ev["textHash"] = commitment("text", ev.pop("text"), ev.pop("textSalt"))
    ev["redacted"] = True
    p = verify_file(_write(ended, "redacted.json", doc), ended["tmp"])
    assert p.returncode == 1 and "document signature" in p.stdout, (p.returncode, p.stdout, p.stderr)
    ev["from"]["name"] = "Someone else"
    p = verify_file(_write(ended, "redacted-forged.json", doc), ended["tmp"])
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert str(ev["seq"]) in named_seqs(p.stdout + p.stderr), p.stdout + p.stderr
