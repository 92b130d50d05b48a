"""Failed sign-ins never lock out valid tokens (issue 16, section 4, "Sign-in failures").

The attack: one attacker behind a shared address (a proxy, a company NAT) sends thousands of
bad tokens; before, the address was blocked after 20 failures a minute *before* any token was
checked, so everyone behind it was refused (429 / `rate_limited`) with valid tokens. Now every
token is checked: valid ones always pass, bad ones past the limit are answered slowly.
"""

from __future__ import annotations

import asyncio
import http.client
import secrets
import time
from concurrent.futures import ThreadPoolExecutor

from harness import connect, run

BAD_WORKERS = 32


def bad_token() -> str:
    return "dst_" + secrets.token_urlsafe(32)[:43]


def get_sessions(port: int, token: str, source: str = "127.0.0.1", timeout: float = 10.0) -> tuple[int, float]:
    """(status, seconds) of GET /v1/sessions with `token`, from the local address `source`."""
    started = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        c.request("GET", "/v1/sessions", headers={"Authorization": f"Bearer {token}"})
        r = c.getresponse()
        r.read()
        return r.status, time.monotonic() - started
    finally:
        c.close()


def test_bad_tokens_from_one_address_never_refuse_a_valid_token(server):
    port = server.port
    stop = time.monotonic() + 6.0
    bad_statuses: list[int] = []

    def attacker():
        while time.monotonic() < stop:
            bad_statuses.append(get_sessions(port, bad_token())[0])

    with ThreadPoolExecutor(BAD_WORKERS) as pool:
        attackers = [pool.submit(attacker) for _ in range(BAD_WORKERS)]
        time.sleep(1.0)  # the address is well over the limit (20 a minute) by now
        valid = [get_sessions(port, server.officer_token) for _ in range(20)]
        for a in attackers:
            a.result()
    assert [s for s, _ in valid] == [200] * 20, f"valid token refused during the attack: {valid}"
    assert len(bad_statuses) >= 100, f"the attack sent only {len(bad_statuses)} bad tokens"
    assert set(bad_statuses) == {401}, f"bad tokens must be refused 401: {set(bad_statuses)}"
    # Valid tokens are answered at once; bad ones past the limit wait a second each.
    assert max(t for _, t in valid) < 0.9, valid
    status, took = get_sessions(port, bad_token())
    assert status == 401 and took >= 0.9, f"a throttled address's failure must be answered slowly ({took:.2f}s)"


def test_bad_tokens_from_many_addresses_never_refuse_valid_tokens(server_factory):
    srv = server_factory()
    port = srv.port
    sources = [f"127.0.0.{i}" for i in range(2, 42)]
    with ThreadPoolExecutor(BAD_WORKERS) as pool:
        bad = list(pool.map(lambda s: [get_sessions(port, bad_token(), s)[0] for _ in range(25)], sources))
    # Every one of those addresses is over the limit; valid tokens from each still pass.
    for source in sources:
        status, took = get_sessions(port, srv.officer_token, source)
        assert status == 200, f"valid token from {source} refused with {status}"
    assert all(set(statuses) == {401} for statuses in bad), bad


def test_bad_hellos_never_refuse_a_valid_hello(server):
    sid = server.create_session("sign-in attack")["id"]
    code = server.create_invite(sid, name="Kim Minji", language="ko")["code"]

    async def go():
        async def bad_hello(token: str) -> dict:
            ws = await connect(server)
            try:
                return await ws.hello_raw(token, "en")
            finally:
                await ws.close()

        # 60 bad staff tokens and invite codes from this address, 20 at a time.
        for _ in range(3):
            answers = await asyncio.gather(
                *[bad_hello(bad_token() if i % 2 else secrets.token_hex(16)) for i in range(20)])
            assert all(a.get("code") == "unauthorized" for a in answers), answers
        for token in (server.officer_token, code):
            ws = await connect(server)
            started = time.monotonic()
            welcome = await ws.hello_raw(token, "ko")
            assert welcome.get("type") == "welcome", f"valid hello refused after bad ones: {welcome!r}"
            assert time.monotonic() - started < 0.9
            await ws.close()

    run(go())
