"""Hostile HTTP traffic against the real binary, over raw sockets (issue 16, section 4):
limits decided from the headers before any body is read, request framing that leaves no
room for smuggling, connection caps, slow clients, forwarded client addresses, origins and
TLS. Each test performs the attack and checks what the server answered (and did not)."""

from __future__ import annotations

import json
import socket
import subprocess
import time

import pytest

from harness import WS, run, upgrade_request  # noqa: F401  (upgrade_request: see test_bad_input)

MiB = 1024 * 1024


# --------------------------------------------------------------------------- raw HTTP


def connect(port: int, source: str | None = None, timeout: float = 5.0) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def read_until_closed(s: socket.socket, timeout: float = 5.0) -> tuple[bytes, bool]:
    """Everything the server sends until it closes (True) or `timeout` passes (False)."""
    s.settimeout(0.25)
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


def read_response(s: socket.socket, timeout: float = 5.0) -> tuple[int, dict, bytes]:
    """One HTTP response (status, lower-case headers, body); raises on timeout or close."""
    s.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, headers, rest[:length]


def statuses(data: bytes) -> list[int]:
    """Status codes of every response in a byte stream."""
    out = []
    for part in data.split(b"HTTP/1.1 ")[1:]:
        try:
            out.append(int(part[:3]))
        except ValueError:
            pass
    return out


def request(method: str, path: str, headers: dict | None = None, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# --------------------------------------------------------------------------- limits before work


def test_upload_without_a_valid_token_is_refused_before_its_body(server):
    """An unauthenticated 16 MiB upload is answered 401 from its headers alone, and the
    connection closed: the server never waits for (or buffers) the body."""
    for auth in [{}, {"Authorization": "Bearer not-a-real-token"}, {"Authorization": "Basic eDp5"}]:
        s = connect(server.port)
        s.sendall(request("PUT", "/v1/glossary?agent=quang-ninh-ipa",
                          {**auth, "Content-Length": str(16 * MiB), "Content-Type": "text/tab-separated-values"}))
        status, headers, body = read_response(s, timeout=3)
        assert status == 401, (auth, status, body)
        assert json.loads(body)["error"]["code"] == "unauthorized"
        assert headers.get("connection") == "close"
        _, closed = read_until_closed(s, 3)
        assert closed, "the connection must be closed after refusing an upload"
        s.close()


def test_a_body_on_a_path_or_method_the_api_does_not_serve_is_404_or_405_from_its_headers(server):
    """The preflight answers what the route would (never 401 for a path that is not a staff
    route), from the headers alone, and closes the connection without reading the body."""
    officer = {"Authorization": f"Bearer {server.officer_token}"}
    for method, path, auth, expected in [
        ("POST", "/nothing/here", {}, 404), ("PUT", "/v1/nope", officer, 404),
        ("POST", "/healthz", {}, 405), ("DELETE", "/v1/glossary", officer, 405), ("PUT", "/v1/sessions", {}, 405),
        ("GET", "/healthz", {}, 400), ("POST", "/v1/ws", {}, 426),
        ("POST", "/v1/sessions", {}, 401),
    ]:
        s = connect(server.port)
        s.sendall(request(method, path, {**auth, "Content-Length": str(MiB // 2)}))
        status, headers, body = read_response(s, timeout=3)
        assert status == expected, (method, path, status, body)
        assert headers.get("connection") == "close"
        _, closed = read_until_closed(s, 3)
        assert closed, (method, path)
        s.close()


def test_a_body_route_refuses_a_role_it_does_not_allow_before_the_upload(server):
    reviewer = server.reviewer_token
    s = connect(server.port)
    s.sendall(request("PUT", "/v1/glossary?agent=quang-ninh-ipa",
                      {"Authorization": f"Bearer {reviewer}", "Content-Length": str(16 * MiB)}))
    status, _, body = read_response(s, timeout=3)
    assert status == 403, body
    s.close()


def test_upload_with_a_valid_token_is_read_after_the_check(server):
    """A valid token's request is cleared, then its body read and answered as usual, even
    when the body comes after a pause."""
    payload = json.dumps({"title": "Paused upload"}).encode()
    s = connect(server.port)
    s.sendall(request("POST", "/v1/sessions", {"Authorization": f"Bearer {server.officer_token}",
                                               "Content-Type": "application/json",
                                               "Content-Length": str(len(payload))}))
    s.settimeout(0.8)
    with pytest.raises(socket.timeout):
        s.recv(100)  # nothing is answered before the body
    s.sendall(payload)
    status, headers, body = read_response(s)
    assert status == 201, body
    assert json.loads(body)["title"] == "Paused upload"
    s.close()


def test_body_memory_budget_refuses_uploads_past_it(server_factory):
    """With 20 MiB for all bodies at once, a second 16 MiB upload in flight gets 503 from its
    Content-Length; once the first is gone, uploads are taken again."""
    srv = server_factory("--max-body-memory", "20")
    auth = {"Authorization": f"Bearer {srv.officer_token}", "Content-Length": str(16 * MiB)}
    first = connect(srv.port)
    first.sendall(request("PUT", "/v1/glossary?agent=quang-ninh-ipa", auth))
    time.sleep(0.5)
    second = connect(srv.port)
    second.sendall(request("PUT", "/v1/glossary?agent=quang-ninh-ipa", auth))
    status, headers, body = read_response(second, timeout=3)
    assert status == 503, body
    assert json.loads(body)["error"]["code"] == "unavailable"
    assert headers.get("connection") == "close"
    second.close()
    first.close()
    time.sleep(0.5)
    third = connect(srv.port)
    third.sendall(request("PUT", "/v1/glossary?agent=quang-ninh-ipa", auth))
    third.settimeout(1.0)
    with pytest.raises(socket.timeout):
        third.recv(100)  # accepted: waiting for its body
    third.close()
    st, js, _ = srv.http("GET", "/healthz")
    assert st == 200


def test_oversized_content_length_is_413_and_the_connection_closed(server):
    """A body over the route's limit is refused from Content-Length alone; a request
    pipelined behind it is never answered."""
    s = connect(server.port)
    s.sendall(request("POST", "/v1/sessions", {"Authorization": f"Bearer {server.officer_token}",
                                               "Content-Length": str(2 * MiB)})
              + request("GET", "/healthz"))
    data, closed = read_until_closed(s, 4)
    assert statuses(data) == [413], data[:300]
    assert b"connection: close" in data.lower()
    assert closed
    s.close()


# --------------------------------------------------------------------------- framing


def test_transfer_encoding_is_refused_and_its_smuggled_request_never_answered(server):
    smuggled = request("GET", "/metrics")
    for headers in [{"Transfer-Encoding": "chunked"},
                    {"Transfer-Encoding": "chunked", "Content-Length": "4"},
                    {"Content-Length": "4", "Transfer-Encoding": " chunked"}]:
        s = connect(server.port)
        s.sendall(request("POST", "/v1/sessions",
                          {"Authorization": f"Bearer {server.officer_token}", **headers},
                          b"0\r\n\r\n" + smuggled))
        data, closed = read_until_closed(s, 4)
        assert statuses(data) in ([501], [400]), (headers, data[:300])
        assert closed, headers
        assert b"# TYPE" not in data
        s.close()


def test_duplicate_or_malformed_content_length_is_refused(server):
    for lengths in [["0", "40"], ["13", "13"], ["13, 13"], ["+13"], ["0x0d"]]:
        body = json.dumps({"title": "dup"}).encode()
        head = "\r\n".join([f"POST /v1/sessions HTTP/1.1", "Host: 127.0.0.1",
                            f"Authorization: Bearer {server.officer_token}"]
                           + [f"Content-Length: {v}" for v in lengths])
        s = connect(server.port)
        s.sendall(head.encode() + b"\r\n\r\n" + body + request("GET", "/healthz"))
        data, closed = read_until_closed(s, 4)
        assert statuses(data) == [400], (lengths, data[:300])
        assert closed, lengths
        s.close()


def test_bytes_after_a_body_are_never_taken_for_a_request(server):
    """A Content-Length too small leaves the rest of the body in the stream: it is not
    answered as a request (the connection closes after the body's response)."""
    payload = json.dumps({"title": "Short"}).encode()
    s = connect(server.port)
    s.sendall(request("POST", "/v1/sessions", {"Authorization": f"Bearer {server.officer_token}",
                                               "Content-Type": "application/json",
                                               "Content-Length": str(len(payload))}, payload)
              + request("GET", "/v1/sessions", {"Authorization": f"Bearer {server.officer_token}"}))
    data, closed = read_until_closed(s, 4)
    assert statuses(data) == [201], data[:400]
    assert closed


def test_content_length_too_large_swallows_the_next_request_then_times_out(server_factory):
    srv = server_factory("--request-timeout", "2")
    payload = json.dumps({"title": "Long"}).encode()
    s = connect(srv.port)
    s.sendall(request("POST", "/v1/sessions", {"Authorization": f"Bearer {srv.officer_token}",
                                               "Content-Length": str(len(payload) + 200)}, payload)
              + request("GET", "/healthz"))
    data, closed = read_until_closed(s, 8)
    assert statuses(data) == [], data[:300]
    assert closed, "a body that never completes is cut off at its deadline"


def test_requests_without_a_body_keep_the_connection(server):
    s = connect(server.port)
    s.sendall(request("GET", "/healthz"))
    first = read_response(s)
    s.sendall(request("GET", "/healthz"))
    second = read_response(s)
    assert first[0] == second[0] == 200
    assert first[1].get("connection") != "close"
    s.close()


# --------------------------------------------------------------------------- slow clients


def test_slow_headers_are_cut_off(server_factory):
    srv = server_factory("--request-timeout", "2")
    s = connect(srv.port)
    started = time.monotonic()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    closed = False
    try:
        for i in range(20):
            time.sleep(0.5)
            s.sendall(b"X-Slow-%d: y\r\n" % i)
    except (BrokenPipeError, ConnectionResetError):
        closed = True
    if not closed:
        _, closed = read_until_closed(s, 3)
    assert closed and time.monotonic() - started < 8, "a client trickling its headers must be cut off"


def test_slow_body_is_cut_off(server_factory):
    srv = server_factory("--request-timeout", "2")
    s = connect(srv.port)
    started = time.monotonic()
    s.sendall(request("POST", "/v1/sessions", {"Authorization": f"Bearer {srv.officer_token}",
                                               "Content-Length": "400"}))
    closed = False
    try:
        for _ in range(40):
            time.sleep(0.5)
            s.sendall(b" ")
    except (BrokenPipeError, ConnectionResetError):
        closed = True
    if not closed:
        data, closed = read_until_closed(s, 3)
        assert statuses(data) == []
    assert closed and time.monotonic() - started < 10, "a client trickling its body must be cut off"


# --------------------------------------------------------------------------- connection caps


def test_connections_per_address_and_in_all_are_capped(server_factory):
    srv = server_factory("--max-connections", "6", "--max-connections-per-address", "3")
    held = []
    for _ in range(3):
        s = connect(srv.port)
        s.sendall(request("GET", "/healthz"))
        assert read_response(s)[0] == 200
        held.append(s)
    extra = connect(srv.port)
    extra.sendall(request("GET", "/healthz"))
    status, headers, body = read_response(extra)
    assert status == 503 and headers.get("connection") == "close", body
    assert "address" in json.loads(body)["error"]["message"]
    extra.close()
    # Other addresses fill the rest; past the total everyone is told 503.
    for source in ["127.0.0.2", "127.0.0.2", "127.0.0.3"]:
        s = connect(srv.port, source=source)
        s.sendall(request("GET", "/healthz"))
        assert read_response(s)[0] == 200
        held.append(s)
    extra = connect(srv.port, source="127.0.0.4")
    extra.sendall(request("GET", "/healthz"))
    status, _, body = read_response(extra)
    assert status == 503 and "limit" in json.loads(body)["error"]["message"], body
    extra.close()

    # A WebSocket past the cap is upgraded and closed with 1013 (try again later).
    async def go():
        ws = await WS.connect(srv.ws_url)
        for _ in range(40):
            if ws.closed:
                break
            await __import__("asyncio").sleep(0.1)
        assert ws.close_code == 1013, (ws.close_code, ws.close_reason)
    run(go())

    # Spoofed forwarding headers do not make an untrusted client someone else.
    s = connect(srv.port)
    s.sendall(request("GET", "/healthz", {"X-Forwarded-For": "198.51.100.7"}))
    assert read_response(s)[0] == 503
    s.close()
    for s in held:
        s.close()
    time.sleep(0.5)
    s = connect(srv.port)
    s.sendall(request("GET", "/healthz"))
    assert read_response(s)[0] == 200, "room again once connections close"
    s.close()


def test_repeated_refusals_are_counted_but_logged_once_a_minute(server_factory):
    """A client hammering a full address costs a counter each time, not a log line each time."""
    srv = server_factory("--max-connections-per-address", "2")
    held = []
    for _ in range(2):
        s = connect(srv.port)
        s.sendall(request("GET", "/healthz"))
        assert read_response(s)[0] == 200
        held.append(s)
    for _ in range(25):
        s = connect(srv.port)
        s.sendall(request("GET", "/healthz"))
        assert read_response(s)[0] == 503
        s.close()
    for _ in range(5):  # refused upgrades (wrong path) from another address
        s = connect(srv.port, source="127.0.0.3")
        s.sendall(request("GET", "/elsewhere", {"Upgrade": "websocket", "Connection": "Upgrade",
                                                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                                                "Sec-WebSocket-Version": "13"}))
        assert read_response(s)[0] == 404
        s.close()
    metrics = connect(srv.port, source="127.0.0.2")
    metrics.sendall(request("GET", "/metrics"))
    status, _, body = read_response(metrics)
    assert status == 200
    text = body.decode()
    assert 'dialogue_refusals_total{reason="address_full"} 25' in text, text
    assert 'dialogue_refusals_total{reason="upgrade"} 5' in text, text
    metrics.close()
    for s in held:
        s.close()
    time.sleep(0.3)
    log = srv.stderr_text()
    assert log.count("connection refused: address full") == 1, log[-3000:]
    assert log.count("upgrade refused") == 1, log[-3000:]


# --------------------------------------------------------------------------- client address


def test_a_forwarded_remote_client_never_gets_metrics(server_factory):
    # A proxy on loopback relays a remote client: with the proxy trusted, the client is
    # the forwarded address, which is not loopback.
    srv = server_factory("--trusted-proxy", "127.0.0.1/32")
    assert srv.http("GET", "/metrics")[0] == 200
    for headers in [{"X-Forwarded-For": "203.0.113.5"}, {"X-Forwarded-For": "127.0.0.1, 203.0.113.5"},
                    {"X-Forwarded-For": "unknown"}]:
        st, _, _ = srv.http("GET", "/metrics", headers=headers)
        assert st == 404, headers
    # The proxy itself may still read its own metrics; a forwarded loopback client too.
    assert srv.http("GET", "/metrics", headers={"X-Forwarded-For": "127.0.0.1"})[0] == 200
    # Not trusted: forwarding headers mean some proxy relayed the request, so no loopback answer.
    plain = server_factory()
    assert plain.http("GET", "/metrics", headers={"X-Forwarded-For": "203.0.113.5"})[0] == 404
    assert plain.http("GET", "/metrics")[0] == 200


def test_a_client_sent_forwarded_header_is_never_read_behind_an_x_forwarded_for_proxy(server_factory):
    """The documented nginx/HAProxy set-up appends the client to X-Forwarded-For and passes a
    client's own `Forwarded` on unchanged: by default (--forwarded-header x-forwarded-for) it
    must earn neither loopback privileges nor a fresh address per guess."""
    import time
    srv = server_factory("--trusted-proxy", "127.0.0.1/32")
    proxied = {"X-Forwarded-For": "203.0.113.70"}
    assert srv.http("GET", "/metrics", headers={**proxied, "Forwarded": "for=127.0.0.1"})[0] == 404
    assert srv.http("GET", "/metrics", headers={**proxied, "Forwarded": "for=\"[::1]\""})[0] == 404
    # A fresh for= per guess does not escape the sign-in delay: the client is 203.0.113.70.
    for i in range(20):
        headers = {**proxied, "Forwarded": f"for=198.51.100.{i}"}
        assert srv.http("GET", "/v1/sessions", token=f"bad-{i}", headers=headers)[0] == 401
    start = time.monotonic()
    st = srv.http("GET", "/v1/sessions", token="bad-20", headers={**proxied, "Forwarded": "for=198.51.100.99"})[0]
    assert st == 401 and time.monotonic() - start >= 0.9
    # Told to read Forwarded, the server ignores X-Forwarded-For instead.
    rfc = server_factory("--trusted-proxy", "127.0.0.1/32", "--forwarded-header", "forwarded")
    assert rfc.http("GET", "/metrics", headers={"Forwarded": "for=203.0.113.70", "X-Forwarded-For": "127.0.0.1"})[0] == 404
    assert rfc.http("GET", "/metrics", headers={"Forwarded": "for=127.0.0.1", "X-Forwarded-For": "203.0.113.70"})[0] == 200


def test_sign_in_failures_are_counted_per_forwarded_client(server_factory):
    """Past 20 failures a minute an address's refusals are answered after 1 s (docs/protocol.md,
    "Failed sign-ins"): the counting must use the forwarded client, and only from a trusted proxy."""
    import time

    def timed(srv, token, headers):
        start = time.monotonic()
        st = srv.http("GET", "/v1/sessions", token=token, headers=headers)[0]
        return st, time.monotonic() - start

    srv = server_factory("--trusted-proxy", "127.0.0.0/8")
    attacker = {"X-Forwarded-For": "203.0.113.66"}
    for i in range(20):
        assert timed(srv, f"bad-{i}", attacker)[0] == 401
    st, took = timed(srv, "bad-20", attacker)
    assert st == 401 and took >= 0.9, (st, took)
    # Another client behind the same proxy is a different address: answered at once.
    st, took = timed(srv, "bad-x", {"X-Forwarded-For": "198.51.100.2"})
    assert st == 401 and took < 0.5, (st, took)
    # And a valid token from the attacked client always passes.
    assert srv.http("GET", "/v1/sessions", token=srv.officer_token, headers=attacker)[0] == 200
    # Without trust, the header is ignored: everyone is the proxy's address, so a forged
    # X-Forwarded-For does not give each guess a fresh address.
    plain = server_factory()
    for i in range(20):
        assert timed(plain, f"bad-{i}", {"X-Forwarded-For": f"203.0.113.{i}"})[0] == 401
    st, took = timed(plain, "bad-20", {"X-Forwarded-For": "203.0.113.99"})
    assert st == 401 and took >= 0.9, (st, took)


# --------------------------------------------------------------------------- origins, CSP, TLS


def test_websockets_from_foreign_origins_are_refused_by_default(server):
    st, body = upgrade_request(server.port, "/v1/ws", {"Origin": "https://evil.example"})
    assert st == 403, body

    async def go():
        with pytest.raises(Exception):
            await WS.connect(server.ws_url, origin="https://evil.example")
        own = f"http://127.0.0.1:{server.port}"
        for origin in [own, None]:
            ws = await WS.connect(server.ws_url, origin=origin)
            w = await ws.hello(server.officer_token)
            assert w["you"]["role"] == "officer"
            await ws.close()
    run(go())


def test_public_url_origin_is_allowed(server_factory):
    srv = server_factory("--public-url", "https://meet.example.gov")
    assert upgrade_request(srv.port, "/v1/ws", {"Origin": "https://meet.example.gov"})[0] == 101
    assert upgrade_request(srv.port, "/v1/ws", {"Origin": "https://meet.example.gov.evil.example"})[0] == 403


def test_pages_only_connect_to_their_own_origin(server):
    st, _, headers = server.http("GET", "/")
    csp = headers.get("Content-Security-Policy") or ""
    assert st == 200 and "connect-src 'self'" in csp and "ws:" not in csp, csp
    assert headers.get("Strict-Transport-Security") is None  # plain http: HSTS would be ignored


def _certificate(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    p = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                        "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return key, cert


def _handshake(port: int, *args: str) -> tuple[bool, str]:
    p = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "127.0.0.1",
                        *args], input="", capture_output=True, text=True, timeout=20)
    out = p.stdout + p.stderr
    ok = p.returncode == 0 and "Cipher is (NONE)" not in out and "New, (NONE)" not in out
    return ok, out


def test_tls_only_modern_versions_and_ciphers(server_factory, tmp_path):
    key, cert = _certificate(tmp_path)
    srv = server_factory("--tls-cert", str(cert), "--tls-key", str(key))
    ok, out = _handshake(srv.port, "-tls1_3")
    assert ok, out[-800:]
    ok, out = _handshake(srv.port, "-tls1_2")
    assert ok and "ECDHE" in out, out[-800:]
    for args in [("-tls1", "-cipher", "DEFAULT@SECLEVEL=0"), ("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"),
                 ("-tls1_2", "-cipher", "AES128-SHA"), ("-tls1_2", "-cipher", "AES256-SHA256"),
                 ("-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"), ("-tls1_2", "-cipher", "DES-CBC3-SHA@SECLEVEL=0")]:
        ok, out = _handshake(srv.port, *args)
        assert not ok, (args, out[-800:])
    st, _, headers = srv.http("GET", "/healthz")
    assert st == 200
    assert "max-age=" in (headers.get("Strict-Transport-Security") or "")
