"""Helpers for the dialogue-server integration suite (see conftest.py for fixtures).

Starts the real binary (DIALOGUE_SERVER_BIN, default .build/debug/dialogue-server) on
127.0.0.1 with --port 0 and a temporary data folder, talks to it over HTTP (urllib) and
WebSocket (the `websockets` asyncio client), and runs its CLI.
"""

from __future__ import annotations

import asyncio
import glob
import json
import os
import queue
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Callable

import websockets
from websockets.exceptions import ConnectionClosed

REPO = Path(__file__).resolve().parents[2]
BIN = os.environ.get("DIALOGUE_SERVER_BIN", str(REPO / ".build" / "debug" / "dialogue-server"))
AGENTS = os.environ.get("DIALOGUE_AGENTS", str(REPO / "Agents"))
AGENT_ID = "quang-ninh-ipa"
START_TIMEOUT = 30.0
RECV_TIMEOUT = 5.0

_URL_RE = re.compile(r"^url:\s*(https?://([^/:]+):(\d+)/)\s*$")
_TOKEN_RE = re.compile(r"^officer-token:\s*(\S+)\s*$")

import ssl

INSECURE_TLS = ssl.create_default_context()
INSECURE_TLS.check_hostname = False
INSECURE_TLS.verify_mode = ssl.CERT_NONE

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                        urllib.request.HTTPSHandler(context=INSECURE_TLS))


# --------------------------------------------------------------------------- HTTP


def http_request(base: str, method: str, path: str, token: str | None = None,
                 body: Any = None, headers: dict | None = None, raw: bytes | None = None,
                 timeout: float = 10.0):
    """Returns (status, parsed JSON or text or None, headers)."""
    url = base.rstrip("/") + path
    hdrs = dict(headers or {})
    data = None
    if raw is not None:
        data = raw
    elif body is not None:
        if isinstance(body, (bytes, bytearray)):
            data = bytes(body)
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
    if token is not None:
        hdrs["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        resp = _NO_PROXY.open(req, timeout=timeout)
        status, payload, rh = resp.status, resp.read(), resp.headers
    except urllib.error.HTTPError as e:
        status, payload, rh = e.code, e.read(), e.headers
    text = payload.decode("utf-8", errors="replace") if payload else ""
    ctype = (rh.get("Content-Type") or "").lower()
    parsed: Any = text if text else None
    if text and ("json" in ctype or text.lstrip()[:1] in "{["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text
    return status, parsed, rh


def upgrade_request(port: int, path: str = "/v1/ws", headers: dict | None = None, upgrade: bool = True):
    """(status, parsed body) of a raw WebSocket upgrade request. Python `websockets` refuses to
    parse libwebsockets' HTTP/1.0 refusals, so refusals are checked with http.client."""
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        h = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
             "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="} if upgrade else {}
        h.update(headers or {})
        c.request("GET", path, headers=h)
        r = c.getresponse()
        if r.status == 101:
            return 101, None
        text = r.read().decode("utf-8", errors="replace")
        try:
            return r.status, json.loads(text)
        except ValueError:
            return r.status, text
    finally:
        c.close()


def upgrade_status(port: int, path: str = "/v1/ws", headers: dict | None = None) -> int:
    return upgrade_request(port, path, headers)[0]


def assert_http_error(status, body, expected_status: int, code: str):
    assert status == expected_status, f"expected HTTP {expected_status} {code}, got {status}: {body!r}"
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), \
        f"error body must be {{'error':{{'code','message'}}}}, got {body!r}"
    assert body["error"].get("code") == code, f"expected code {code!r}, got {body!r}"
    assert isinstance(body["error"].get("message"), str), f"error.message missing: {body!r}"


# --------------------------------------------------------------------------- CLI


def cli(*args: str, cwd: str | os.PathLike | None = None, timeout: float = 60.0) -> subprocess.CompletedProcess:
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True,
                          cwd=str(cwd or REPO), timeout=timeout)


def staff_add(data_dir, name: str, role: str, *extra: str) -> str:
    p = cli("staff", "add", "--name", name, "--role", role, "--data", data_dir, *extra)
    assert p.returncode == 0, f"staff add failed ({p.returncode}): {p.stderr}"
    lines = [l for l in p.stdout.splitlines() if l.strip()]
    assert len(lines) == 1, f"staff add must print the token alone on one line, got {p.stdout!r}"
    return lines[0].strip()


def agent_languages() -> list[str]:
    """The languages the only agent pack serves (from its agent.json)."""
    default = ["vi", "en", "fr", "ja", "ko", "zh"]
    path = Path(AGENTS) / AGENT_ID / "agent.json"
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return default
    langs = doc.get("languages")
    if isinstance(langs, list) and langs:
        out = []
        for l in langs:
            if isinstance(l, str):
                out.append(l)
            elif isinstance(l, dict) and "code" in l:
                out.append(l["code"])
        if out:
            return out
    if isinstance(langs, dict) and langs:
        return list(langs)
    return default


def find_database(data_dir) -> str:
    # index.sqlite and transcript-index.sqlite are search indexes (derived data), not the event store.
    cands = sorted(c for c in glob.glob(os.path.join(str(data_dir), "*.sqlite"))
                   if not os.path.basename(c).endswith("index.sqlite"))
    if not cands:
        cands = sorted(glob.glob(os.path.join(str(data_dir), "*.sqlite3")) +
                       glob.glob(os.path.join(str(data_dir), "*.db")))
    assert len(cands) == 1, f"expected exactly one database file in {data_dir}, found {cands} " \
                            f"(dir: {os.listdir(data_dir)})"
    return cands[0]


# --------------------------------------------------------------------------- server


class Server:
    def __init__(self, data_dir, extra: list[str] | None = None, host: str = "127.0.0.1"):
        self.data = Path(data_dir)
        self.data.mkdir(parents=True, exist_ok=True)
        self.extra = list(extra or [])
        self.host = host
        self.proc: subprocess.Popen | None = None
        self.url: str | None = None
        self.port: int | None = None
        self.officer_token: str | None = None
        self.starts = 0
        self.scheme = "http"
        self.stdout_lines: list[str] = []
        self.stderr_path = self.data.parent / f"{self.data.name}-stderr.log"
        self._reviewer_token: str | None = None

    # -- lifecycle
    def start(self, expect_token: bool | None = None, timeout: float = START_TIMEOUT):
        if expect_token is None:
            expect_token = self.starts == 0
        self.starts += 1
        self.stdout_lines = []
        args = [BIN, "serve", "--host", self.host, "--port", "0", "--data", str(self.data),
                "--agents", AGENTS, *self.extra]
        self._stderr = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr,
                                     stdin=subprocess.DEVNULL, cwd=str(REPO))
        q: queue.Queue = queue.Queue()

        def pump(stream, proc_lines):
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                proc_lines.append(line)
                q.put(line)
            q.put(None)

        threading.Thread(target=pump, args=(self.proc.stdout, self.stdout_lines), daemon=True).start()
        deadline = time.monotonic() + timeout
        url = token = None
        eof = False
        while not (url and (token or not expect_token)):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or eof:
                break
            try:
                line = q.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                eof = True
                continue
            m = _URL_RE.match(line.strip())
            if m:
                url = m.group(1)
                self.port = int(m.group(3))
                self.scheme = url.split(":", 1)[0]
                continue
            m = _TOKEN_RE.match(line.strip())
            if m:
                token = m.group(1)
        if not (url and (token or not expect_token)):
            rc = self.proc.poll()
            self._terminate()
            raise AssertionError(
                f"server did not print url{' and officer-token' if expect_token else ''} within "
                f"{timeout}s (exit code {rc}); stdout={self.stdout_lines!r}\n"
                f"stderr:\n{self.stderr_text()[-6000:]}")
        self.url = url
        if token:
            self.officer_token = token
        return self

    def stderr_text(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    def _terminate(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def _close_log(self):
        try:
            self._stderr.close()
        except Exception:
            pass

    def stop(self, sig=signal.SIGTERM, timeout: float = 10.0) -> int | None:
        """Signal the server, wait for it to exit (kill after `timeout`); returns its exit code,
        or None if it had to be killed."""
        if not self.proc:
            return None
        try:
            if self.proc.poll() is not None:
                return self.proc.returncode
            self.proc.send_signal(sig)
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                return None
        finally:
            self._close_log()

    def kill(self):
        """SIGKILL, as a crash."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)
        self._close_log()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- access
    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"{'wss' if self.scheme == 'https' else 'ws'}://127.0.0.1:{self.port}/v1/ws"

    def http(self, method: str, path: str, token: str | None = None, body: Any = None, **kw):
        return http_request(self.base, method, path, token=token, body=body, **kw)

    def add_staff(self, name: str, role: str) -> str:
        # A node on a shared store keeps its staff there.
        store = self.extra[self.extra.index("--store"):][:2] if "--store" in self.extra else []
        return staff_add(self.data, name, role, *store)

    @property
    def reviewer_token(self) -> str:
        if self._reviewer_token is None:
            self._reviewer_token = self.add_staff(f"reviewer-{uuid.uuid4().hex[:6]}", "reviewer")
        return self._reviewer_token

    # -- domain helpers (HTTP, as the officer)
    def create_session(self, title: str | None = None, **fields) -> dict:
        body = {"title": title or f"Session {uuid.uuid4().hex[:8]}", **fields}
        st, js, _ = self.http("POST", "/v1/sessions", self.officer_token, body)
        assert st == 201, f"create session: {st} {js!r}"
        return js

    def create_invite(self, session_id: str, name: str = "Sato Haruki", language: str = "ja", **fields) -> dict:
        body = {"name": name, "language": language, **fields}
        st, js, _ = self.http("POST", f"/v1/sessions/{session_id}/invites", self.officer_token, body)
        assert st == 201, f"create invite: {st} {js!r}"
        return js

    def transcript(self, session_id: str, token: str | None = None) -> dict:
        st, js, _ = self.http("GET", f"/v1/sessions/{session_id}/transcript?format=json",
                              token or self.officer_token)
        assert st == 200 and isinstance(js, dict), f"transcript: {st} {js!r}"
        return js


# --------------------------------------------------------------------------- async / WS


def run(coro, timeout: float = 90.0):
    """Run an async scenario from a normal test function."""
    async def main():
        return await asyncio.wait_for(coro, timeout)
    return asyncio.run(main())


def cid() -> str:
    return uuid.uuid4().hex


def _matcher(match) -> Callable[[dict], bool]:
    if match is None:
        return lambda f: True
    if isinstance(match, str):
        return lambda f: isinstance(f, dict) and f.get("type") == match
    return match


class WS:
    """A small client over `websockets`: frames are read in the background into `frames`."""

    def __init__(self, conn):
        self.conn = conn
        self.frames: list[dict] = []
        self.times: list[float] = []  # arrival time (time.monotonic) of each frame
        self.cursor = 0
        self.closed = False
        self.close_code: int | None = None
        self.close_reason: str | None = None
        self._cond = asyncio.Condition()
        self._task = asyncio.create_task(self._reader())

    @classmethod
    async def connect(cls, url: str, origin: str | None = None, headers: dict | None = None,
                      compression: str | None = None) -> "WS":
        kw = {"ssl": INSECURE_TLS} if url.startswith("wss:") else {}
        conn = await websockets.connect(url, max_size=None, compression=compression, proxy=None,
                                        open_timeout=5, ping_interval=None, close_timeout=3,
                                        origin=origin, additional_headers=headers, **kw)
        return cls(conn)

    async def _reader(self):
        try:
            async for msg in self.conn:
                arrived = time.monotonic()
                if isinstance(msg, str):
                    try:
                        frame = json.loads(msg)
                    except ValueError:
                        frame = {"type": "<not json>", "raw": msg}
                else:
                    frame = {"type": "<binary>", "raw": msg}
                async with self._cond:
                    self.frames.append(frame)
                    self.times.append(arrived)
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        except Exception:  # pragma: no cover - transport faults count as closed
            pass
        finally:
            self.closed = True
            self.close_code = self.conn.close_code
            self.close_reason = self.conn.close_reason
            async with self._cond:
                self._cond.notify_all()

    async def _wait(self, check, timeout: float, what: str):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._cond:
            while True:
                r = check()
                if r is not None:
                    return r
                if self.closed:
                    raise AssertionError(f"connection closed ({self.close_code} {self.close_reason!r}) "
                                         f"while waiting for {what}; last frames: {self.frames[-8:]!r}")
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout}s waiting for {what}; "
                                         f"last frames: {self.frames[-8:]!r}")
                try:
                    await asyncio.wait_for(self._cond.wait(), remaining)
                except asyncio.TimeoutError:
                    pass

    async def until(self, fn, timeout: float = RECV_TIMEOUT, what: str = "a condition"):
        """Wait until fn() returns something other than None/False (re-checked on every frame)."""
        def check():
            r = fn()
            return r if r not in (None, False) else None
        return await self._wait(check, timeout, what)

    async def wait_seq(self, seq: int, session: str | None = None, timeout: float = RECV_TIMEOUT):
        """Wait until an event with this seq was seen (live or in history)."""
        return await self.until(lambda: any(e.get("seq") == seq for e in self.events(session)),
                                timeout, f"event seq {seq}")

    # -- sending
    async def send(self, obj: dict):
        await self.conn.send(json.dumps(obj))

    async def send_raw(self, data, text: bool | None = None):
        await self.conn.send(data, text=text)

    # -- receiving
    def mark(self) -> int:
        return len(self.frames)

    async def recv(self, timeout: float = RECV_TIMEOUT) -> dict:
        def check():
            if self.cursor < len(self.frames):
                f = self.frames[self.cursor]
                self.cursor += 1
                return f
            return None
        return await self._wait(check, timeout, "a frame")

    async def recv_until(self, match, timeout: float = RECV_TIMEOUT) -> dict:
        """Next frame at or after the cursor that matches (type name or predicate); the cursor
        moves past it (skipped frames stay in `frames`)."""
        m = _matcher(match)

        def check():
            for i in range(self.cursor, len(self.frames)):
                if m(self.frames[i]):
                    self.cursor = i + 1
                    return self.frames[i]
            return None
        return await self._wait(check, timeout, f"frame matching {match!r}")

    async def wait_for(self, match, timeout: float = RECV_TIMEOUT, since: int = 0) -> dict:
        """First frame at index >= since that matches; does not move the cursor."""
        m = _matcher(match)

        def check():
            for i in range(since, len(self.frames)):
                if m(self.frames[i]):
                    return self.frames[i]
            return None
        return await self._wait(check, timeout, f"frame matching {match!r}")

    def find(self, match, since: int = 0) -> list[dict]:
        m = _matcher(match)
        return [f for f in self.frames[since:] if m(f)]

    async def expect_none(self, match, duration: float = 1.0, since: int | None = None):
        start = self.mark() if since is None else since
        await asyncio.sleep(duration)
        bad = self.find(match, start)
        assert not bad, f"unexpected frames: {bad!r}"

    async def wait_closed(self, timeout: float = RECV_TIMEOUT) -> tuple[int | None, str | None]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._cond:
            while not self.closed:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise AssertionError(f"connection not closed within {timeout}s; "
                                         f"last frames: {self.frames[-8:]!r}")
                try:
                    await asyncio.wait_for(self._cond.wait(), remaining)
                except asyncio.TimeoutError:
                    pass
        return self.close_code, self.close_reason

    async def close(self):
        try:
            await self.conn.close()
        except Exception:
            pass
        try:
            await asyncio.wait_for(self._task, 5)
        except Exception:
            pass

    def abort(self):
        """Drop the TCP connection without a close handshake (a network drop)."""
        self.conn.transport.abort()

    # -- events
    def events(self, session: str | None = None, since: int = 0) -> list[dict]:
        """Every event seen, from `history` frames and live `event` frames, in arrival order."""
        out = []
        for f in self.frames[since:]:
            if f.get("type") == "history" and (session is None or f.get("session") == session):
                out.extend(f.get("events") or [])
            elif f.get("type") == "event" and (session is None or f.get("session") == session):
                out.append(f)
        return out

    # -- protocol helpers
    async def hello_raw(self, token, language: str = "en", **extra) -> dict:
        """Send hello, return the first welcome or error frame."""
        msg = {"type": "hello", "language": language, **extra}
        if token is not None:
            msg["token"] = token
        await self.send(msg)
        return await self.recv_until(lambda f: f.get("type") in ("welcome", "error"))

    async def hello(self, token, language: str = "en", **extra) -> dict:
        f = await self.hello_raw(token, language, **extra)
        assert f.get("type") == "welcome", f"hello refused: {f!r}"
        return f

    async def read_history(self, timeout: float = RECV_TIMEOUT) -> list[dict]:
        """history frames from the cursor up to the one with complete=true; returns the frames."""
        frames = []
        while True:
            f = await self.recv_until(lambda f: f.get("type") in ("history", "error"), timeout)
            assert f["type"] == "history", f"expected history, got {f!r}"
            frames.append(f)
            if f.get("complete") is True:
                return frames

    async def join(self, session: str, after: int | None = None) -> list[dict]:
        msg = {"type": "join", "session": session}
        if after is not None:
            msg["after"] = after
        await self.send(msg)
        frames = await self.read_history()
        return [e for f in frames for e in (f.get("events") or [])]

    async def action(self, msg: dict, timeout: float = RECV_TIMEOUT) -> dict:
        """Send a frame carrying a clientId, return its ack or the error referring to it."""
        c = msg["clientId"]
        await self.send(msg)
        return await self.wait_for(
            lambda f: (f.get("type") == "ack" and f.get("clientId") == c)
            or (f.get("type") == "error" and f.get("ref") == c), timeout)

    async def say(self, session: str, text: str, client_id: str | None = None, **extra) -> dict:
        return await self.action({"type": "say", "session": session, "text": text,
                                  "clientId": client_id or cid(), **extra})

    async def next_error(self, since: int, timeout: float = RECV_TIMEOUT) -> dict:
        return await self.wait_for("error", timeout, since)


async def connect(server: Server, **kw) -> WS:
    return await WS.connect(server.ws_url, **kw)


async def officer(server: Server, join: str | None = None, token: str | None = None):
    ws = await connect(server)
    welcome = await ws.hello(token or server.officer_token, "en")
    if join:
        await ws.join(join)
    return ws, welcome


async def reviewer(server: Server, join: str | None = None):
    ws = await connect(server)
    welcome = await ws.hello(server.reviewer_token, "en")
    if join:
        await ws.join(join)
    return ws, welcome


async def investor(server: Server, code: str, language: str = "ja", resume: dict | None = None):
    """Connect with an invite code; returns (ws, welcome, history events)."""
    ws = await connect(server)
    extra = {"resume": resume} if resume else {}
    welcome = await ws.hello(code, language, **extra)
    frames = await ws.read_history()
    return ws, welcome, [e for f in frames for e in (f.get("events") or [])]


def is_event(kind: str | None = None, **fields) -> Callable[[dict], bool]:
    def m(f):
        if f.get("type") != "event":
            return False
        if kind is not None and f.get("kind") != kind:
            return False
        return all(f.get(k) == v for k, v in fields.items())
    return m


def is_error(code: str | None = None, ref: str | None = None) -> Callable[[dict], bool]:
    def m(f):
        return f.get("type") == "error" and (code is None or f.get("code") == code) \
            and (ref is None or f.get("ref") == ref)
    return m


def session_id_of(welcome_session) -> str | None:
    """welcome.session may be the session object or its id."""
    if isinstance(welcome_session, dict):
        return welcome_session.get("id")
    return welcome_session


async def stream(ws, sid, prefix, sent: list, stop: asyncio.Event, pause=0.002):
    """Send numbered messages (clientId `prefix-i`) until `stop` is set or the socket closes."""
    i = 0
    try:
        while not stop.is_set() and not ws.closed:
            c = f"{prefix}-{i}"
            await ws.send({"type": "say", "session": sid, "text": f"{prefix} says {i}", "clientId": c})
            sent.append(c)
            i += 1
            await asyncio.sleep(pause)
    except Exception:
        pass


def acked(ws) -> dict:
    """clientId → seq of every ack this connection received."""
    return {f["clientId"]: f["seq"] for f in ws.frames if f.get("type") == "ack"}
