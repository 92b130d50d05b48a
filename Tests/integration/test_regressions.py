"""Regressions for faults found in review: repeated joins, large histories, HTTP framing,
Origin-less clients under an allow-list, sessions left in memory."""

from __future__ import annotations

import asyncio
import http.client
import re

from harness import cid, investor, officer, run


def test_repeated_join_restarts_history_once_and_stays_live(server_factory):
    srv = server_factory("--rate-limit", "off")

    async def go():
        sid = srv.create_session("Rejoin")["id"]
        inv = srv.create_invite(sid, language="en")
        off, _ = await officer(srv, join=sid)
        iw, _, _ = await investor(srv, inv["code"], "en")
        for i in range(300):
            await iw.send({"type": "say", "session": sid, "text": f"m{i}", "clientId": f"c{i}"})
        mark = off.mark()
        # two joins back to back while messages are still being committed
        await off.send({"type": "join", "session": sid})
        await off.send({"type": "join", "session": sid, "after": 5})
        await iw.wait_for(lambda f: f.get("type") == "ack" and f.get("clientId") == "c299", 20)
        late = await iw.say(sid, "after the joins")
        assert late["type"] == "ack", late
        await off.until(lambda: any(e.get("seq") == late["seq"] for e in off.events(since=mark)), 10,
                        "the live event after the re-joins")
        frames = off.frames[mark:]
        histories = [f for f in frames if f.get("type") == "history"]
        # the last history (after=5) is complete and followed only by live events, each seq once
        last_complete = max(i for i, f in enumerate(frames) if f.get("type") == "history" and f.get("complete"))
        after = [f["seq"] for f in frames[last_complete + 1:] if f.get("type") == "event"]
        assert after == sorted(set(after)), "live events after the last history are unique and ordered"
        assert sum(1 for f in histories if f.get("complete")) <= 2
        tail = [e["seq"] for f in histories[-1:] for e in f.get("events", [])]
        assert not tail or tail == sorted(set(tail))
        assert late["seq"] in after, "still receiving live events after the repeated join"
        await off.close()
        await iw.close()
    run(go())


def test_large_history_is_split_and_the_reader_is_not_closed(server_factory):
    srv = server_factory("--rate-limit", "off")

    async def go():
        sid = srv.create_session("Big history")["id"]
        off, _ = await officer(srv, join=sid)
        big = "x" * 60_000
        for i in range(150):  # ~9 MB of history: more than one frame, more than the send queue
            r = await off.say(sid, f"{i} {big}", client_id=f"b{i}")
            assert r["type"] == "ack", r
        reader, _ = await officer(srv)
        await reader.send({"type": "join", "session": sid})
        frames = await reader.read_history(timeout=30)
        assert len(frames) > 1, "a 9 MB history must come in several frames"
        seqs = [e["seq"] for f in frames for e in f["events"]]
        assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) >= 151
        assert not reader.closed, (reader.close_code, reader.close_reason)
        await off.close()
        await reader.close()
    run(go(), timeout=120)


def test_head_has_no_body_and_keep_alive_survives(server_factory):
    srv = server_factory()
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    conn.request("HEAD", "/")
    r = conn.getresponse()
    assert r.status == 200 and int(r.getheader("content-length")) > 0
    assert r.read() == b""
    conn.request("GET", "/healthz")  # same connection: framing must still be right
    r = conn.getresponse()
    assert r.status == 200 and b'"ok"' in r.read()
    conn.close()


def test_get_with_a_body_is_handled_once(server_factory):
    srv = server_factory()
    sid = srv.create_session("Once")["id"]
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    conn.request("GET", f"/v1/sessions/{sid}/verify", body=b'{"x":1}',
                 headers={"Authorization": f"Bearer {srv.officer_token}", "Content-Type": "application/json"})
    r = conn.getresponse()
    assert r.status == 200, r.read()
    r.read()
    conn.request("GET", "/healthz")
    r = conn.getresponse()
    assert r.status == 200, "a second response to the first request would land here"
    assert b'"ok"' in r.read()
    conn.close()
    import sqlite3
    from harness import find_database
    db = sqlite3.connect(find_database(srv.data))
    try:
        n = db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'verify' AND session_id = ?", (sid,)).fetchone()[0]
    finally:
        db.close()
    assert n == 1, f"verify audited {n} times"


def test_allow_list_admits_clients_without_origin(server_factory):
    srv = server_factory("--allow-origin", "https://ipa.example")

    async def go():
        ws, welcome = await officer(srv)  # the websockets client sends no Origin header
        assert welcome["type"] == "welcome"
        await ws.close()
    run(go())


def test_one_off_actions_do_not_keep_sessions_in_memory(server_factory):
    srv = server_factory()

    async def go():
        off, _ = await officer(srv)
        for _ in range(3):
            sid = srv.create_session("Untouched")["id"]
            await off.send({"type": "leave", "session": sid})  # not joined: conflict, nothing kept
            await off.wait_for(lambda f: f.get("type") == "error", 5)
        await off.close()
    run(go())
    st, text, _ = srv.http("GET", "/metrics")
    live = int(re.search(r"^dialogue_sessions_live (\d+)$", text, re.M).group(1))
    assert live == 0, text


def test_simultaneous_first_hellos_all_find_the_session(server_factory):
    """Several investors' first hellos for a session not yet in memory: every one is welcomed
    (a waiter on another's load used to answer not_found when it resumed first)."""
    srv = server_factory("--rate-limit", "off")

    async def first_hello(code):
        from harness import connect
        ws = await connect(srv)
        f = await ws.hello_raw(code, "en")
        await ws.close()
        return f

    async def go():
        refused = []
        for s in range(15):
            sid = srv.create_session(f"Race {s}")["id"]
            codes = [srv.create_invite(sid, name=f"Member {i}", language="en")["code"] for i in range(6)]
            frames = await asyncio.gather(*[first_hello(c) for c in codes])
            refused += [f for f in frames if f.get("type") != "welcome"]
        assert not refused, refused[:3]
    run(go())
