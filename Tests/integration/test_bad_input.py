"""Bad input: content faults answer `error` and keep the connection; WebSocket-level faults
close it with the contract's codes (contract section 4, docs/protocol.md)."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets

from harness import (WS, Server, assert_http_error, cid, connect, is_event, officer, run,
                     upgrade_request, upgrade_status)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("srv") / "data", ["--hello-timeout", "2"])
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def sid(srv):
    return srv.create_session("Bad input")["id"]


async def still_usable(ws: WS, sid: str):
    r = await ws.say(sid, "still connected")
    assert r["type"] == "ack", f"connection not usable after a content fault: {r!r}"


@pytest.mark.parametrize("payload,desc", [
    ('{"type": "say", "session": ', "malformed JSON"),
    ('[1, 2, 3]', "not an object"),
    ('"hello"', "a JSON string"),
    ('{"session": "x", "text": "no type"}', "missing type"),
    ('{"type": "dance", "session": "x"}', "unknown type"),
    ('{"type": 7}', "type not a string"),
])
def test_content_fault_gets_error_and_connection_stays(srv, sid, payload, desc):
    async def go():
        ws, _ = await officer(srv, join=sid)
        m = ws.mark()
        await ws.send_raw(payload)
        err = await ws.wait_for("error", since=m)
        assert err["code"] == "bad_request", (desc, err)
        assert isinstance(err.get("message"), str)
        assert not ws.closed
        await still_usable(ws, sid)
        await ws.close()
    run(go())


def test_missing_fields_get_bad_request_with_ref(srv, sid):
    async def go():
        ws, _ = await officer(srv, join=sid)
        c = cid()
        r = await ws.action({"type": "say", "session": sid, "clientId": c})  # no text
        assert r["type"] == "error" and r["code"] == "bad_request" and r["ref"] == c, r
        m = ws.mark()
        await ws.send({"type": "say", "text": "no session, no clientId"})
        r = await ws.wait_for("error", since=m)
        assert r["code"] == "bad_request", r
        m = ws.mark()
        await ws.send({"type": "join"})
        r = await ws.wait_for("error", since=m)
        assert r["code"] == "bad_request", r
        m = ws.mark()
        await ws.send({"type": "moderate", "session": sid, "action": "mute"})  # no target
        r = await ws.wait_for("error", since=m)
        assert r["code"] == "bad_request", r
        await still_usable(ws, sid)
        await ws.close()
    run(go())


def test_second_hello_is_bad_request(srv, sid):
    async def go():
        ws, _ = await officer(srv)
        m = ws.mark()
        await ws.send({"type": "hello", "token": srv.officer_token, "language": "en"})
        r = await ws.wait_for("error", since=m)
        assert r["code"] == "bad_request", r
        await still_usable(ws, sid)
        await ws.close()
    run(go())


async def expect_close(ws: WS, code: int, timeout: float = 5.0):
    got, reason = await ws.wait_closed(timeout)
    assert got == code, f"expected close {code}, got {got} {reason!r}; frames {ws.frames[-3:]!r}"


def test_message_of_exactly_64k_is_accepted(srv, sid):
    async def go():
        ws, _ = await officer(srv, join=sid)
        c = cid()
        prefix = json.dumps({"type": "say", "session": sid, "clientId": c})[:-1] + ', "text": "'
        suffix = '"}'
        msg = prefix + "a" * (65536 - len(prefix) - len(suffix)) + suffix
        assert len(msg.encode()) == 65536
        json.loads(msg)
        await ws.send_raw(msg)
        r = await ws.wait_for(lambda f: (f.get("type") == "ack" and f.get("clientId") == c)
                              or (f.get("type") == "error" and f.get("ref") == c), timeout=5)
        assert not ws.closed
        assert r["type"] in ("ack", "error"), r
        await ws.close()
    run(go())


def test_message_over_64k_closes_1009(srv, sid):
    async def go():
        ws, _ = await officer(srv, join=sid)
        await ws.send_raw(json.dumps({"type": "say", "session": sid, "clientId": cid(),
                                      "text": "x" * 65537}))
        await expect_close(ws, 1009)
    run(go())


def test_fragmented_message_over_64k_closes_1009(srv, sid):
    async def go():
        ws, _ = await officer(srv, join=sid)
        body = json.dumps({"type": "say", "session": sid, "clientId": cid(), "text": "y" * 70000})
        parts = [body[i:i + 20000] for i in range(0, len(body), 20000)]
        await ws.send_raw(parts)
        await expect_close(ws, 1009)
    run(go())


def test_binary_message_closes_1003(srv, sid):
    async def go():
        ws, _ = await officer(srv, join=sid)
        await ws.send_raw(json.dumps({"type": "say", "session": sid, "clientId": cid(), "text": "b"}).encode(),
                          text=False)
        await expect_close(ws, 1003)
    run(go())


def test_invalid_utf8_closes_1007(srv, sid):
    async def go():
        ws, _ = await officer(srv, join=sid)
        bad = b'{"type":"say","session":"' + sid.encode() + b'","clientId":"u8","text":"\xff\xfe\xc3"}'
        await ws.send_raw(bad, text=True)
        await expect_close(ws, 1007)
    run(go())


def test_no_hello_within_timeout(srv):
    async def go():
        ws = await connect(srv)
        t0 = time.monotonic()
        err = await ws.wait_for("error", timeout=8)
        elapsed = time.monotonic() - t0
        assert err["code"] == "unauthorized", err
        assert 1.5 <= elapsed <= 6, f"hello timeout 2 s, but refused after {elapsed:.1f}s"
        await expect_close(ws, 1008)
    run(go())


@pytest.mark.parametrize("first", [
    {"type": "hello", "language": "en"},
    {"type": "hello", "token": "dst_" + "B" * 43, "language": "en"},
    {"type": "join", "session": "ses_aaaaaaaaaaaaaaaa"},
], ids=["missing-token", "bad-token", "not-hello"])
def test_bad_hello_unauthorized_1008(srv, first):
    async def go():
        ws = await connect(srv)
        await ws.send(first)
        err = await ws.wait_for("error")
        assert err["code"] == "unauthorized", err
        assert not ws.find("welcome")
        await expect_close(ws, 1008)
    run(go())


def test_staff_token_in_url_is_not_accepted(srv):
    async def go():
        tok = srv.officer_token
        for q in (f"?token={tok}", f"?access_token={tok}"):
            st = upgrade_status(srv.port, "/v1/ws" + q)
            if st != 101:
                assert st in (400, 401, 403), st
                continue
            ws = await WS.connect(srv.ws_url + q)
            await ws.send({"type": "hello", "language": "en"})
            f = await ws.wait_for(lambda f: f.get("type") in ("welcome", "error"))
            assert f["type"] == "error" and f["code"] == "unauthorized", \
                f"a token in the URL authenticated the connection: {f!r}"
            await expect_close(ws, 1008)
        for q in (f"?token={tok}", f"?access_token={tok}"):
            st, body, _ = srv.http("GET", "/v1/sessions" + q)
            assert st == 401, (q, st, body)
    run(go())


def test_ws_on_other_path_is_404(srv):
    st, body = upgrade_request(srv.port, "/v1/wsx")
    assert_http_error(st, body, 404, "not_found")
    assert upgrade_status(srv.port, "/v1/ws") == 101


def test_ws_endpoint_without_upgrade_is_426(srv):
    st, body = upgrade_request(srv.port, "/v1/ws", upgrade=False)
    assert st == 426, (st, body)


def test_foreign_origin_refused_without_allow_list(srv):
    # Contract section 7: WebSockets from foreign origins are refused by default; the
    # server's own pages (Origin = its Host) and clients sending no Origin are accepted.
    st, body = upgrade_request(srv.port, "/v1/ws", {"Origin": "https://anything.example"})
    assert_http_error(st, body, 403, "forbidden")

    async def go():
        ws = await WS.connect(srv.ws_url, origin=f"http://127.0.0.1:{srv.port}")
        await ws.hello(srv.officer_token)
        await ws.close()
    run(go())


def test_origin_allow_list(server_factory):
    s = server_factory("--allow-origin", "https://good.example")
    st, body = upgrade_request(s.port, "/v1/ws", {"Origin": "https://evil.example"})
    assert_http_error(st, body, 403, "forbidden")

    async def go():
        with pytest.raises(Exception):
            await WS.connect(s.ws_url, origin="https://evil.example")
        ws = await WS.connect(s.ws_url, origin="https://good.example")
        w = await ws.hello(s.officer_token)
        assert w["you"]["role"] == "officer"
        await ws.close()
    run(go())


def test_unknown_session_not_found(srv):
    async def go():
        ws, _ = await officer(srv)
        r = await ws.say("ses_aaaaaaaaaaaaaaaa", "anyone there?")
        assert r["type"] == "error" and r["code"] == "not_found", r
        assert not ws.closed
        await ws.close()
    run(go())


def test_hello_failures_limited_per_address(server_factory):
    """docs/protocol.md: failed hellos are counted per remote address (20 a minute answered at
    once); past that each failure is answered after a second, and valid tokens still pass."""
    own = server_factory()

    async def go():
        codes, slow = [], []
        for _ in range(24):
            ws = await connect(own)
            started = time.monotonic()
            f = await ws.hello_raw("Q" * 32, "en")
            codes.append(f.get("code"))
            slow.append(time.monotonic() - started >= 0.9)
            await ws.wait_closed()
        assert codes == ["unauthorized"] * 24, codes
        assert not any(slow[:20]) and all(slow[21:]), slow
        ws = await connect(own)
        assert (await ws.hello_raw(own.officer_token, "en")).get("type") == "welcome"
        await ws.close()
    run(go())
