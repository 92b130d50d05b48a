"""Delivery guarantees: gapless seq, idempotent clientId, resume, history chunks, presence."""

from __future__ import annotations

import asyncio

import pytest

from harness import Server, cid, connect, investor, is_event, officer, reviewer, run


@pytest.fixture(scope="module")
def fast(tmp_path_factory):
    """A server without rate limiting, for bulk sends."""
    s = Server(tmp_path_factory.mktemp("srv") / "data", ["--rate-limit", "off"])
    s.start()
    yield s
    s.stop()


def acks(ws, since=0):
    return [f for f in ws.frames[since:] if f.get("type") == "ack"]


async def send_many(ws, sid, prefix, n):
    ids = [f"{prefix}-{i}-{cid()[:8]}" for i in range(n)]
    for i, c in enumerate(ids):
        await ws.send({"type": "say", "session": sid, "text": f"{prefix} message {i}", "clientId": c})
    return ids


async def wait_acks(ws, ids, timeout=20.0):
    """Wait for an ack of every clientId in ids; returns {clientId: seq}."""
    want = set(ids)

    def done():
        errs = [e for e in ws.find("error") if e.get("ref") in want]
        if errs:
            raise AssertionError(f"sends refused: {errs[:5]!r}")
        return want <= {f.get("clientId") for f in acks(ws)}
    await ws.until(done, timeout, f"{len(want)} acks")
    return {f["clientId"]: f["seq"] for f in acks(ws) if f["clientId"] in want}


def test_gapless_seq_under_concurrent_senders(fast):
    N = 40

    async def go():
        s = fast.create_session("Concurrent")
        sid = s["id"]
        off, ow = await officer(fast, join=sid)
        invs = []
        for i, lang in enumerate(["ja", "ko", "fr"]):
            inv = fast.create_invite(sid, name=f"Investor {i}", language=lang)
            ws, w, _ = await investor(fast, inv["code"], lang)
            invs.append((ws, w))
        rev, _ = await reviewer(fast, join=sid)
        senders = [(off, ow)] + invs
        results = await asyncio.gather(*(send_many(ws, sid, f"s{k}", N) for k, (ws, _) in enumerate(senders)))
        ack_maps = [await wait_acks(ws, ids) for (ws, _), ids in zip(senders, results)]
        all_acked = [seq for m in ack_maps for seq in m.values()]
        assert len(all_acked) == len(set(all_acked)) == 4 * N, "two acks share a seq"
        total = 4 + 4 * N  # one `joined` per officer/investor, then the messages
        assert max(all_acked) == total, (max(all_acked), total)
        members = [ws for ws, _ in senders] + [rev]
        for ws in members:
            await ws.wait_seq(total, sid, timeout=15)
        await asyncio.sleep(0.3)  # let any duplicate arrive
        views = []
        for ws in members:
            evs = ws.events(sid)
            seqs = [e["seq"] for e in evs]
            assert seqs == list(range(1, total + 1)), f"not gapless/ordered/once: {seqs}"
            views.append([(e["seq"], e["kind"], e["from"]["id"], e.get("clientId"), e.get("text")) for e in evs])
        for v in views[1:]:
            assert v == views[0], "members saw different sequences"
        by_seq = {e[0]: e for e in views[0]}
        for (ws, w), m in zip(senders, ack_maps):
            for c, seq in m.items():
                assert by_seq[seq][3] == c and by_seq[seq][2] == w["you"]["id"], (c, seq, by_seq[seq])
            # the ack comes before the sender's own event
            for c in list(m)[:5]:
                ia = next(i for i, f in enumerate(ws.frames) if f.get("type") == "ack" and f["clientId"] == c)
                ie = next(i for i, f in enumerate(ws.frames) if f.get("type") == "event" and f.get("clientId") == c)
                assert ia < ie, f"ack after own event for {c}"
        for ws in members:
            await ws.close()
    run(go(), timeout=60)


def test_idempotent_client_id(fast):
    async def go():
        s = fast.create_session("Idempotent")
        sid = s["id"]
        off, _ = await officer(fast, join=sid)
        inv = fast.create_invite(sid, language="en")
        iw, _, _ = await investor(fast, inv["code"], "en")
        await off.wait_for(lambda f: is_event("joined")(f) and f["from"]["id"] == inv["id"])
        x = cid()
        m = iw.mark()
        a1 = await off.say(sid, "first version", x)
        assert a1["type"] == "ack"
        mo = off.mark()
        await off.send({"type": "say", "session": sid, "text": "first version", "clientId": x})
        await off.send({"type": "say", "session": sid, "text": "a different text", "clientId": x})
        dup = await off.until(lambda: len([f for f in acks(off, mo) if f["clientId"] == x]) >= 2 or None,
                              what="two repeated acks")
        for a in [f for f in acks(off, mo) if f["clientId"] == x]:
            assert a["seq"] == a1["seq"], a
        # a fresh connection of the same officer is the same sender
        off2, _ = await officer(fast)
        a3 = await off2.say(sid, "first version", x)
        assert a3["type"] == "ack" and a3["seq"] == a1["seq"], a3
        marker = await off.say(sid, "marker")
        assert marker["seq"] == a1["seq"] + 1, "a repeated clientId must store nothing"
        await iw.wait_seq(marker["seq"], sid)
        await asyncio.sleep(0.2)
        got = [e for e in iw.events(sid, m) if e.get("clientId") == x]
        assert len(got) == 1 and got[0]["text"] == "first version", got
        # the same clientId from another sender is a different message
        a4 = await iw.say(sid, "investor reuses the id", x)
        assert a4["type"] == "ack" and a4["seq"] == marker["seq"] + 1, a4
        tr = fast.transcript(sid)
        assert [e["clientId"] for e in tr["events"] if e["kind"] == "message"].count(x) == 2
        for w in (off, off2, iw):
            await w.close()
    run(go())


def test_resume_after_drop_gets_exactly_the_missed_events(fast):
    async def go():
        s = fast.create_session("Resume")
        sid = s["id"]
        off, _ = await officer(fast, join=sid)
        ia = fast.create_invite(sid, name="A", language="ja")
        ib = fast.create_invite(sid, name="B", language="ko")
        a, _, _ = await investor(fast, ia["code"], "ja")
        b, _, _ = await investor(fast, ib["code"], "ko")
        for i in range(3):
            last = await off.say(sid, f"before drop {i}")
        await a.wait_seq(last["seq"], sid)
        L = max(e["seq"] for e in a.events(sid))
        a.abort()
        await a.wait_closed()
        ids_off = await send_many(off, sid, "off", 10)
        ids_b = await send_many(b, sid, "b", 5)
        m_off = await wait_acks(off, ids_off)
        m_b = await wait_acks(b, ids_b)
        M = max(list(m_off.values()) + list(m_b.values()))
        await off.wait_seq(M, sid)
        expected = [e for e in off.events(sid) if L < e["seq"] <= M]

        a2, w2, hist = await investor(fast, ia["code"], "ja", resume={"session": sid, "after": L})
        assert w2["you"]["id"] == ia["id"]
        assert [e["seq"] for e in hist] == list(range(L + 1, M + 1)), [e["seq"] for e in hist]
        assert [(e["seq"], e.get("clientId")) for e in hist] == [(e["seq"], e.get("clientId")) for e in expected]
        missed = {e.get("clientId") for e in hist}
        assert set(ids_off) | set(ids_b) <= missed
        # live events continue after the history, each once
        after = await off.say(sid, "after resume")
        await a2.wait_seq(after["seq"], sid)
        await asyncio.sleep(0.2)
        seqs = [e["seq"] for e in a2.events(sid)]
        assert seqs == list(range(L + 1, seqs[-1] + 1)) and seqs[-1] == after["seq"], seqs
        assert not [e for e in a2.events(sid) if e["kind"] == "joined" and e["from"]["id"] == ia["id"]], \
            "a reconnect is not a first join"

        # staff: resume in hello, and join with after
        K = after["seq"]
        off.abort()
        await off.wait_closed()
        more = await b.say(sid, "while the officer is away")
        o3 = await connect(fast)
        await o3.hello(fast.officer_token, "en", resume={"session": sid, "after": K})
        frames = await o3.read_history()
        got = [e["seq"] for f in frames for e in f["events"]]
        assert got == list(range(K + 1, more["seq"] + 1)), got
        o4, _ = await officer(fast)
        evs = await o4.join(sid, after=L)
        assert [e["seq"] for e in evs] == list(range(L + 1, more["seq"] + 1))
        for w in (a2, b, o3, o4):
            await w.close()
    run(go(), timeout=60)


def test_history_in_chunks_of_at_most_256(fast):
    N = 600

    async def go():
        s = fast.create_session("Long history")
        sid = s["id"]
        off, _ = await officer(fast, join=sid)
        ids = await send_many(off, sid, "h", N)
        m = await wait_acks(off, ids, timeout=40)
        total = max(m.values())
        assert total == N + 1

        def check_chunks(frames, first, last):
            assert len(frames) >= -(-(last - first + 1) // 256)
            for f in frames:
                assert f["session"] == sid
                assert len(f["events"]) <= 256, len(f["events"])
            assert [f["complete"] for f in frames] == [False] * (len(frames) - 1) + [True]
            seqs = [e["seq"] for f in frames for e in f["events"]]
            assert seqs == list(range(first, last + 1)), (seqs[:3], seqs[-3:], len(seqs))

        rev, _ = await reviewer(fast)
        await rev.send({"type": "join", "session": sid, "after": 0})
        check_chunks(await rev.read_history(10), 1, total)
        await rev.send({"type": "join", "session": sid, "after": 300})
        check_chunks(await rev.read_history(10), 301, total)

        inv = fast.create_invite(sid, language="en")
        iw = await connect(fast)
        await iw.hello(inv["code"], "en")
        check_chunks(await iw.read_history(10), 1, total)
        # the investor's first join is appended and delivered live after the history
        j = await iw.wait_for(is_event("joined"))
        assert j["seq"] == total + 1 and j["from"]["id"] == inv["id"]
        assert iw.frames.index(j) > max(i for i, f in enumerate(iw.frames) if f.get("type") == "history")
        # an empty history is still one complete frame
        await iw.close()
        iw2 = await connect(fast)
        await iw2.hello(inv["code"], "en", resume={"session": sid, "after": total + 1})
        frames = await iw2.read_history()
        assert frames[-1]["complete"] is True
        assert [e for f in frames for e in f["events"]] == []
        for w in (off, rev, iw, iw2):
            await w.close()
    run(go(), timeout=90)


def test_presence(fast):
    async def go():
        s = fast.create_session("Presence")
        sid = s["id"]
        off, _ = await officer(fast, join=sid)
        inv = fast.create_invite(sid, name="Present", language="zh")
        m = off.mark()
        iw, _, _ = await investor(fast, inv["code"], "zh")
        p = await off.wait_for(lambda f: f.get("type") == "presence" and f["participant"]["id"] == inv["id"]
                               and f["participant"]["online"] is True, since=m)
        assert p["session"] == sid
        part = p["participant"]
        assert part["role"] == "investor" and part["name"] == "Present" and part["language"] == "zh"
        assert part["muted"] is False
        m = off.mark()
        await iw.close()
        p = await off.wait_for(lambda f: f.get("type") == "presence" and f["participant"]["id"] == inv["id"],
                               since=m)
        assert p["participant"]["online"] is False
        # presence is not stored as an event
        kinds = {e["kind"] for e in fast.transcript(sid)["events"]}
        assert "presence" not in kinds
        await off.close()
    run(go())


def test_join_during_a_stream_gets_every_event_once(fast):
    """Events appended while a history is being sent arrive after it, none lost or doubled."""
    async def go():
        s = fast.create_session("Join during stream")
        sid = s["id"]
        off, _ = await officer(fast, join=sid)
        stop = asyncio.Event()

        async def stream():
            i = 0
            while not stop.is_set():
                await off.send({"type": "say", "session": sid, "text": f"stream {i}", "clientId": f"st-{i}"})
                i += 1
                await asyncio.sleep(0.002)
            return i
        task = asyncio.create_task(stream())
        joiners = []
        for k in range(6):
            await asyncio.sleep(0.08)
            if k % 2 == 0:
                ws, _ = await reviewer(fast)
                await ws.send({"type": "join", "session": sid, "after": 0})
                joiners.append((ws, 1))
            else:
                inv = fast.create_invite(sid, name=f"Late {k}", language="en")
                ws, _, _ = await investor(fast, inv["code"], "en")
                joiners.append((ws, 1))
        await asyncio.sleep(0.1)
        stop.set()
        n = await task
        ids = [f"st-{i}" for i in range(n)]
        m = await wait_acks(off, ids, timeout=20)
        await asyncio.sleep(0.2)
        last = max(e["seq"] for e in off.events(sid))
        assert last >= max(m.values())
        for ws, first in joiners:
            await ws.wait_seq(last, sid, timeout=10)
        await asyncio.sleep(0.3)
        for ws, first in joiners:
            seqs = [e["seq"] for e in ws.events(sid)]
            dup = sorted({x for x in seqs if seqs.count(x) > 1})
            assert not dup, f"events delivered twice: {dup[:10]}"
            assert seqs == list(range(first, last + 1)), \
                f"gap or disorder: missing {sorted(set(range(first, last + 1)) - set(seqs))[:10]}"
        for ws, _ in joiners:
            await ws.close()
        await off.close()
    run(go(), timeout=60)


def test_presence_offline_only_when_last_connection_closes(fast):
    async def go():
        s = fast.create_session("Two devices")
        sid = s["id"]
        off, _ = await officer(fast, join=sid)
        inv = fast.create_invite(sid, name="Two Devices", language="en")
        d1, _, _ = await investor(fast, inv["code"], "en")
        d2, _, _ = await investor(fast, inv["code"], "en")
        # both devices receive events
        r = await off.say(sid, "to both devices")
        await d1.wait_seq(r["seq"], sid)
        await d2.wait_seq(r["seq"], sid)
        is_offline = lambda f: (f.get("type") == "presence" and f["participant"]["id"] == inv["id"]
                                and f["participant"]["online"] is False)
        m = off.mark()
        await d1.close()
        await off.expect_none(is_offline, 0.7, since=m)
        await d2.close()
        await off.wait_for(is_offline, since=m)
        await off.close()
    run(go())


def test_say_language_and_unicode_round_trip(fast):
    async def go():
        s = fast.create_session("Languages")
        sid = s["id"]
        off, _ = await officer(fast, join=sid)
        inv = fast.create_invite(sid, language="ja")
        iw, _, _ = await investor(fast, inv["code"], "ja")
        text = "Khu công nghiệp Vân Đồn 🏭 工業団地\n\"quoted\" \\ tab\t end"
        a = await off.say(sid, text)
        ev = await iw.wait_for(lambda f: is_event("message")(f) and f["seq"] == a["seq"])
        assert ev["text"] == text
        assert ev["language"] == "en"  # the sender's hello language
        b = await off.say(sid, "Xin chào", language="vi")
        ev = await iw.wait_for(lambda f: is_event("message")(f) and f["seq"] == b["seq"])
        assert ev["language"] == "vi"
        c = await iw.say(sid, "こんにちは")
        ev = await off.wait_for(lambda f: is_event("message")(f) and f["seq"] == c["seq"])
        assert ev["language"] == "ja" and ev["text"] == "こんにちは"
        tr = fast.transcript(sid)
        assert [e["text"] for e in tr["events"] if e["kind"] == "message"] == [text, "Xin chào", "こんにちは"]
        await off.close()
        await iw.close()
    run(go())


def test_many_sessions_concurrently(fast):
    """Ten sessions with four senders each, all at once: each session's seq is its own, gapless."""
    S, N = 10, 25

    async def one(k):
        sid = fast.create_session(f"Parallel {k}")["id"]
        off, _ = await officer(fast, join=sid)
        members = [off]
        for i in range(3):
            inv = fast.create_invite(sid, name=f"P{k}-{i}", language="en")
            ws, _, _ = await investor(fast, inv["code"], "en")
            members.append(ws)
        return sid, members

    async def go():
        setups = await asyncio.gather(*(one(k) for k in range(S)))
        sends = []
        for sid, members in setups:
            for j, ws in enumerate(members):
                sends.append((ws, sid, f"m{j}"))
        ids = await asyncio.gather(*(send_many(ws, sid, p, N) for ws, sid, p in sends))
        for (ws, sid, p), i in zip(sends, ids):
            await wait_acks(ws, i, timeout=30)
        total = 4 + 4 * N
        for sid, members in setups:
            for ws in members:
                await ws.wait_seq(total, sid, timeout=15)
        await asyncio.sleep(0.2)
        for sid, members in setups:
            ref = None
            for ws in members:
                evs = ws.events(sid)
                assert [e["seq"] for e in evs] == list(range(1, total + 1))
                assert all(e["session"] == sid for e in ws.events())
                view = [(e["seq"], e.get("clientId")) for e in evs]
                assert ref is None or view == ref
                ref = view
        for _, members in setups:
            for ws in members:
                await ws.close()
    run(go(), timeout=90)
