"""Lifecycle: graceful shutdown, moderation, ending a session."""

from __future__ import annotations

import asyncio
import glob
import json
import os
import re
import signal
import time

from harness import acked, cid, cli, connect, investor, is_error, is_event, officer, run, stream





def test_sigterm_graceful_shutdown(server_factory):
    srv = server_factory("--rate-limit", "off")

    async def go():
        s = srv.create_session("Shutdown")
        sid = s["id"]
        inv = srv.create_invite(sid, language="en")
        off, _ = await officer(srv, join=sid)
        iw, _, _ = await investor(srv, inv["code"], "en")
        stop = asyncio.Event()
        sent_o, sent_i = [], []
        tasks = [asyncio.create_task(stream(off, sid, "o", sent_o, stop)),
                 asyncio.create_task(stream(iw, sid, "i", sent_i, stop))]
        await off.until(lambda: len(acked(off)) >= 30, 10, "30 acks")
        rc_holder = {}
        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(None, lambda: srv.stop(signal.SIGTERM, timeout=10))
        c1, _ = await off.wait_closed(10)
        c2, _ = await iw.wait_closed(10)
        stop.set()
        await asyncio.gather(*tasks)
        rc = await fut
        return sid, c1, c2, rc, acked(off), acked(iw)

    sid, c1, c2, rc, ack_o, ack_i = run(go())
    assert (c1, c2) == (1001, 1001), f"live clients must be closed with 1001, got {c1}, {c2}"
    assert rc == 0, f"exit code {rc} after SIGTERM (None = had to be killed)"
    # every acknowledged event is stored
    srv.start()
    tr = srv.transcript(sid)
    stored = {}
    for e in tr["events"]:
        if e["kind"] == "message":
            stored.setdefault(e["clientId"], []).append(e["seq"])
    for c, seq in {**ack_o, **ack_i}.items():
        assert stored.get(c) == [seq], f"acked {c} (seq {seq}) stored as {stored.get(c)}"
    seqs = [e["seq"] for e in tr["events"]]
    assert seqs == list(range(1, len(seqs) + 1))


def test_two_sigterms_drain_once(server_factory):
    """A supervisor that signals twice (systemd's stop, then an impatient operator) gets the
    same drain: exit 0, and every acknowledged event stored. The second SIGTERM must not take
    the default action (killing the process) while the first one's drain runs."""
    srv = server_factory("--rate-limit", "off")

    async def go():
        s = srv.create_session("Twice")
        sid = s["id"]
        off, _ = await officer(srv, join=sid)
        stop = asyncio.Event()
        sent = []
        task = asyncio.create_task(stream(off, sid, "o", sent, stop))
        await off.until(lambda: len(acked(off)) >= 20, 10, "20 acks")
        loop = asyncio.get_running_loop()

        def twice():
            srv.proc.send_signal(signal.SIGTERM)
            time.sleep(0.05)
            return srv.stop(signal.SIGTERM, timeout=10)

        fut = loop.run_in_executor(None, twice)
        code, _ = await off.wait_closed(10)
        stop.set()
        await task
        return sid, code, await fut, acked(off)

    sid, code, rc, acks = run(go())
    assert code == 1001, f"the live client must be closed with 1001, got {code}"
    assert rc == 0, f"exit code {rc} after two SIGTERMs (None = had to be killed, negative = killed by a signal)"
    srv.start()
    stored = {e["clientId"]: e["seq"] for e in srv.transcript(sid)["events"] if e["kind"] == "message"}
    for c, seq in acks.items():
        assert stored.get(c) == seq, f"acked {c} (seq {seq}) stored as {stored.get(c)}"


def test_sigint_exits_zero(server_factory):
    srv = server_factory()
    st, _, _ = srv.http("GET", "/healthz")
    assert st == 200
    time.sleep(0.3)  # the immediate case is test_signal_right_after_startup_output
    assert srv.stop(signal.SIGINT) == 0


def test_signal_right_after_startup_output(server_factory):
    """Once `url:` is printed the server is up: SIGTERM/SIGINT must already shut it down
    cleanly (exit 0), not kill it (default action) nor be ignored."""
    results = []
    for sig in (signal.SIGTERM, signal.SIGINT) * 4:
        srv = server_factory()
        rc = srv.stop(sig, timeout=5)
        results.append((sig.name, rc))
    bad = [r for r in results if r[1] != 0]
    assert not bad, f"exit codes (None = still running after 5 s): {results}"


def test_moderation_mute_unmute_remove(server):
    async def go():
        s = server.create_session("Moderation")
        sid = s["id"]
        inv = server.create_invite(sid, name="Loud Investor", language="en")
        off, ow = await officer(server, join=sid)
        iw, _, _ = await investor(server, inv["code"], "en")

        # mute
        m_o, m_i = off.mark(), iw.mark()
        await off.send({"type": "moderate", "session": sid, "action": "mute", "target": inv["id"]})
        ev = await iw.wait_for(is_event("moderation"), since=m_i)
        assert ev["action"] == "mute" and ev["target"] == inv["id"] and ev["from"]["id"] == ow["you"]["id"]
        assert ev.get("targetName") == "Loud Investor"
        await off.wait_for(lambda f: is_event("moderation")(f) and f["seq"] == ev["seq"], since=m_o)
        p = await off.wait_for(lambda f: f.get("type") == "presence" and f["participant"]["id"] == inv["id"]
                               and f["participant"]["muted"] is True, since=m_o)
        st, g, _ = server.http("GET", f"/v1/sessions/{sid}", server.officer_token)
        assert [x["muted"] for x in g["participants"] if x["id"] == inv["id"]] == [True]
        # a muted investor may not speak
        m_o = off.mark()
        r = await iw.say(sid, "can you hear me")
        assert r["type"] == "error" and r["code"] == "forbidden", r
        await off.expect_none(is_event("message"), 0.4, since=m_o)
        # the mute holds across a reconnect
        iw2, _, _ = await investor(server, inv["code"], "en")
        r = await iw2.say(sid, "from another connection")
        assert r["type"] == "error" and r["code"] == "forbidden", r
        await iw2.close()
        # muting again: conflict, nothing appended
        m_o = off.mark()
        await off.send({"type": "moderate", "session": sid, "action": "mute", "target": inv["id"]})
        e = await off.wait_for("error", since=m_o)
        assert e["code"] == "conflict", e
        await off.expect_none("event", 0.3, since=m_o)
        # officers cannot be muted
        m_o = off.mark()
        await off.send({"type": "moderate", "session": sid, "action": "mute", "target": ow["you"]["id"]})
        e = await off.wait_for("error", since=m_o)
        assert e["code"] == "forbidden", e
        # unmute
        m_i = iw.mark()
        await off.send({"type": "moderate", "session": sid, "action": "unmute", "target": inv["id"]})
        ev = await iw.wait_for(is_event("moderation"), since=m_i)
        assert ev["action"] == "unmute" and ev["target"] == inv["id"]
        r = await iw.say(sid, "thank you")
        assert r["type"] == "ack", r
        # unmuting one who is not muted: conflict
        m_o = off.mark()
        await off.send({"type": "moderate", "session": sid, "action": "unmute", "target": inv["id"]})
        e = await off.wait_for("error", since=m_o)
        assert e["code"] == "conflict", e
        # remove: event, the connection is closed, the invite stops working
        m_o = off.mark()
        await off.send({"type": "moderate", "session": sid, "action": "remove", "target": inv["id"]})
        ev = await off.wait_for(is_event("moderation"), since=m_o)
        assert ev["action"] == "remove" and ev["target"] == inv["id"]
        code, reason = await iw.wait_closed(5)
        assert code == 1008 and "removed" in (reason or ""), (code, reason)
        ws = await connect(server)
        f = await ws.hello_raw(inv["code"], "en")
        assert f["type"] == "error" and f["code"] == "unauthorized", f
        await ws.wait_closed()
        await off.close()
    run(go())


def test_end_session(server):
    async def go():
        title = "Closing Talk"
        s = server.create_session(title)
        sid = s["id"]
        inv = server.create_invite(sid, language="ko")
        off, ow = await officer(server, join=sid)
        iw, _, _ = await investor(server, inv["code"], "ko")
        await off.say(sid, "we are about to end")
        await iw.say(sid, "understood")
        m_o, m_i = off.mark(), iw.mark()
        await off.send({"type": "end", "session": sid})
        e1 = await off.wait_for(is_event("ended"), since=m_o)
        e2 = await iw.wait_for(is_event("ended"), since=m_i)
        assert e1["seq"] == e2["seq"] and e1["from"]["id"] == ow["you"]["id"]
        # nothing can be said any more
        r = await off.say(sid, "one more thing")
        assert r["type"] == "error" and r["code"] == "conflict", r
        r = await iw.say(sid, "wait")
        assert r["type"] == "error" and r["code"] == "conflict", r
        m_o = off.mark()
        await off.send({"type": "end", "session": sid})
        e = await off.wait_for("error", since=m_o)
        assert e["code"] == "conflict", e
        for w in (off, iw):
            await w.close()
        return sid, e1["seq"]

    sid, ended_seq = run(go())
    st, g, _ = server.http("GET", f"/v1/sessions/{sid}", server.officer_token)
    assert g["status"] == "ended"
    tr = server.transcript(sid)
    assert tr["events"][-1]["kind"] == "ended" and tr["events"][-1]["seq"] == ended_seq
    assert tr["session"]["status"] == "ended" and tr["session"].get("endedAt")
    # transcript files
    deadline = time.monotonic() + 5
    files = []
    while time.monotonic() < deadline:
        files = glob.glob(os.path.join(server.data, "transcripts", f"*{sid}*"))
        if len({os.path.splitext(f)[1] for f in files} & {".json", ".md"}) == 2:
            break
        time.sleep(0.1)
    names = sorted(os.path.basename(f) for f in files)
    assert any(n.endswith(".json") for n in names) and any(n.endswith(".md") for n in names), \
        f"transcripts/ holds {os.listdir(os.path.join(server.data, 'transcripts')) if os.path.isdir(os.path.join(server.data, 'transcripts')) else 'nothing'}"
    for n in names:
        assert re.match(r"^\d{4}-\d{2}-\d{2}_", n), n
        assert "closing-talk" in n.lower(), n
    jf = [f for f in files if f.endswith(".json")][0]
    doc = json.loads(open(jf, encoding="utf-8").read())
    assert doc["format"] == "dialogue-transcript" and doc["session"]["id"] == sid
    assert doc["head"]["seq"] == ended_seq and doc["signature"]
    md = open([f for f in files if f.endswith(".md")][0], encoding="utf-8").read()
    assert "we are about to end" in md and "understood" in md
    p = cli("transcript", "verify", sid, "--data", server.data)
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    p = cli("transcript", "verify", "--file", jf)
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)


def test_state_survives_restart(server_factory):
    """Mute, removal, revocation, end and `joined` (first join only) persist across a restart."""
    srv = server_factory()
    st = {}

    async def before():
        sid = srv.create_session("Restart state")["id"]
        s2 = srv.create_session("Restart ended")["id"]
        a = srv.create_invite(sid, name="Muted A")
        b = srv.create_invite(sid, name="Removed B")
        c = srv.create_invite(sid, name="Revoked C")
        off, _ = await officer(srv, join=sid)
        for inv in (a, b, c):
            ws, _, _ = await investor(srv, inv["code"])
            await ws.close()
        m = off.mark()
        await off.send({"type": "moderate", "session": sid, "action": "mute", "target": a["id"]})
        await off.wait_for(is_event("moderation"), since=m)
        m = off.mark()
        await off.send({"type": "moderate", "session": sid, "action": "remove", "target": b["id"]})
        await off.wait_for(is_event("moderation"), since=m)
        code, _, _ = srv.http("DELETE", f"/v1/sessions/{sid}/invites/{c['id']}", srv.officer_token)
        assert code == 204
        m = off.mark()
        await off.send({"type": "end", "session": s2})
        await off.wait_for(is_event("ended"), since=m)
        await off.close()
        st.update(sid=sid, s2=s2, a=a, b=b, c=c)
    run(before())
    n_before = len(srv.transcript(st["sid"])["events"])
    assert srv.stop() == 0
    srv.start()

    async def after():
        sid = st["sid"]
        off, _ = await officer(srv, join=sid)
        ws, _, _ = await investor(srv, st["a"]["code"])
        r = await ws.say(sid, "am I still muted?")
        assert r["type"] == "error" and r["code"] == "forbidden", r
        await ws.close()
        for k in ("b", "c"):
            x = await connect(srv)
            f = await x.hello_raw(st[k]["code"], "en")
            assert f["type"] == "error" and f["code"] == "unauthorized", (k, f)
            await x.wait_closed()
        r = await off.say(st["s2"], "is it still ended?")
        assert r["type"] == "error" and r["code"] == "conflict", r
        await asyncio.sleep(0.3)
        await off.close()
    run(after())
    events = srv.transcript(st["sid"])["events"]
    assert events[n_before:] == [], f"reconnects after a restart appended {events[n_before:]}"
    _, g, _ = srv.http("GET", f"/v1/sessions/{st['sid']}", srv.officer_token)
    assert [p["muted"] for p in g["participants"] if p["id"] == st["a"]["id"]] == [True]
    _, g2, _ = srv.http("GET", f"/v1/sessions/{st['s2']}", srv.officer_token)
    assert g2["status"] == "ended"
