"""Fault scenarios shared by the short tests (test_faults.py, `make test`) and the long ones
(Tests/soak, `SOAK=1`): crash cycles, reconnect chaos, slow consumer, disk full / read-only.

Every scenario takes its sizes as arguments and a seed for its random choices (kill moments,
drop points), so a failure can be replayed with the same `FAULT_SEED`.
"""

from __future__ import annotations

import asyncio
import base64
import errno
import json
import os
import random
import re
import socket
import sqlite3
import struct
import subprocess
import time
from pathlib import Path

import websockets
from websockets.exceptions import ConnectionClosed

from harness import WS, cli, connect, find_database, officer, run

SEED = int(os.environ.get("FAULT_SEED", "20261126"))


# --------------------------------------------------------------------------- checks


def integrity_ok(data_dir) -> str:
    con = sqlite3.connect(find_database(data_dir))
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def stored_messages(tr: dict) -> dict:
    """(sender id, clientId) → [seq, ...] for every message of a transcript."""
    out: dict = {}
    for e in tr["events"]:
        if e["kind"] == "message":
            out.setdefault((e["from"]["id"], e["clientId"]), []).append(e["seq"])
    return out


def check_transcript(srv, sid: str, acked: dict, where: str, tr: dict | None = None) -> dict:
    """Gapless seqs, every acknowledged (sender, clientId) stored once at its acked seq,
    no (sender, clientId) stored twice, `verify` ok. Returns stored_messages."""
    tr = tr or srv.transcript(sid)
    seqs = [e["seq"] for e in tr["events"]]
    assert seqs == list(range(1, len(seqs) + 1)), \
        f"{where}: seq gap/disorder in {sid}: missing {sorted(set(range(1, max(seqs or [0]) + 1)) - set(seqs))[:10]}"
    stored = stored_messages(tr)
    dup = {k: v for k, v in stored.items() if len(v) != 1}
    assert not dup, f"{where}: stored more than once: {list(dup.items())[:5]}"
    lost = {k: (seq, stored.get(k)) for k, seq in acked.items() if stored.get(k) != [seq]}
    assert not lost, f"{where}: acknowledged but lost or moved (acked seq, stored): {list(lost.items())[:5]} " \
                     f"({len(lost)} of {len(acked)})"
    st, v, _ = srv.http("GET", f"/v1/sessions/{sid}/verify", srv.officer_token)
    assert st == 200 and v.get("ok") is True, f"{where}: verify {sid}: {st} {v!r}"
    return stored


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# --------------------------------------------------------------------------- 1. crash cycles


async def _pump(ws: WS, sid: str, ids: list[str], sent: list, stop: asyncio.Event, pause: float):
    """Send `ids` in order (retries first, then fresh ones), until stop or the socket closes."""
    try:
        for c in ids:
            if stop.is_set() or ws.closed:
                return
            await ws.send({"type": "say", "session": sid, "text": f"crash test {c}", "clientId": c})
            sent.append(c)
            await asyncio.sleep(pause)
    except Exception:
        pass


def crash_cycles(server_factory, cycles: int, seed: int = SEED, sessions: int = 3, investors: int = 2,
                 max_run: float = 0.8, pause: float = 0.003, epoch: int = 50, log=None):
    """`cycles` times: every sender of every session streams, the server gets SIGKILL at a
    random moment, restarts on the same folder; then every acknowledged message must be
    stored once at its acked seq, seqs gapless, integrity_check ok, verify ok. Unacknowledged
    sends are retried (same clientId) in the next cycle and must be stored at most once."""
    rng = random.Random(seed)
    srv = server_factory("--rate-limit", "off")
    acked_all: dict[str, dict] = {}   # sid → {(sender, cid): seq}
    every_session = []

    def new_sessions(e):
        out = []
        for s in range(sessions):
            sid = srv.create_session(f"Crash cycles {e}.{s}")["id"]
            codes = [srv.create_invite(sid, name=f"Investor {s}.{i}", language="en")["code"]
                     for i in range(investors)]
            out.append((sid, codes))
            acked_all[sid] = {}
        every_session.extend(sid for sid, _ in out)
        return out
    setup = new_sessions(0)
    pending: dict[tuple, list[str]] = {}                          # (sid, sender index) → unacked ids
    counter = 0
    stats = {"acked": 0, "retried": 0, "kills": 0}

    for cycle in range(cycles):
        if not srv.running:
            srv.start()
        if cycle and cycle % epoch == 0:
            setup = new_sessions(cycle // epoch)

        async def phase():
            nonlocal counter
            clients = []
            for si, (sid, codes) in enumerate(setup):
                off, w = await officer(srv)
                clients.append((sid, si, 0, off, w["you"]["id"]))
                for k, code in enumerate(codes):
                    ws = await connect(srv)
                    w = await ws.hello(code, "en")
                    clients.append((sid, si, k + 1, ws, w["you"]["id"]))
            stop = asyncio.Event()
            tasks, sent = [], {}
            for sid, si, k, ws, _ in clients:
                retry = pending.get((sid, k), [])
                stats["retried"] += len(retry)
                fresh = [f"c{cycle}-s{si}-k{k}-{i}" for i in range(100_000)]
                sent[(sid, k)] = []
                tasks.append(asyncio.create_task(_pump(ws, sid, retry + fresh, sent[(sid, k)], stop, pause)))
            target = rng.randint(5, 60)
            await clients[0][3].until(
                lambda: sum(1 for c in clients for f in c[3].frames if f.get("type") == "ack") >= target or None,
                20, f"{target} acks before the kill")
            await asyncio.sleep(rng.uniform(0.0, max_run))
            srv.kill()
            stats["kills"] += 1
            for c in clients:
                await c[3].wait_closed(5)
            stop.set()
            await asyncio.gather(*tasks)
            out = []
            for sid, si, k, ws, you in clients:
                acks = {f["clientId"]: f["seq"] for f in ws.frames if f.get("type") == "ack"}
                errs = [f for f in ws.frames if f.get("type") == "error"]
                assert not errs, f"cycle {cycle}: errors while streaming: {errs[:3]}"
                views = [(e["seq"], e["from"]["id"], e.get("clientId")) for e in ws.events(sid)]
                out.append((sid, k, you, sent[(sid, k)], acks, views))
            return out

        results = run(phase(), timeout=60)
        for sid, k, you, sent, acks, views in results:
            for c, seq in acks.items():
                prev = acked_all[sid].get((you, c))
                assert prev is None or prev == seq, \
                    f"cycle {cycle}: retry of {c} acked with seq {seq}, first ack was {prev}"
                acked_all[sid][(you, c)] = seq
            pending[(sid, k)] = [c for c in sent if c not in acks and (you, c) not in acked_all[sid]] + \
                [c for c in pending.get((sid, k), []) if c not in sent]
        ic = integrity_ok(srv.data)
        assert ic == "ok", f"cycle {cycle}: integrity_check after SIGKILL: {ic}"
        srv.start()
        for sid, _ in setup:
            tr = srv.transcript(sid)
            check_transcript(srv, sid, acked_all[sid], f"after crash {cycle}", tr)
            # an event is broadcast only once durable: whatever a member saw before the kill is stored
            have = _kinds_of(tr)
            for s2, k, you, sent, acks, views in results:
                if s2 != sid:
                    continue
                phantom = [v for v in views if have.get(v[0]) != (v[1], v[2])]
                assert not phantom, f"cycle {cycle}: members saw events that are not stored after the " \
                                    f"restart (seq, sender, clientId) vs stored: " \
                                    f"{[(v, have.get(v[0])) for v in phantom[:5]]}"
        stats["acked"] = sum(len(a) for a in acked_all.values())
        if log:
            log(f"cycle {cycle}: {stats}")

    # last: every client retries whatever is still unacknowledged, then a clean stop
    async def settle():
        for si, (sid, codes) in enumerate(setup):
            conns = [(0, (await officer(srv))[0])]
            for k, code in enumerate(codes):
                ws = await connect(srv)
                await ws.hello(code, "en")
                conns.append((k + 1, ws))
            for k, ws in conns:
                ids = pending.get((sid, k), [])
                for c in ids:
                    await ws.send({"type": "say", "session": sid, "text": f"crash test {c}", "clientId": c})
                if ids:
                    await ws.until(lambda: set(ids) <= {f.get("clientId") for f in ws.frames
                                                        if f.get("type") == "ack"} or None, 30, "acks of retries")
                assert not ws.find("error"), ws.find("error")[:3]
                await ws.close()
    run(settle(), timeout=120)
    for sid in every_session:
        stored = check_transcript(srv, sid, acked_all[sid], "final")
        assert all(len(v) == 1 for v in stored.values())
    assert srv.stop() == 0, "SIGTERM after the crash cycles did not exit 0"
    for sid, _ in setup:
        p = cli("transcript", "verify", sid, "--data", srv.data)
        assert p.returncode == 0, f"transcript verify {sid}: {p.returncode} {p.stdout} {p.stderr}"
    p = cli("transcript", "verify", "--data", srv.data)
    assert p.returncode == 0, f"transcript verify (all): {p.returncode} {p.stdout} {p.stderr}"
    assert integrity_ok(srv.data) == "ok"
    return stats


# --------------------------------------------------------------------------- 2. reconnect chaos


async def _chaos_member(srv, sid: str, kind: str, token: str, rng: random.Random, cycles: int,
                        seen: list[int], stats: dict, problems: list):
    """Connect, (re)join after the last seq seen, get dropped at a random point, again."""
    last = 0
    for k in range(cycles):
        ws = await connect(srv)
        try:
            hello = {"type": "hello", "token": token, "language": "en"}
            if kind == "investor" and last > 0:
                hello["resume"] = {"session": sid, "after": last}
            if kind == "officer-resume":
                hello["resume"] = {"session": sid, "after": last}
            r = rng.random()
            await ws.send(hello)
            if r < 0.08:
                pass  # dropped right after hello
            else:
                w = await ws.recv_until(lambda f: f.get("type") in ("welcome", "error"), 10)
                if w["type"] != "welcome":
                    problems.append(f"{kind}: hello refused: {w}")
                    ws.abort()
                    await ws.wait_closed()
                    return
                if kind in ("officer-join", "reviewer"):
                    await ws.send({"type": "join", "session": sid, "after": last})
                if r < 0.3:
                    await asyncio.sleep(rng.uniform(0, 0.004))   # likely inside the history
                else:
                    await asyncio.sleep(rng.uniform(0, 0.08))
        except ConnectionClosed:
            pass
        ws.abort()
        await ws.wait_closed(10)
        errs = ws.find("error")
        if errs:
            problems.append(f"{kind}: error frames {errs[:2]}")
        evs = [e["seq"] for e in ws.events(sid)]
        if evs and evs != list(range(last + 1, last + 1 + len(evs))):
            problems.append(f"{kind} cycle {k}: after {last} got {evs[:5]}…{evs[-3:]} (not last+1…, gapless)")
        seen.extend(evs)
        if evs:
            last = max(last, max(evs))
        stats["resumes"] += 1
    return last


def reconnect_chaos(server_factory, cycles: int, seed: int = SEED, investors: int = 3,
                    officers: int = 2, reviewers: int = 1, talk_pause: float = 0.006, log=None):
    """Talkers (an officer and two investors) stream while chaos members are dropped (TCP abort,
    no close) at random points and resume after their last seen seq: in the end each member
    saw exactly 1..N, no gap, no duplicate."""
    rng = random.Random(seed)
    srv = server_factory("--rate-limit", "off")
    sid = srv.create_session("Reconnect chaos")["id"]
    talk_codes = [srv.create_invite(sid, name=f"Talker {i}", language="en")["code"] for i in range(2)]
    members = []
    for i in range(investors):
        members.append(("investor", srv.create_invite(sid, name=f"Chaos {i}", language="en")["code"]))
    for i in range(officers):
        members.append(("officer-join" if i % 2 == 0 else "officer-resume",
                        srv.add_staff(f"chaos-officer-{i}", "officer")))
    for i in range(reviewers):
        members.append(("reviewer", srv.add_staff(f"chaos-reviewer-{i}", "reviewer")))
    stats = {"resumes": 0}

    async def go():
        talkers = [(await officer(srv))[0]]
        for code in talk_codes:
            ws = await connect(srv)
            await ws.hello(code, "en")
            talkers.append(ws)
        stop = asyncio.Event()
        sent = [[] for _ in talkers]

        async def talk(i, ws):
            n = 0
            while not stop.is_set():
                c = f"t{i}-{n}"
                await ws.send({"type": "say", "session": sid, "text": f"talker {i} line {n}", "clientId": c})
                sent[i].append(c)
                n += 1
                await asyncio.sleep(talk_pause)
        ttasks = [asyncio.create_task(talk(i, ws)) for i, ws in enumerate(talkers)]
        seen = [[] for _ in members]
        problems: list[str] = []
        ctasks = [asyncio.create_task(_chaos_member(srv, sid, kind, tok, random.Random(rng.random()),
                                                    cycles, seen[j], stats, problems))
                  for j, (kind, tok) in enumerate(members)]
        lasts = await asyncio.gather(*ctasks)
        stop.set()
        await asyncio.gather(*ttasks)
        for i, ws in enumerate(talkers):
            ids = set(sent[i])
            await ws.until(lambda: ids <= {f.get("clientId") for f in ws.frames if f.get("type") == "ack"} or None,
                           30, f"acks of talker {i}")
            assert not ws.find("error"), ws.find("error")[:3]
        n_total = len(srv.transcript(sid)["events"])
        # a last, calm reconnection of every member after its last seen seq
        finals = []
        for j, (kind, tok) in enumerate(members):
            ws = await connect(srv)
            last = lasts[j]
            hello = {"type": "hello", "token": tok, "language": "en"}
            if kind in ("investor", "officer-resume"):
                hello["resume"] = {"session": sid, "after": last}
            await ws.send(hello)
            await ws.recv_until("welcome", 10)
            if kind in ("officer-join", "reviewer"):
                await ws.send({"type": "join", "session": sid, "after": last})
            finals.append((j, ws))
        for j, ws in finals:
            if n_total > lasts[j]:
                await ws.wait_seq(n_total, sid, timeout=30)
        await asyncio.sleep(0.3)
        for j, ws in finals:
            seen[j].extend(e["seq"] for e in ws.events(sid))
            await ws.close()
        for ws in talkers:
            await ws.close()
        return seen, problems, n_total

    seen, problems, n_total = run(go(), timeout=max(120, cycles * 2))
    n_total = len(srv.transcript(sid)["events"])
    bad = []
    for (kind, _), s in zip(members, seen):
        if s != list(range(1, n_total + 1)):
            dups = sorted({x for x in s if s.count(x) > 1}) if len(s) < 200_000 else "?"
            missing = sorted(set(range(1, n_total + 1)) - set(s))
            bad.append(f"{kind}: {len(s)} events for 1..{n_total}; duplicates {str(dups)[:200]}; "
                       f"missing {missing[:20]}")
    if log:
        log(f"reconnect chaos: {stats['resumes']} resumes, {n_total} events, {len(problems)} problems")
    assert not bad and not problems, "\n".join(bad + problems[:20])
    stored = check_transcript(srv, sid, {}, "chaos")
    return stats["resumes"], n_total


# --------------------------------------------------------------------------- 3. slow consumer


class RawWS:
    """A WebSocket client on a plain socket with a tiny receive buffer: it sends `hello` and then
    never reads, like a stalled phone."""

    def __init__(self, port: int, rcvbuf: int | None = 4096):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall((f"GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(1)      # byte by byte: leave any frame in the socket
            if not chunk:
                raise AssertionError(f"raw client: connection closed during upgrade: {buf!r}")
            buf += chunk
        assert buf.startswith(b"HTTP/1.1 101"), buf
        self.sock = s

    def send_text(self, obj: dict):
        payload = json.dumps(obj).encode()
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([0x81])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def drain(self, timeout: float = 3.0):
        """Reads everything now (the stall ends): (bytes read, close code, close reason, how it ended)."""
        self.sock.settimeout(timeout)
        data = b""
        how = "timeout"
        try:
            while True:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    how = "eof"
                    break
                data += chunk
        except socket.timeout:
            how = "open (no close within the drain timeout)"
        except ConnectionResetError:
            how = "reset"
        code = reason = None
        i = 0
        while i + 2 <= len(data):
            op, ln = data[i] & 0x0F, data[i + 1] & 0x7F
            j = i + 2
            if ln == 126:
                ln = struct.unpack("!H", data[j:j + 2])[0]
                j += 2
            elif ln == 127:
                ln = struct.unpack("!Q", data[j:j + 8])[0]
                j += 8
            if j + ln > len(data):
                break
            if op == 8 and ln >= 2:
                code = struct.unpack("!H", data[j:j + 2])[0]
                reason = data[j + 2:j + ln].decode("utf-8", "replace")
            i = j + ln
        return len(data), code, reason, how

    def read_throttled(self, rate: float, stop, timeout: float = 30.0):
        """Reads steadily at about `rate` bytes/s (a slow but live link), parsing frames, until
        stop(text frames) is true, a close frame arrives, or the connection ends.
        Returns (parsed text frames, close code, close reason, how it ended)."""
        self.sock.settimeout(5.0)
        buf = b""
        frames: list[dict] = []
        t0 = time.monotonic()
        got = 0
        while time.monotonic() - t0 < timeout:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return frames, None, None, "silent for 5 s"
            except ConnectionResetError:
                return frames, None, None, "reset"
            if not chunk:
                return frames, None, None, "eof"
            buf += chunk
            got += len(chunk)
            while len(buf) >= 2:
                op, ln, j = buf[0] & 0x0F, buf[1] & 0x7F, 2
                if ln == 126:
                    if len(buf) < 4:
                        break
                    ln, j = struct.unpack("!H", buf[2:4])[0], 4
                elif ln == 127:
                    if len(buf) < 10:
                        break
                    ln, j = struct.unpack("!Q", buf[2:10])[0], 10
                if len(buf) < j + ln:
                    break
                payload, buf = buf[j:j + ln], buf[j + ln:]
                if op == 8:
                    code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                    return frames, code, payload[2:].decode("utf-8", "replace"), "close frame"
                if op == 1:
                    frames.append(json.loads(payload))
                    if stop(frames):
                        return frames, None, None, "done"
            ahead = got / rate - (time.monotonic() - t0)
            if ahead > 0:
                time.sleep(ahead)
        return frames, None, None, "timeout"

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def _pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")


def slow_consumer(server_factory, seconds: float = 6.0, rate: float = 80.0, size: int = 48_000,
                  stalled: int = 1, listeners: int = 2, seed: int = SEED, log=None):
    """An officer sends `size`-byte messages at `rate`/s; `listeners` investors read and time
    them; `stalled` raw investors never read, and one more raw investor stops reading and
    resumes once 16 MiB were sent to it (after its 8 MiB queue overflowed, before the server's
    5 s kill timer). A control phase without the stalled readers comes first.
    Asserts: RSS bounded; the stalled readers are dropped by the server (they cannot take a
    close frame, their buffers are full); the late reader gets close 1008 "too slow…"; the
    listeners get everything, with a p99 latency not much worse than in the control phase."""
    rng = random.Random(seed)
    srv = server_factory("--rate-limit", "off")
    sid = srv.create_session("Slow consumer")["id"]
    codes = [srv.create_invite(sid, name=f"Reader {i}", language="en")["code"] for i in range(listeners)]
    stall_codes = [srv.create_invite(sid, name=f"Stalled {i}", language="en")["code"] for i in range(stalled + 1)]
    pid = srv.proc.pid
    filler = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(size))
    out: dict = {}

    async def go():
        loop = asyncio.get_running_loop()
        off, _ = await officer(srv, join=sid)
        readers = []
        for code in codes:
            conn = await websockets.connect(srv.ws_url, max_size=None, proxy=None, ping_interval=None,
                                            compression=None, open_timeout=5, close_timeout=3)
            ws = WS(conn)  # records each frame's arrival time in ws.times
            await ws.hello(code, "en")
            await ws.read_history()
            readers.append(ws)
        sent_at: dict[int, float] = {}
        n = [0]
        stalled_bytes = [0]
        resume = asyncio.Event()

        async def talk(duration, count_stalled):
            t0 = time.monotonic()
            k = 0
            while time.monotonic() - t0 < duration:
                due = t0 + k / rate
                now = time.monotonic()
                if due > now:
                    await asyncio.sleep(due - now)
                i = n[0]
                n[0] += 1
                sent_at[i] = time.monotonic()
                await off.send({"type": "say", "session": sid, "text": f"#{i}# {filler}", "clientId": f"big-{i}"})
                if count_stalled:
                    stalled_bytes[0] += size
                    if stalled_bytes[0] >= 16 << 20:
                        resume.set()
                k += 1

        samples = []

        async def sample(stop):
            while not stop.is_set():
                samples.append((time.monotonic(), rss_kib(pid)))
                await asyncio.sleep(0.05)

        def latencies(lo, hi):
            lat = []
            for ws in readers:
                for f, t in zip(ws.frames, ws.times):
                    if f.get("type") == "event" and f.get("kind") == "message":
                        m = re.match(r"#(\d+)# ", f["text"])
                        if m and lo <= int(m.group(1)) < hi:
                            lat.append(t - sent_at[int(m.group(1))])
            return lat

        # control phase
        await talk(min(2.0, seconds / 3), False)
        n_a = n[0]
        await asyncio.sleep(0.5)
        lat_a = latencies(0, n_a)
        rss_a = rss_kib(pid)
        # stalled readers join, then the same load
        raws = []
        for k, code in enumerate(stall_codes):
            r = RawWS(srv.port, rcvbuf=4096 if k < stalled else None)
            r.send_text({"type": "hello", "token": code, "language": "en"})
            raws.append(r)
        late = raws.pop()
        await asyncio.sleep(0.3)
        stop = asyncio.Event()
        st = asyncio.create_task(sample(stop))

        async def late_reader():
            await resume.wait()
            return await loop.run_in_executor(None, late.drain, 3.0)
        lt = asyncio.create_task(late_reader())
        await talk(seconds, True)
        n_b = n[0]
        ids = {f"big-{i}" for i in range(n_b)}
        await off.until(lambda: ids <= {f.get("clientId") for f in off.frames if f.get("type") == "ack"} or None,
                        30, "acks of every big message")
        for ws in readers:
            await ws.until(lambda: len(latencies(0, n_b)) >= listeners * n_b or ws.closed or None, 30,
                           "every big message at the readers")
        stop.set()
        await st
        if not resume.is_set():
            resume.set()
            out["late_note"] = f"only {stalled_bytes[0] >> 20} MiB sent: resumed at the end"
        out["late"] = await lt
        lat_b = latencies(n_a, n_b)
        out.update(
            sent=n_b, stalled_mib=stalled_bytes[0] / 2**20, rss_before_kib=rss_a,
            rss_max_kib=max(s for _, s in samples), rss_end_kib=rss_kib(pid),
            p50_a=_pct(lat_a, .5), p99_a=_pct(lat_a, .99), p50_b=_pct(lat_b, .5), p99_b=_pct(lat_b, .99),
            max_b=max(lat_b) if lat_b else None,
            readers_closed=[(ws.close_code, ws.close_reason) for ws in readers if ws.closed],
            readers_counts=[sum(1 for f in ws.frames if f.get("kind") == "message") for ws in readers])
        out["stalled"] = [await loop.run_in_executor(None, r.drain, 3.0) for r in raws]
        for r in raws + [late]:
            r.close()
        for ws in readers:
            await ws.close()
        await off.close()

    run(go(), timeout=seconds * 4 + 60)
    if log:
        log(f"slow consumer: {out}")
    assert srv.running, "server died"
    assert not out["readers_closed"], f"reading members were closed: {out['readers_closed']}"
    assert out["readers_counts"] == [out["sent"]] * listeners, f"readers missed messages: {out}"
    growth = out["rss_max_kib"] - out["rss_before_kib"]
    sent_mib = out["stalled_mib"]
    n_slow = len(out["stalled"]) + 1
    # 8 MiB of queued frames per stalled reader; measured ≈ 17 MiB of RSS each (allocator
    # overhead, copies in flight), so the bound is 16 MiB each + 32 MiB
    assert growth < (16 * n_slow + 32) * 1024, \
        f"RSS grew {growth} KiB while {sent_mib:.1f} MiB went to each of {n_slow} stalled readers " \
        f"(bound: 8 MiB queue per connection): {out}"
    for nbytes, code, reason, how in out["stalled"]:
        assert how in ("eof", "reset") or code == 1008, \
            f"a reader that never reads was not dropped ({sent_mib:.1f} MiB sent to it): " \
            f"{nbytes} bytes waiting for it, close {code} {reason!r}, connection {how}"
        assert nbytes < sent_mib * 2**20 * 0.9, f"everything was kept for a reader that never reads: {out}"
        assert code in (None, 1008), out
    nbytes, code, reason, how = out["late"]
    assert code == 1008 and reason and "too slow" in reason, \
        f"a reader that resumed after {sent_mib:.1f} MiB did not get close 1008 'too slow…': " \
        f"read {nbytes} bytes, close {code} {reason!r}, connection {how}; {out.get('late_note', '')}"
    # The floor: on this 2-core machine in a debug build, phase B's p99 sits at 0.27-0.35 s
    # (the binary from before issue 16 too: 3 of 5 runs over 0.3 s on 2026-12-06), from the
    # stalled readers' own closing; a reader held up behind a stalled one waits seconds.
    assert out["p99_b"] <= max(4 * out["p99_a"], 0.5), \
        f"readers slowed down by the stalled ones: p99 {out['p99_a']*1000:.0f} ms → {out['p99_b']*1000:.0f} ms: {out}"
    return out


def long_history_slow_link(server_factory, history_mib: float = 18.0, rate: float = 3e6, size: int = 48_000):
    """A reviewer on a slow but steady link (reads `rate` bytes/s, never stops) joins a session
    whose history is `history_mib` MiB: it must get the whole history, not a 1008 "too slow"
    close: it is not a reader that stopped reading, the server just must not queue the whole
    history at once (the 8 MiB per-connection queue is for readers that fall behind live)."""
    srv = server_factory("--rate-limit", "off")
    sid = srv.create_session("Long history, slow link")["id"]
    n = int(history_mib * 2**20 / size) + 1
    body = "h" * size

    async def fill_history():
        off, _ = await officer(srv, join=sid)
        for i in range(n):   # in windows of 20: the sender reads its own echoes meanwhile
            await off.send({"type": "say", "session": sid, "text": f"{i} {body}", "clientId": f"h{i}"})
            if i % 20 == 19 or i == n - 1:
                await off.until(lambda: sum(1 for f in off.frames if f.get("type") == "ack") > i or None,
                                30, "acks")
        await off.close()
    run(fill_history(), timeout=120)
    total = n + 1
    r = RawWS(srv.port, rcvbuf=65536)
    try:
        r.send_text({"type": "hello", "token": srv.reviewer_token, "language": "en"})
        r.send_text({"type": "join", "session": sid, "after": 0})
        t0 = time.monotonic()
        frames, code, reason, how = r.read_throttled(
            rate, lambda fs: fs[-1].get("type") == "history" and fs[-1].get("complete") is True,
            timeout=history_mib * 2**20 / rate * 3 + 20)
        took = time.monotonic() - t0
    finally:
        r.close()
    seqs = [e["seq"] for f in frames if f.get("type") == "history" for e in f["events"]]
    got_mib = len(seqs) * size / 2**20
    assert how == "done" and seqs == list(range(1, total + 1)), \
        f"a reader on a {rate / 1e6:.1f} MB/s link joining a {history_mib:.0f} MiB history got " \
        f"{len(seqs)} of {total} events (~{got_mib:.1f} MiB) in {took:.1f} s, then: {how} {code} {reason!r}"
    return took


def history_storm(server_factory, readers: int = 10, history_mib: float = 18.0, size: int = 48_000):
    """`readers` reviewers (reading continuously) join a `history_mib` MiB session at once, as
    after a restart: each must get its whole history, and the server's RSS may grow by at most
    the documented 8 MiB per connection (+ 64 MiB)."""
    srv = server_factory("--rate-limit", "off")
    sid = srv.create_session("History storm")["id"]
    n = int(history_mib * 2**20 / size) + 1
    body = "h" * size
    out = {}

    async def go():
        off, _ = await officer(srv, join=sid)
        for i in range(n):
            await off.send({"type": "say", "session": sid, "text": f"{i} {body}", "clientId": f"h{i}"})
            if i % 20 == 19 or i == n - 1:
                await off.until(lambda: sum(1 for f in off.frames if f.get("type") == "ack") > i or None,
                                30, "acks")
        await off.close()
        pid = srv.proc.pid
        base = rss_kib(pid)
        wss = []
        for _ in range(readers):
            ws = await connect(srv)
            await ws.hello(srv.reviewer_token, "en")
            wss.append(ws)
        peak = [base]
        stop = asyncio.Event()

        async def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_kib(pid))
                await asyncio.sleep(0.02)
        st = asyncio.create_task(sample())
        for ws in wss:
            await ws.send({"type": "join", "session": sid, "after": 0})
        results = []
        for ws in wss:
            try:
                frames = await ws.read_history(60)
                results.append(len([e for f in frames for e in f["events"]]))
            except AssertionError:
                results.append(f"closed {ws.close_code} {ws.close_reason!r} after "
                                f"{sum(len(f['events']) for f in ws.find('history'))} events")
        stop.set()
        await st
        for ws in wss:
            await ws.close()
        out.update(base_kib=base, peak_kib=peak[0], results=results)
    run(go(), timeout=180)
    growth_mib = (out["peak_kib"] - out["base_kib"]) / 1024
    bad = [r for r in out["results"] if r != n + 1]
    assert not bad and growth_mib <= readers * 8 + 64, \
        f"{readers} readers joining a {history_mib:.0f} MiB history at once: RSS +{growth_mib:.0f} MiB " \
        f"(bound {readers * 8 + 64} MiB); {len(bad)} of them did not get it: {bad[:3]}"
    return out


# --------------------------------------------------------------------------- 4. disk full / read-only


class Unsupported(Exception):
    """The machine cannot simulate this fault (the message says why)."""


def sh(*args, check=True) -> subprocess.CompletedProcess:
    try:
        p = subprocess.run(list(map(str, args)), capture_output=True, text=True, timeout=60)
    except FileNotFoundError as e:
        raise Unsupported(f"{args[0]} is not installed") from e
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))}: exit {p.returncode}: {p.stderr.strip()}")
    return p


def fill(path: Path) -> int:
    """Write zeros to `path` until the filesystem is full (ENOSPC); returns bytes written."""
    n = 0
    with open(path, "wb", buffering=0) as f:
        for chunk in (1 << 20, 1 << 16, 1 << 12, 512):
            block = b"\0" * chunk
            while True:
                try:
                    n += f.write(block)
                except OSError as e:
                    if e.errno in (errno.ENOSPC, errno.EDQUOT):
                        break
                    raise
        try:
            os.fsync(f.fileno())
        except OSError:
            pass
    return n


async def say_until_refused(ws: WS, sid: str, prefix: str, text: str, limit: int):
    """Send messages until one is answered `error`; returns (acked {cid: seq}, refusal or None, cid)."""
    acked = {}
    for i in range(limit):
        c = f"{prefix}-{i}"
        r = await ws.action({"type": "say", "session": sid, "text": f"{i} {text}", "clientId": c}, 15)
        if r["type"] == "ack":
            acked[c] = r["seq"]
        else:
            return acked, r, c
    return acked, None, None


async def retry_until_acked(ws: WS, sid: str, c: str, text: str, timeout: float = 15.0) -> dict:
    """Resend the same clientId until it is acknowledged (`unavailable` while recovering)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        m = ws.mark()   # ws.action would find the earlier refusal of the same clientId
        await ws.send({"type": "say", "session": sid, "text": text, "clientId": c})
        last = await ws.wait_for(lambda f: f.get("clientId") == c and f.get("type") == "ack"
                                 or (f.get("type") == "error" and f.get("ref") == c), 10, since=m)
        if last["type"] == "ack":
            return last
        assert last.get("code") == "unavailable", f"retry of {c}: {last}"
        await asyncio.sleep(0.2)
    raise AssertionError(f"retry of {c} not acknowledged within {timeout}s; last answer {last}")


def mount_tmpfs(mnt: Path, size_mib: int):
    mnt.mkdir(parents=True, exist_ok=True)
    p = sh("mount", "-t", "tmpfs", "-o", f"size={size_mib}m", "tmpfs", mnt, check=False)
    if p.returncode != 0:
        raise Unsupported(f"`mount -t tmpfs` failed (needs root with CAP_SYS_ADMIN): {p.stderr.strip()}")


def mount_ext4_image(img: Path, mnt: Path, size_mib: int, fresh: bool = True) -> Path:
    """Mounts an ext4 image on a loop device with errors=remount-ro; returns the sysfs folder
    whose `trigger_fs_error` turns the filesystem read-only under running processes."""
    mnt.mkdir(parents=True, exist_ok=True)
    if fresh:
        with open(img, "wb") as f:
            f.truncate(size_mib << 20)
        p = sh("mkfs.ext4", "-q", "-F", img, check=False)
        if p.returncode != 0:
            raise Unsupported(f"mkfs.ext4 failed: {p.stderr.strip() or p.returncode}")
    p = sh("mount", "-o", "loop,errors=remount-ro", img, mnt, check=False)
    if p.returncode != 0:
        raise Unsupported(f"mounting an ext4 image on a loop device failed (needs root and "
                          f"/dev/loop-control): {p.stderr.strip()}")
    src = sh("findmnt", "-n", "-o", "SOURCE", mnt).stdout.strip()
    trig = Path("/sys/fs/ext4") / os.path.basename(src) / "trigger_fs_error"
    if not trig.exists():
        umount(mnt)
        raise Unsupported(f"{trig} is missing (kernel without ext4's trigger_fs_error)")
    return trig


def umount(mnt: Path):
    if sh("umount", mnt, check=False).returncode != 0:
        sh("umount", "-l", mnt, check=False)


def _kinds_of(tr):
    return {e["seq"]: (e["from"]["id"], e.get("clientId")) for e in tr["events"]}


async def _storage_fault_phase(srv, sid, inv_code, rev_token, break_storage, big: str, log, tag: str = ""):
    """Common part of disk-full and read-only: acked traffic, then `break_storage()`, then
    writes must be refused (`unavailable`, ref, no ack) while reads work.
    Returns (acked {(sender, cid): seq}, refused [(ws name, cid)], connections)."""
    n0 = len(srv.transcript(sid)["events"])
    since0 = max(0, n0 - 50)   # short histories (see long_history_slow_link)
    off, ow = await officer(srv)
    await off.join(sid, after=since0)
    iw = await connect(srv)
    iwel = await iw.hello(inv_code, "en", resume={"session": sid, "after": since0})
    await iw.read_history()
    you = {"off": ow["you"]["id"], "iw": iwel["you"]["id"]}
    acked: dict = {}
    for i in range(10):
        for name, ws in (("off", off), ("iw", iw)):
            r = await ws.say(sid, f"before the fault {i}", f"pre{tag}-{name}-{i}")
            assert r["type"] == "ack", r
            acked[(you[name], f"pre{tag}-{name}-{i}")] = r["seq"]
    what = break_storage()
    # writes: refused with `unavailable`, the frame's clientId as ref, no ack
    got, refusal, c = await say_until_refused(off, sid, f"fault{tag}-off", big, 400)
    for k, seq in got.items():
        acked[(you["off"], k)] = seq
    assert refusal is not None, f"{what}: 400 messages of {len(big)} bytes all acknowledged"
    assert refusal.get("code") == "unavailable" and refusal.get("ref") == c, \
        f"{what}: expected error unavailable with ref {c}, got {refusal}"
    assert isinstance(refusal.get("message"), str) and refusal["message"], refusal
    refused = [("off", c)]
    ic = f"fault{tag}-iw-0"
    r = await iw.action({"type": "say", "session": sid, "text": "investor during the fault", "clientId": ic}, 15)
    if r["type"] == "ack":   # the investor's small message may still fit: it is then stored
        acked[(you["iw"], ic)] = r["seq"]
    else:
        assert r.get("code") == "unavailable" and r.get("ref") == ic, f"{what}: {r}"
        refused.append(("iw", ic))
    await asyncio.sleep(0.5)
    for name, c in refused:
        ws = off if name == "off" else iw
        assert not [f for f in ws.frames if f.get("type") == "ack" and f.get("clientId") == c], \
            f"{what}: {c} refused and acknowledged"
    assert srv.running, f"server exited during the fault: {srv.stderr_text()[-3000:]}"
    # HTTP writes: refused clearly (503 `unavailable`, as HTTPAPI answers since c961f6a)
    st, body, _ = srv.http("POST", f"/v1/sessions/{sid}/notes", srv.officer_token, {"seq": 1, "text": "during"})
    # A small write can still fit where SQLite already holds file space (the WAL frames of a
    # transaction that failed are reused by the next one): then it is stored, and must be
    # readable like any other note. Otherwise it is refused clearly.
    if st == 201:
        note_id = body["id"]
        st2, tr2, _ = srv.http("GET", f"/v1/sessions/{sid}/transcript?format=json", srv.officer_token)
        assert st2 != 200 or any(n.get("id") == note_id for n in tr2.get("notes", [])), \
            f"{what}: note {note_id} acknowledged with 201 but not in the transcript"
    else:
        assert st == 503 and isinstance(body, dict) and body.get("error", {}).get("code") == "unavailable", \
            f"{what}: POST notes → {st} {body!r}, want 503 unavailable (or 201 when it fits)"
    # reads keep working (every failure is collected, the scenario goes on to the recovery)
    read_problems = []
    for attempt in range(3):   # a small write may still fit in the WAL once; not three times
        st, tr, _ = srv.http("GET", f"/v1/sessions/{sid}/transcript?format=json", srv.officer_token)
        if st != 200:
            read_problems.append(f"{what}: GET /v1/sessions/{{id}}/transcript → {st} {tr!r}")
        else:
            have = _kinds_of(tr)
            for (sender, c), seq in acked.items():
                if have.get(seq) != (sender, c):
                    read_problems.append(f"{what}: transcript lacks acked {c} at {seq}")
        for path in (f"/v1/sessions/{sid}", "/v1/sessions", f"/v1/sessions/{sid}/verify"):
            st, body, _ = srv.http("GET", path, srv.officer_token)
            if st != 200:
                read_problems.append(f"{what}: GET {path.replace(sid, '{id}')} → {st} {body!r}")
    read_problems = sorted(set(read_problems))
    last = max(acked.values())
    # histories kept under 8 MiB: longer ones hit the history back-pressure defect
    # (see long_history_slow_link), which is not what this scenario is about
    since = max(0, last - 100)
    try:
        rev = await connect(srv)
        await rev.hello(rev_token, "en")
        hist = await rev.join(sid, after=since)
        if [e["seq"] for e in hist] != list(range(since + 1, last + 1)):
            read_problems.append(f"{what}: reviewer join history {[e['seq'] for e in hist][-5:]}, "
                                 f"want {since + 1}..{last}")
        await rev.close()
    except AssertionError as e:
        read_problems.append(f"{what}: reviewer hello+join: {str(e)[:300]}")
    try:
        iw2 = await connect(srv)
        await iw2.hello(inv_code, "en", resume={"session": sid, "after": since})
        h2 = [e["seq"] for f in await iw2.read_history() for e in f["events"]]
        if h2 != list(range(since + 1, last + 1)):
            read_problems.append(f"{what}: investor reconnect history {h2[-5:]}, want {since + 1}..{last}")
        await iw2.close()
    except AssertionError as e:
        read_problems.append(f"{what}: investor reconnect: {str(e)[:300]}")
    assert srv.running, f"server exited during the fault: {srv.stderr_text()[-3000:]}"
    if log:
        log(f"{what}: refused {refused} after {len(got)} big messages; read problems: {read_problems}")
    return acked, refused, you, off, iw, read_problems


def _check_views(tr, *wss, sid, first=1):
    """Every event a member received live or in history is the stored one (no phantom event
    broadcast for a write that then failed), and each member's view is gapless."""
    have = _kinds_of(tr)
    for ws in wss:
        evs = ws.events(sid)
        seqs = [e["seq"] for e in evs]
        assert seqs == list(range(first, first + len(seqs))), f"member view not gapless: {seqs[-10:]}"
        for e in evs:
            assert have.get(e["seq"]) == (e["from"]["id"], e.get("clientId")), \
                f"member received seq {e['seq']} = {e.get('clientId')} but stored is {have.get(e['seq'])}"


def disk_full(server_factory, base: Path, size_mib: int = 24, rounds: int = 1, log=None):
    """`rounds` times on one server: fill the data folder's tmpfs, writes refused, reads served,
    free the space, refused clientIds retried and stored once, new messages acknowledged."""
    mnt = base / "data"
    size_mib = max(size_mib, 16 + 3 * rounds)   # each round stores ~2 MB: room for the database
    mount_tmpfs(mnt, size_mib)
    srv = None
    try:
        srv = server_factory("--rate-limit", "off", data_dir=mnt)
        sid = srv.create_session("Disk full")["id"]
        code = srv.create_invite(sid, name="Full", language="en")["code"]
        rev_token = srv.reviewer_token
        filler = mnt / "filler"
        big = "z" * 30_000
        acked: dict = {}
        problems: list = []

        def make_full():
            n = fill(filler)
            return f"disk full ({n >> 10} KiB filler on a {size_mib} MiB tmpfs)"

        async def go(rnd):
            got, refused, you, off, iw, probs = await _storage_fault_phase(
                srv, sid, code, rev_token, make_full, big, log, tag=str(rnd))
            acked.update(got)
            problems.extend(probs)
            # a pipelined burst from both senders while the disk is still full: every frame is
            # answered (ack if it fit, else `unavailable`), the refused ones are retried below
            burst = []
            for name, ws in (("off", off), ("iw", iw)):
                for i in range(20):
                    c = f"burst{rnd}-{name}-{i}"
                    await ws.send({"type": "say", "session": sid, "text": f"{i} {big[:8000]}", "clientId": c})
                    burst.append((name, ws, c))
            for name, ws, c in burst:
                r = await ws.wait_for(lambda f: f.get("clientId") == c and f.get("type") == "ack"
                                      or (f.get("type") == "error" and f.get("ref") == c), 15)
                if r["type"] == "ack":
                    acked[(you[name], c)] = r["seq"]
                else:
                    assert r.get("code") == "unavailable", f"burst during disk full: {r}"
                    refused.append((name, c))
            # space returns
            filler.unlink()
            for name, c in refused:
                ws = off if name == "off" else iw
                r = await retry_until_acked(ws, sid, c, "retried after the fault")
                acked[(you[name], c)] = r["seq"]
            for i in range(5):
                r = await off.say(sid, f"after recovery {i}", f"post{rnd}-{i}")
                assert r["type"] == "ack", f"new message after recovery: {r}"
                acked[(you["off"], f"post{rnd}-{i}")] = r["seq"]
            await iw.wait_seq(max(acked.values()), sid, 10)
            await asyncio.sleep(0.3)
            tr = srv.transcript(sid)
            _check_views(tr, off, iw, sid=sid, first=min(e["seq"] for e in off.events(sid)))
            await off.close()
            await iw.close()

        for rnd in range(rounds):
            run(go(rnd), timeout=120)
            check_transcript(srv, sid, acked, f"after disk full round {rnd}")
        assert srv.stop() == 0, "SIGTERM after recovery did not exit 0"
        assert integrity_ok(mnt) == "ok"
        p = cli("transcript", "verify", sid, "--data", mnt)
        assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
        assert not problems, "reads failed while the disk was full (writes recovered fine " \
                             "afterwards):\n" + "\n".join(sorted(set(problems)))
    finally:
        if srv is not None:
            srv.stop()
        umount(mnt)


def first_hello_during_disk_full(server_factory, base: Path, size_mib: int = 24):
    """An investor whose very first `hello` comes while the disk is full: its `joined` event
    cannot be stored. It must be told (an `error` `unavailable`, or a close so it reconnects),
    or, once space returns, be able to speak on that connection; never left silently unable."""
    mnt = base / "data"
    mount_tmpfs(mnt, size_mib)
    srv = None
    try:
        srv = server_factory("--rate-limit", "off", data_dir=mnt)
        sid = srv.create_session("First hello on a full disk")["id"]
        inv = srv.create_invite(sid, name="Newcomer", language="en")
        filler = mnt / "filler"

        async def go():
            off, _ = await officer(srv, join=sid)
            r = await off.say(sid, "before", "before-0")
            assert r["type"] == "ack", r
            fill(filler)
            r = await off.say(sid, "x" * 30_000, "during-0")
            assert r["type"] == "error" and r["code"] == "unavailable", f"disk not full? {r}"
            nw = await connect(srv)
            await nw.send({"type": "hello", "token": inv["code"], "language": "en"})
            await asyncio.sleep(1.0)
            told = [f for f in nw.frames if f.get("type") == "error"] or nw.closed
            filler.unlink()
            await retry_until_acked(off, sid, "during-0", "after the fault")
            said = None
            if not nw.closed:
                said = await nw.action({"type": "say", "session": sid, "text": "newcomer", "clientId": "nw-0"}, 10)
            frames = [(f.get("type"), f.get("kind"), f.get("code"), f.get("message")) for f in nw.frames]
            await nw.close()
            await off.close()
            return told, said, frames

        told, said, frames = run(go(), timeout=60)
        assert told or (said and said["type"] == "ack"), \
            f"first hello during disk full: welcomed with no error, and after recovery its say is " \
            f"answered {said}; frames on that connection: {frames}"
    finally:
        if srv is not None:
            srv.stop()
        umount(mnt)


def read_only(server_factory, base: Path, size_mib: int = 64, log=None):
    mnt = base / "data"
    img = base / "fs.ext4"
    trig = mount_ext4_image(img, mnt, size_mib)
    mounted = True
    srv = None
    try:
        srv = server_factory("--rate-limit", "off", data_dir=mnt)
        sid = srv.create_session("Read-only")["id"]
        code = srv.create_invite(sid, name="RO", language="en")["code"]
        rev_token = srv.reviewer_token

        def make_ro():
            trig.write_text("dialogue-server fault test\n")
            return "read-only filesystem (ext4 errors=remount-ro, trigger_fs_error)"

        async def go():
            acked, refused, you, off, iw, problems = await _storage_fault_phase(
                srv, sid, code, rev_token, make_ro, "r" * 2_000, log)
            await off.close()
            await iw.close()
            return acked, refused, you, problems

        acked, refused, you, problems = run(go(), timeout=120)
        rc = srv.stop(timeout=15)
        if log:
            log(f"read-only: SIGTERM exit code {rc}")
        umount(mnt)
        mounted = False
        p = sh("e2fsck", "-f", "-y", img, check=False)
        assert p.returncode in (0, 1, 2), f"e2fsck: {p.returncode} {p.stdout} {p.stderr}"
        mount_ext4_image(img, mnt, size_mib, fresh=False)
        mounted = True
        assert integrity_ok(mnt) == "ok"
        srv.start()
        check_transcript(srv, sid, acked, "after read-only and restart")

        async def retry():
            off, _ = await officer(srv)
            iw = await connect(srv)
            await iw.hello(code, "en")
            for name, c in refused:
                r = await retry_until_acked(off if name == "off" else iw, sid, c, "retried after read-only")
                acked[(you[name], c)] = r["seq"]
            await off.close()
            await iw.close()
        run(retry())
        check_transcript(srv, sid, acked, "after retries")
        assert srv.stop() == 0
        p = cli("transcript", "verify", sid, "--data", mnt)
        assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
        assert not problems, "reads failed while the filesystem was read-only (recovery after " \
                             "restart fine):\n" + "\n".join(problems)
        return rc
    finally:
        if srv is not None:
            srv.stop()
        if mounted:
            umount(mnt)
