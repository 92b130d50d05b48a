"""Transport options: TLS, permessage-deflate, pings of idle connections, the web root."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import time

import pytest

from harness import WS, connect, officer, run


# ------------------------------------------------------------------ a raw client (no auto-pong)

class RawWS:
    def __init__(self, port: int, path: str = "/v1/ws"):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                        f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.s.recv(4096)
            assert chunk, "closed during handshake"
            buf += chunk
        head, self.buf = buf.split(b"\r\n\r\n", 1)
        assert b" 101 " in head.split(b"\r\n")[0], head

    def send(self, opcode: int, payload: bytes):
        mask = os.urandom(4)
        n = len(payload)
        hdr = bytes([0x80 | opcode])
        if n < 126:
            hdr += bytes([0x80 | n])
        elif n < 65536:
            hdr += bytes([0x80 | 126]) + n.to_bytes(2, "big")
        else:
            hdr += bytes([0x80 | 127]) + n.to_bytes(8, "big")
        self.s.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _need(self, n: int, deadline: float) -> bool:
        while len(self.buf) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            self.s.settimeout(remaining)
            try:
                chunk = self.s.recv(65536)
            except socket.timeout:
                raise TimeoutError
            except OSError:
                return False
            if not chunk:
                return False
            self.buf += chunk
        return True

    def read(self, timeout: float):
        """(opcode, payload), or None at end of stream; TimeoutError when nothing came."""
        deadline = time.monotonic() + timeout
        if not self._need(2, deadline):
            return None
        b0, b1 = self.buf[0], self.buf[1]
        n, off = b1 & 0x7F, 2
        if n == 126:
            if not self._need(4, deadline):
                return None
            n, off = int.from_bytes(self.buf[2:4], "big"), 4
        elif n == 127:
            if not self._need(10, deadline):
                return None
            n, off = int.from_bytes(self.buf[2:10], "big"), 10
        if not self._need(off + n, deadline):
            return None
        payload = self.buf[off:off + n]
        self.buf = self.buf[off + n:]
        return b0 & 0x0F, payload

    def close(self):
        self.s.close()


def test_idle_connection_is_pinged_and_closed_without_pong(server_factory):
    srv = server_factory("--ping-interval", "1")
    raw = RawWS(srv.port)
    try:
        raw.send(0x1, ('{"type":"hello","language":"en","token":"%s"}' % srv.officer_token).encode())
        op, payload = raw.read(5)
        assert op == 0x1 and b'"welcome"' in payload, (op, payload[:200])
        t0 = time.monotonic()
        ping_at = None
        end = None
        while time.monotonic() - t0 < 12:
            try:
                f = raw.read(12 - (time.monotonic() - t0))
            except TimeoutError:
                break
            if f is None or f[0] == 0x8:
                end = time.monotonic()
                break
            if f[0] == 0x9 and ping_at is None:
                ping_at = time.monotonic()
        assert ping_at is not None, "no ping on an idle connection (--ping-interval 1)"
        assert ping_at - t0 < 3, f"first ping after {ping_at - t0:.1f}s"
        assert end is not None, "connection not closed although pongs never came"
        assert end - t0 <= 3 * 1 + 3, f"closed only after {end - t0:.1f}s"
    finally:
        raw.close()


def test_ponging_connection_stays_open(server_factory):
    srv = server_factory("--ping-interval", "1")

    async def go():
        sid = srv.create_session("Pings")["id"]
        ws, _ = await officer(srv, join=sid)  # the websockets client answers pings itself
        import asyncio
        await asyncio.sleep(4.5)
        assert not ws.closed, (ws.close_code, ws.close_reason)
        r = await ws.say(sid, "still here")
        assert r["type"] == "ack"
        await ws.close()
    run(go())


def test_deflate_only_with_flag(server_factory):
    plain = server_factory()
    defl = server_factory("--deflate")

    async def go():
        ws = await WS.connect(plain.ws_url, compression="deflate")
        assert ws.conn.response.headers.get("Sec-WebSocket-Extensions") is None
        await ws.hello(plain.officer_token)
        await ws.close()
        ws = await WS.connect(defl.ws_url, compression="deflate")
        ext = ws.conn.response.headers.get("Sec-WebSocket-Extensions") or ""
        assert "permessage-deflate" in ext, ext
        sid = defl.create_session("Deflate")["id"]
        await ws.hello(defl.officer_token)
        await ws.join(sid)
        for i in range(5):
            text = f"compressible {i} " * 500
            r = await ws.say(sid, text)
            assert r["type"] == "ack"
            ev = await ws.wait_for(lambda f: f.get("type") == "event" and f.get("seq") == r["seq"])
            assert ev["text"] == text
        await ws.close()
        # without an offer, the server talks uncompressed
        ws = await WS.connect(defl.ws_url)
        await ws.hello(defl.officer_token)
        await ws.close()
    run(go())


def test_tls(server_factory, tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    p = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                        str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip(f"openssl unavailable: {p.stderr}")
    srv = server_factory("--tls-cert", str(cert), "--tls-key", str(key))
    assert srv.scheme == "https", srv.url
    st, js, _ = srv.http("GET", "/healthz")
    assert st == 200 and js == {"status": "ok"}

    async def go():
        sid = srv.create_session("TLS")["id"]
        ws, w = await officer(srv, join=sid)
        assert srv.ws_url.startswith("wss://")
        r = await ws.say(sid, "over TLS")
        assert r["type"] == "ack"
        await ws.close()
    run(go())


def test_web_root_served(server):
    st, body, h = server.http("GET", "/")
    assert st == 200
    assert "text/html" in (h.get("Content-Type") or "")
