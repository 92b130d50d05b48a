"""Rate limit per connection: burst then steady rate, `rate_limited`, `--rate-limit` flag."""

from __future__ import annotations

import asyncio
import time

from harness import cid, investor, officer, run


async def blast(ws, sid, n):
    """Send n say frames back to back; returns (acks, rate_limited errors) once all are answered."""
    ids = [cid() for _ in range(n)]
    m = ws.mark()
    for c in ids:
        await ws.send({"type": "say", "session": sid, "text": "burst", "clientId": c})
    want = set(ids)

    def answers():
        return [f for f in ws.frames[m:] if (f.get("type") == "ack" and f.get("clientId") in want)
                or f.get("type") == "error"]
    await ws.until(lambda: len(answers()) >= n, 10, f"answers to {n} frames")
    acks = [f for f in answers() if f["type"] == "ack"]
    errs = [f for f in answers() if f["type"] == "error"]
    for e in errs:
        assert e.get("ref") in want, f"error without the frame's clientId as ref: {e!r}"
    return acks, errs


def test_default_burst_then_rate_limited(server):
    async def go():
        s = server.create_session("Rate default")
        sid = s["id"]
        ws, _ = await officer(server, join=sid)
        await asyncio.sleep(0.4)  # bucket full again (10/s refill)
        acks, errs = await blast(ws, sid, 70)
        t_burst = time.monotonic()
        assert 50 <= len(acks) <= 52, f"burst of 50 expected, {len(acks)} accepted"
        assert len(errs) == 70 - len(acks)
        assert all(e["code"] == "rate_limited" for e in errs), errs[:3]
        assert not ws.closed
        # refused frames stored nothing
        tr = server.transcript(sid)
        assert len([e for e in tr["events"] if e["kind"] == "message"]) == len(acks)
        t_extra = time.monotonic() - t_burst
        # about 10 per second afterwards
        t_empty = time.monotonic()
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - t_empty)))
        elapsed = time.monotonic() - t_empty + t_extra
        acks2, errs2 = await blast(ws, sid, 25)
        lo, hi = int(10 * elapsed) - 2, int(10 * elapsed) + 3
        assert lo <= len(acks2) <= hi, f"~{10 * elapsed:.0f} tokens expected, {len(acks2)} accepted"
        assert all(e["code"] == "rate_limited" for e in errs2)
        # the limit is per participant: a second socket of the same officer shares the bucket
        ws2, _ = await officer(server)
        await asyncio.sleep(0.3)  # about three tokens: one for the join, two for messages
        await ws2.join(sid)
        acks3, errs3 = await blast(ws2, sid, 20)
        assert len(acks3) <= 5 and errs3, f"a second socket must not get a fresh burst: {len(acks3)} acks"
        # another participant has a bucket of its own
        code = server.create_invite(sid, name="Ito Ren", language="ja")["code"]
        inv, _, _ = await investor(server, code, "ja")
        acks4, errs4 = await blast(inv, sid, 20)
        assert len(acks4) == 20 and not errs4
        await inv.close()
        await ws.close()
        await ws2.close()
    run(go())


def test_rate_limit_off(server_factory):
    srv = server_factory("--rate-limit", "off")

    async def go():
        sid = srv.create_session("Rate off")["id"]
        ws, _ = await officer(srv, join=sid)
        acks, errs = await blast(ws, sid, 300)
        assert len(acks) == 300 and not errs, errs[:3]
        await ws.close()
    run(go())


def test_rate_limit_custom(server_factory):
    srv = server_factory("--rate-limit", "5/s,10")

    async def go():
        sid = srv.create_session("Rate custom")["id"]
        ws, _ = await officer(srv, join=sid)
        await asyncio.sleep(0.5)
        acks, errs = await blast(ws, sid, 30)
        assert 10 <= len(acks) <= 11, len(acks)
        assert len(errs) == 30 - len(acks) and all(e["code"] == "rate_limited" for e in errs)
        await ws.close()
    run(go())
