"""A database writer who cannot read the signing key (issue 16, section 1): rewrites events
in a stopped server's SQLite file and recomputes every hash and chain exactly as
docs/transcripts.md says, removes or forges signed heads, and re-signs exported files with
a key of its own. Tests use it to prove verification is not fooled."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from harness import find_database


# ------------------------------------------------------------------ documented forms

def _esc(s: str) -> str:
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\f\n\r\t":
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif o < 0x20:
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canonical(v) -> str:
    """docs/transcripts.md, "Canonical JSON of an event"."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return _esc(v)
    if isinstance(v, list):
        return "[" + ",".join(canonical(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(_esc(k) + ":" + canonical(v[k]) for k in keys) + "}"
    raise TypeError(type(v))


def commitment(name: str, value, salt: bytes) -> str:
    """docs/transcripts.md, "Commitments" (version 2): HMAC-SHA256 under the event's salt."""
    msg = f"dialogue-server v2 {name}\n".encode() + canonical(value).encode("utf-8")
    return hmac.new(salt, msg, hashlib.sha256).hexdigest()


def event_hash(body: dict, text_salt: bytes | None = None, person_salt: bytes | None = None) -> bytes:
    """The documented event hash: version 2 when the event has salts (the attacker can read
    them from the database, as the server does), version 1 otherwise."""
    form = json.loads(json.dumps(body))
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
    return hashlib.sha256(canonical(form).encode("utf-8")).digest()


def _salt(value) -> bytes | None:
    if value is None:
        return None
    return bytes(value) if not isinstance(value, str) else bytes.fromhex(value)


def key_id(public_key: bytes) -> str:
    return hashlib.sha256(public_key).digest()[:16].hex()


def head_message_v1(sid: str, seq: int, chain_hex: str) -> bytes:
    return f"dialogue-server transcript v1\nsession: {sid}\nseq: {seq}\nhead: {chain_hex}\n".encode()


def head_message_v2(sid: str, seq: int, chain_hex: str, state: str, signed_at: str) -> bytes:
    return (f"dialogue-server transcript v2\nsession: {sid}\nseq: {seq}\nhead: {chain_hex}\n"
            f"state: {state}\nsigned-at: {signed_at}\n").encode()


def document_message(doc: dict) -> bytes:
    rest = {k: v for k, v in doc.items() if k != "documentSignature"}
    digest = hashlib.sha256(canonical(rest).encode("utf-8")).hexdigest()
    return f"dialogue-server transcript document v2\nsha256: {digest}\n".encode()


class AttackerKey:
    """An Ed25519 key of the attacker's own."""

    def __init__(self):
        self.private = Ed25519PrivateKey.generate()
        self.public = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.public).decode()


# ------------------------------------------------------------------ the database

class Database:
    """The SQLite file of a stopped server, written as an attacker would."""

    def __init__(self, data_dir):
        self.con = sqlite3.connect(find_database(data_dir))

    def close(self):
        self.con.commit()
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def events(self, sid: str) -> list[tuple[int, dict]]:
        rows = self.con.execute("SELECT seq, body FROM events WHERE session_id = ? ORDER BY seq", (sid,))
        return [(seq, json.loads(body)) for seq, body in rows]

    def salts(self, sid: str) -> dict[int, tuple[bytes | None, bytes | None]]:
        rows = self.con.execute("SELECT seq, text_salt, person_salt FROM events WHERE session_id = ?", (sid,))
        return {seq: (_salt(t), _salt(p)) for seq, t, p in rows}

    def rechain(self, sid: str):
        """Recomputes every hash and chain of the session from the stored bodies."""
        prev = bytes(32)
        salts = self.salts(sid)
        for seq, body in self.events(sid):
            h = event_hash(body, *salts[seq])
            prev = hashlib.sha256(prev + h).digest()
            self.con.execute("UPDATE events SET body = ?, hash = ?, chain = ? WHERE session_id = ? AND seq = ?",
                             (canonical(body), h, prev, sid, seq))
        return prev

    def rewrite_text(self, sid: str, seq: int, text: str):
        """Replaces one event's text, then recomputes hashes and chain from there."""
        for s, body in self.events(sid):
            if s == seq:
                body["text"] = text
                self.con.execute("UPDATE events SET body = ? WHERE session_id = ? AND seq = ?",
                                 (canonical(body), sid, seq))
        return self.rechain(sid)

    def drop_end(self, sid: str):
        """Deletes the trailing `ended` event and marks the session live again."""
        self.con.execute("DELETE FROM events WHERE session_id = ? AND kind = 'ended'", (sid,))
        self.con.execute("UPDATE sessions SET status = 'live', ended_at = NULL WHERE id = ?", (sid,))

    def delete_signatures(self, sid: str, tables=("heads", "checkpoints")):
        for table in tables:
            if self._has_table(table):
                self.con.execute(f"DELETE FROM {table} WHERE session_id = ?", (sid,))

    def checkpoints(self, sid: str) -> list[tuple[int, str]]:
        if not self._has_table("checkpoints"):
            return []
        return self.con.execute("SELECT seq, state FROM checkpoints WHERE session_id = ? ORDER BY seq",
                                (sid,)).fetchall()

    def forge_heads(self, sid: str, key: AttackerKey, signed_at: str = "2026-01-01T00:00:00.000Z"):
        """Signs the stored chain's last value with the attacker's key, in every form a
        verifier might accept: a v1 `heads` row with the attacker's public key beside it,
        and a v2 final checkpoint naming the attacker's key id."""
        seq, chain = self.con.execute(
            "SELECT seq, chain FROM events WHERE session_id = ? ORDER BY seq DESC LIMIT 1", (sid,)).fetchone()
        chain = bytes(chain)
        self.delete_signatures(sid)
        self.con.execute(
            "INSERT INTO heads (session_id, seq, chain, signature, public_key, signed_at) VALUES (?, ?, ?, ?, ?, ?)",
            (sid, seq, chain, key.sign(head_message_v1(sid, seq, chain.hex())), key.public, signed_at))
        if self._has_table("checkpoints"):
            self.con.execute(
                "INSERT INTO checkpoints (session_id, seq, state, chain, signature, key_id, signed_at)"
                " VALUES (?, ?, 'ended', ?, ?, ?, ?)",
                (sid, seq, chain, key.sign(head_message_v2(sid, seq, chain.hex(), "ended", signed_at)),
                 key_id(key.public), signed_at))

    def _has_table(self, name: str) -> bool:
        return self.con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                (name,)).fetchone() is not None


# ------------------------------------------------------------------ an exported file

def forge_export(doc: dict, key: AttackerKey, seq: int, text: str) -> dict:
    """Rewrites one event's text in an export, recomputes hashes and chain, and signs the
    head and the document with the attacker's key, naming it as the signer."""
    prev = bytes(32)
    for event in doc["events"]:
        if event["seq"] == seq:
            event["text"] = text
        body = {k: v for k, v in event.items()
                if k not in ("hash", "chain", "redacted", "terms", "translation", "textSalt", "personSalt")}
        h = event_hash(body, _salt(event.get("textSalt")), _salt(event.get("personSalt")))
        prev = hashlib.sha256(prev + h).digest()
        event["hash"], event["chain"] = h.hex(), prev.hex()
    head = doc["head"]
    head["chain"] = prev.hex()
    if "state" in head:
        message = head_message_v2(doc["session"]["id"], head["seq"], head["chain"], head["state"], head["signedAt"])
    else:
        message = head_message_v1(doc["session"]["id"], head["seq"], head["chain"])
    doc["signature"] = base64.b64encode(key.sign(message)).decode()
    doc["publicKey"] = key.public_b64
    doc["keyId"] = key_id(key.public)
    resign_document(doc, key)
    return doc


def resign_document(doc: dict, key: AttackerKey):
    doc.pop("documentSignature", None)
    doc["documentSignature"] = {"keyId": key_id(key.public), "publicKey": key.public_b64,
                                "signature": base64.b64encode(key.sign(document_message(doc))).decode()}


# ------------------------------------------------------------------ the shared PostgreSQL store

class PostgresDatabase:
    """The same attacker on a PostgreSQL store (nodes stopped), through psql."""

    def __init__(self, url: str):
        import glob
        self.url = url
        self.psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]

    def _sql(self, sql: str) -> list[list[str]]:
        import subprocess
        out = subprocess.run([self.psql, self.url, "-v", "ON_ERROR_STOP=1", "-At", "-F", "\t", "-c", sql],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    @staticmethod
    def _text(s: str) -> str:
        return "'" + s.replace("'", "''") + "'"

    @staticmethod
    def _bytes(b: bytes) -> str:
        return f"'\\x{b.hex()}'::bytea"

    def events(self, sid: str) -> list[tuple[int, dict]]:
        rows = self._sql(f"SELECT seq, body FROM events WHERE session_id = {self._text(sid)} ORDER BY seq")
        return [(int(seq), json.loads(body)) for seq, body in rows]

    def rewrite_text(self, sid: str, seq: int, text: str):
        """Replaces one event's text and recomputes every hash and chain (and the writer's
        own head row, so the nodes would go on from the forged chain)."""
        statements = []
        prev = bytes(32)
        salts = {int(q): (_salt(t or None), _salt(p or None)) for q, t, p in self._sql(
            f"SELECT seq, encode(text_salt, 'hex'), encode(person_salt, 'hex') FROM events "
            f"WHERE session_id = {self._text(sid)}")}
        for s, body in self.events(sid):
            if s == seq:
                body["text"] = text
            h = event_hash(body, *salts[s])
            prev = hashlib.sha256(prev + h).digest()
            statements.append(
                f"UPDATE events SET body = {self._text(canonical(body))}, hash = {self._bytes(h)}, "
                f"chain = {self._bytes(prev)} WHERE session_id = {self._text(sid)} AND seq = {s}")
        statements.append(f"UPDATE event_heads SET chain = {self._bytes(prev)} WHERE session_id = {self._text(sid)}")
        self._sql("; ".join(statements))

    def delete_signatures(self, sid: str):
        self._sql(f"DELETE FROM heads WHERE session_id = {self._text(sid)}; "
                  f"DELETE FROM checkpoints WHERE session_id = {self._text(sid)}")

    def checkpoints(self, sid: str) -> list[tuple[int, str]]:
        rows = self._sql(f"SELECT seq, state FROM checkpoints WHERE session_id = {self._text(sid)} ORDER BY seq")
        return [(int(seq), state) for seq, state in rows]

    def forge_heads(self, sid: str, key: AttackerKey, signed_at: str = "2026-01-01T00:00:00.000Z"):
        seq, chain_hex = self._sql(
            f"SELECT seq, encode(chain, 'hex') FROM events WHERE session_id = {self._text(sid)} ORDER BY seq DESC LIMIT 1")[0]
        seq, chain = int(seq), bytes.fromhex(chain_hex)
        self.delete_signatures(sid)
        v1 = key.sign(head_message_v1(sid, seq, chain.hex()))
        v2 = key.sign(head_message_v2(sid, seq, chain.hex(), "ended", signed_at))
        self._sql(
            f"INSERT INTO heads (session_id, seq, chain, signature, public_key, signed_at) VALUES ("
            f"{self._text(sid)}, {seq}, {self._bytes(chain)}, {self._bytes(v1)}, {self._bytes(key.public)}, "
            f"{self._text(signed_at)}); "
            f"INSERT INTO checkpoints (session_id, seq, state, chain, signature, key_id, signed_at) VALUES ("
            f"{self._text(sid)}, {seq}, 'ended', {self._bytes(chain)}, {self._bytes(v2)}, "
            f"{self._text(key_id(key.public))}, {self._text(signed_at)})")
