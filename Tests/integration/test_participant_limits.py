"""Limits per participant, per session, per invite and per provider (issue 16, section 4,
"Per participant").

The attacks, each against the real server:
- one participant opens several sockets to multiply its frame budget (before, the limit was
  per connection: three sockets sent three bursts);
- several participants together flood one session (`--session-rate-limit`);
- one invite code opens many sockets (at most `--invite-connections`, 3 by default; one more
  gets `rate_limited` and close 1013);
- questions and messages pile up calls to a slow LLM or translator: at most
  `--provider-concurrency` run and `--provider-queue` wait; more questions are refused with
  `rate_limited`, more translations dropped (counted in /metrics), and the dialogue never waits.
"""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from harness import cid, connect, http_request, investor, officer, run
from provider_standin import StandIn


async def blast(ws, sid: str, n: int, kind: str = "say", text: str = "m") -> tuple[list[dict], list[dict]]:
    ids = [cid() for _ in range(n)]
    for i, c in enumerate(ids):
        await ws.send({"type": kind, "session": sid, "text": f"{text} {i}", "clientId": c})
    want = set(ids)
    await ws.until(lambda: len([f for f in ws.frames if f.get("clientId") in want and f.get("type") == "ack"]
                               + [f for f in ws.frames if f.get("ref") in want and f.get("type") == "error"]) >= n,
                   timeout=20, what="every frame answered")
    acks = [f for f in ws.frames if f.get("type") == "ack" and f.get("clientId") in want]
    errs = [f for f in ws.frames if f.get("type") == "error" and f.get("ref") in want]
    return acks, errs


def test_more_sockets_do_not_multiply_a_participants_budget(server):
    sid = server.create_session("Three sockets, one budget")["id"]

    async def go():
        sockets = [(await officer(server, join=sid))[0] for _ in range(3)]
        await asyncio.sleep(0.5)
        results = await asyncio.gather(*[blast(ws, sid, 30) for ws in sockets])
        acks = sum(len(a) for a, _ in results)
        errs = [e for _, es in results for e in es]
        # One bucket of 50 (+ a few refilled at 10/s), not three.
        assert 50 <= acks <= 60, f"{acks} frames accepted over three sockets of one officer"
        assert errs and all(e["code"] == "rate_limited" for e in errs)
        for ws in sockets:
            await ws.close()

    run(go())


def test_a_session_has_a_limit_for_all_its_participants(server_factory):
    srv = server_factory("--session-rate-limit", "1/s,20")
    sid = srv.create_session("Session budget")["id"]
    codes = [srv.create_invite(sid, name=f"Investor {i}", language="en")["code"] for i in range(3)]

    async def go():
        people = [(await investor(srv, code, "en"))[0] for code in codes]
        await asyncio.sleep(0.3)
        results = await asyncio.gather(*[blast(ws, sid, 15) for ws in people])
        acks = sum(len(a) for a, _ in results)
        errs = [e for _, es in results for e in es]
        # 45 frames, each participant under its own limit (50); the session's 20 (plus the
        # three joins already taken, plus refill) caps them together.
        assert acks <= 22, f"{acks} accepted in a session limited to 20"
        assert errs and all(e["code"] == "rate_limited" and "session" in e["message"] for e in errs), errs[:2]
        for ws in people:
            await ws.close()

    run(go())


def test_investors_at_the_session_limit_do_not_lock_the_officer_out(server_factory):
    # Review finding 9: staff frames drew from the session's budget, so investors using
    # it up left the officer's moderate and end refused with rate_limited.
    srv = server_factory("--session-rate-limit", "1/s,20")
    sid = srv.create_session("Officer beyond the session budget")["id"]
    codes = [srv.create_invite(sid, name=f"Investor {i}", language="en")["code"] for i in range(3)]

    async def go():
        off, _ = await officer(srv, join=sid)
        people = [(await investor(srv, code, "en")) for code in codes]
        await asyncio.sleep(0.3)
        results = await asyncio.gather(*[blast(ws, sid, 15) for ws, _, _ in people])
        assert any(e["code"] == "rate_limited" for _, es in results for e in es), "the session budget was not used up"
        # Right away, with the session's bucket empty: mute, two lines, end.
        m = off.mark()
        await off.send({"type": "moderate", "session": sid, "action": "mute", "target": people[0][1]["you"]["id"]})
        for text in ("Order, please.", "We continue with the next question."):
            a = await off.say(sid, text)
            assert a["type"] == "ack", a
        await off.send({"type": "end", "session": sid})
        await off.wait_for(lambda f: f.get("type") == "event" and f.get("kind") == "ended", since=m)
        kinds = [f.get("kind") for f in off.frames[m:] if f.get("type") == "event"]
        assert "moderation" in kinds, kinds
        errors = [f for f in off.frames[m:] if f.get("type") == "error"]
        assert not errors, errors
        await off.close()
        for ws, _, _ in people:
            await ws.close()

    run(go())


def test_an_invite_may_have_at_most_three_sockets(server):
    sid = server.create_session("Sockets per invite")["id"]
    code = server.create_invite(sid, name="Le Van An", language="vi")["code"]

    async def go():
        first = [(await investor(server, code, "vi"))[0] for _ in range(3)]
        fourth = await connect(server)
        answer = await fourth.hello_raw(code, "vi")
        assert answer.get("code") == "rate_limited" and "at most 3" in answer.get("message", ""), answer
        assert await fourth.wait_closed() == (1013, "too many connections for this invite")
        # Once one is closed, a new socket gets in.
        await first[0].close()
        await asyncio.sleep(0.3)
        again, _, _ = await investor(server, code, "vi")
        for ws in (*first[1:], again):
            await ws.close()

    run(go())


@pytest.fixture
def standin():
    s = StandIn()
    yield s
    s.close()


QUESTION = "How many FDI projects does Quang Ninh host, and from how many countries?"


def test_questions_beyond_the_llm_queue_are_refused(server_factory, standin):
    standin.mode, standin.delay = "slow", 3.0
    srv = server_factory("--llm", f"openai:{standin.url}", "--llm-model", "test-llm", "--rate-limit", "off",
                         "--provider-concurrency", "1", "--provider-queue", "1")
    s = srv.create_session("LLM queue", assistant="auto")
    code = srv.create_invite(s["id"], name="Smith", language="en")["code"]

    async def go():
        ws, _, _ = await investor(srv, code, "en")
        acks, errs = await blast(ws, s["id"], 6, kind="ask", text=QUESTION)
        # One question runs, one waits; the other four are refused at once.
        assert len(acks) == 2, (acks, errs)
        assert len(errs) == 4 and all(e["code"] == "rate_limited" for e in errs), errs
        for ack in acks:
            await ws.wait_for(lambda f: f.get("type") == "event" and f.get("kind") == "answer"
                              and f.get("about") == ack["seq"], timeout=30)
        await ws.close()

    run(go())
    assert standin.max_in_flight == 1, f"{standin.max_in_flight} LLM calls at once"


def test_translations_beyond_the_queue_are_dropped_and_the_dialogue_goes_on(server_factory, standin):
    standin.mode, standin.delay = "slow", 2.0
    srv = server_factory("--translator", f"libretranslate:{standin.url}", "--rate-limit", "off",
                         "--provider-concurrency", "1", "--provider-queue", "1")
    sid = srv.create_session("Translator queue", languages=["vi", "en", "fr", "ja"])["id"]

    async def go():
        off, _ = await officer(srv, join=sid)
        started = time.monotonic()
        for i in range(4):
            ack = await off.say(sid, f"Khu kinh tế Vân Đồn số {i}.", language="vi")
            assert ack["type"] == "ack", ack
        assert time.monotonic() - started < 2.0, "acks waited for the translator"
        await off.close()

    run(go())
    time.sleep(0.5)
    status, text, _ = http_request(srv.base, "GET", "/metrics")
    assert status == 200
    dropped = int(re.search(r'dialogue_provider_dropped_total\{provider="translator"\} (\d+)', text).group(1))
    # 4 messages × 3 target languages = 12 requests; 1 runs and 1 waits at a time.
    assert dropped >= 8, text
    assert standin.max_in_flight == 1, f"{standin.max_in_flight} translation calls at once"
