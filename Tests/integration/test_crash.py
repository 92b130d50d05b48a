"""Crash safety: SIGKILL in the middle of a stream of acknowledged messages loses nothing."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from harness import acked, cli, find_database, investor, officer, run, stream





def all_answered(ws, ids) -> bool:
    errs = ws.find("error")
    if errs:
        raise AssertionError(f"retries refused: {errs[:3]!r}")
    return set(ids) <= set(acked(ws))


@pytest.mark.parametrize("kill_after", [60, 400])
def test_sigkill_loses_nothing_acknowledged(server_factory, kill_after):
    srv = server_factory("--rate-limit", "off")

    async def phase1():
        s = srv.create_session("Crash")
        sid = s["id"]
        inv = srv.create_invite(sid, language="ja")
        off, _ = await officer(srv, join=sid)
        iw, _, _ = await investor(srv, inv["code"], "ja")
        stop = asyncio.Event()
        sent = {"o": [], "i": []}
        tasks = [asyncio.create_task(stream(off, sid, "o", sent["o"], stop)),
                 asyncio.create_task(stream(iw, sid, "i", sent["i"], stop))]
        await off.until(lambda: len(acked(off)) + len(acked(iw)) >= kill_after or None, 20,
                        f"{kill_after} acks")
        srv.kill()  # SIGKILL mid-stream
        await off.wait_closed(5)
        await iw.wait_closed(5)
        stop.set()
        await asyncio.gather(*tasks)
        return sid, inv, sent, acked(off), acked(iw)

    sid, inv, sent, ack_o, ack_i = run(phase1())
    assert len(ack_o) + len(ack_i) >= kill_after

    db = find_database(srv.data)
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()

    srv.start()  # same data folder; the officer token still works
    assert not [l for l in srv.stdout_lines if l.startswith("officer-token")], \
        "officer-token printed although a staff account exists"
    tr = srv.transcript(sid)
    seqs = [e["seq"] for e in tr["events"]]
    assert seqs == list(range(1, len(seqs) + 1)), "seq gap after recovery"
    stored = {}
    for e in tr["events"]:
        if e["kind"] == "message":
            stored.setdefault((e["from"]["role"], e["clientId"]), []).append(e["seq"])
    for role, acks in (("officer", ack_o), ("investor", ack_i)):
        for c, seq in acks.items():
            assert stored.get((role, c)) == [seq], f"acked {c} seq {seq}: stored as {stored.get((role, c))}"
    for k, v in stored.items():
        assert len(v) == 1, f"{k} stored {len(v)} times"
    st, v, _ = srv.http("GET", f"/v1/sessions/{sid}/verify", srv.officer_token)
    assert st == 200 and v["ok"] is True, v

    # clients retry everything they sent: acked ones get their original ack, nothing doubles
    async def phase2():
        off, _ = await officer(srv)
        iw, _, _ = await investor(srv, inv["code"], "ja")
        for ws, prefix, acks in ((off, "o", ack_o), (iw, "i", ack_i)):
            ids = sent[prefix]
            for c in ids:
                await ws.send({"type": "say", "session": sid, "text": f"retry {c}", "clientId": c})
            await ws.until(lambda: all_answered(ws, ids), 20, "acks of retries")
            again = acked(ws)
            for c, seq in acks.items():
                assert again[c] == seq, f"retry of acked {c}: seq {again[c]} != {seq}"
        await off.close()
        await iw.close()
    run(phase2())
    tr = srv.transcript(sid)
    count = {}
    for e in tr["events"]:
        if e["kind"] == "message":
            count[(e["from"]["role"], e["clientId"])] = count.get((e["from"]["role"], e["clientId"]), 0) + 1
    assert all(n == 1 for n in count.values()), [k for k, n in count.items() if n != 1][:5]
    assert len(count) == len(set(sent["o"])) + len(set(sent["i"]))
    seqs = [e["seq"] for e in tr["events"]]
    assert seqs == list(range(1, len(seqs) + 1))

    assert srv.stop() == 0
    p = cli("transcript", "verify", sid, "--data", srv.data)
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    p = cli("transcript", "verify", "--data", srv.data)
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    con = sqlite3.connect(find_database(srv.data))
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
