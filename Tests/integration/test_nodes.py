"""Several nodes on one PostgreSQL store: one session's participants split across two server
processes see one gapless sequence, each event once; a node killed with SIGKILL loses nothing
acknowledged, and its clients resume on the other node with nothing missed or repeated.

A throwaway PostgreSQL cluster (Tests/postgres/cluster.sh) is started for this module.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
from urllib.parse import urlparse
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from harness import REPO, Server, cid, cli, connect, investor, officer, reviewer, run

CLUSTER = REPO / "Tests" / "postgres" / "cluster.sh"


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Cluster:
    def __init__(self, url: str, folder: Path):
        self.url = url
        self.folder = folder

    def restart(self):
        self._run("restart")

    def down(self):
        self._run("down")

    def up(self):
        self._run("up")

    def _run(self, command: str):
        out = subprocess.run([str(CLUSTER), command, str(self.folder)], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, f"cluster {command} failed: {out.stderr}"


@pytest.fixture(scope="module")
def postgres():
    # Directly under /tmp: as root the cluster runs as the postgres user, who must reach it
    # (pytest's own temporary folders are private to root).
    parent = Path(tempfile.mkdtemp(prefix="dialogue-nodes-pg-", dir="/tmp"))
    folder = parent / "cluster"
    out = subprocess.run([str(CLUSTER), "start", str(folder), str(free_port())],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"cluster did not start: {out.stderr}"
    yield Cluster(out.stdout.strip(), folder)
    subprocess.run([str(CLUSTER), "stop", str(folder)], capture_output=True, timeout=60)
    shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(scope="module")
def nodes(postgres, tmp_path_factory):
    """Two nodes sharing the store and the signing key, each with its own data folder."""
    root = tmp_path_factory.mktemp("nodes")
    key = root / "signing-key.ed25519"
    # A short heartbeat, so a killed node's people go offline within seconds.
    shared = ["--store", postgres.url, "--signing-key", str(key), "--rate-limit", "off", "--node-heartbeat", "0.5"]
    a = Server(root / "a", shared)
    a.start(expect_token=True)
    b = Server(root / "b", shared)
    b.start(expect_token=False)  # the officer account is in the shared store already
    b.officer_token = a.officer_token
    yield a, b
    for node in (a, b):
        node.stop()


async def send_until_acked(ws, sid: str, prefix: str, n: int, timeout: float = 40.0, pause: float = 0.0) -> dict:
    """Sends n messages, resending any refused as `unavailable` with the same clientId (what
    a client does when another node took the seq first); returns {clientId: seq}."""
    ids = [f"{prefix}-{i}-{cid()[:6]}" for i in range(n)]
    texts = {c: f"{prefix} message {i}" for i, c in enumerate(ids)}
    for c in ids:
        await ws.send({"type": "say", "session": sid, "text": texts[c], "clientId": c})
        if pause:
            await asyncio.sleep(pause)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    retried: set[int] = set()
    while True:
        acked = {f["clientId"]: f["seq"] for f in ws.frames if f.get("type") == "ack" and f.get("clientId") in texts}
        if len(acked) == n:
            return acked
        for index, f in enumerate(ws.frames):
            if f.get("type") == "error" and f.get("ref") in texts and index not in retried:
                assert f.get("code") == "unavailable", f"refused: {f!r}"
                retried.add(index)
                if f["ref"] not in acked:
                    await ws.send({"type": "say", "session": sid, "text": texts[f["ref"]], "clientId": f["ref"]})
        assert loop.time() < deadline, f"{prefix}: {len(acked)}/{n} acked; last frames {ws.frames[-5:]!r}"
        await asyncio.sleep(0.05)


async def meeting_across(officer_node, investor_node, title: str, name: str, language: str):
    """A new session with an officer joined on one node and an invited investor on the other;
    returns (session id, officer ws, officer welcome, invite code, investor ws, investor welcome)."""
    sid = officer_node.create_session(title)["id"]
    off, ow = await officer(officer_node, join=sid)
    code = officer_node.create_invite(sid, name=name, language=language)["code"]
    inv, iw, _ = await investor(investor_node, code, language)
    return sid, off, ow, code, inv, iw


def check_same_sequence(members, sid: str, total: int):
    views = []
    for ws in members:
        seqs = [e["seq"] for e in ws.events(sid)]
        assert seqs == list(range(1, total + 1)), f"not gapless, ordered and once: {seqs}"
        views.append([(e["seq"], e["kind"], e["from"]["id"], e.get("clientId")) for e in ws.events(sid)])
    for view in views[1:]:
        assert view == views[0], "members of one session saw different sequences"
    return views[0]


def test_one_session_across_two_nodes(nodes):
    a, b = nodes
    N = 30

    async def go():
        s = a.create_session("Hai nút, một phiên")
        sid = s["id"]
        off, ow = await officer(a, join=sid)
        inv_a = a.create_invite(sid, name="Kenji Sato", language="ja")
        inv_b = b.create_invite(sid, name="Marie Dubois", language="fr")
        ja, jw, _ = await investor(a, inv_a["code"], "ja")
        fr, fw, _ = await investor(b, inv_b["code"], "fr")
        rev, _ = await reviewer(b, join=sid)
        senders = [(off, ow, "off"), (ja, jw, "ja"), (fr, fw, "fr")]
        ack_maps = await asyncio.gather(*(send_until_acked(ws, sid, p, N) for ws, _, p in senders))
        total = 3 + 3 * N  # three `joined`, then the messages
        # Contention between the nodes stays inside the server: no sender was told to retry.
        refusals = [f for ws, _, _ in senders for f in ws.frames if f.get("type") == "error"]
        assert not refusals, refusals[:3]
        for ws in (off, ja, fr, rev):
            await ws.wait_seq(total, sid, timeout=20)
        await asyncio.sleep(0.5)  # a duplicate would arrive by now
        view = check_same_sequence([off, ja, fr, rev], sid, total)
        by_seq = {e[0]: e for e in view}
        for (ws, welcome, _), acked in zip(senders, ack_maps):
            for client_id, seq in acked.items():
                assert by_seq[seq][3] == client_id and by_seq[seq][2] == welcome["you"]["id"], (client_id, by_seq[seq])
        # Both nodes serve the same transcript, and it verifies.
        assert a.transcript(sid)["events"] == b.transcript(sid)["events"]
        for ws in (off, ja, fr, rev):
            await ws.conn.close()

    run(go(), timeout=120)


def test_a_killed_node_loses_nothing_and_its_clients_resume_on_the_other(nodes, tmp_path):
    a, b = nodes

    async def go():
        sid, off, ow, code, inv, iw = await meeting_across(a, b, "Nút bị tắt", "Kenji Sato", "ja")
        sent: list[str] = []
        for i in range(40):  # the investor on node b talks; b dies mid-stream
            c = f"k-{i}"
            await inv.send({"type": "say", "session": sid, "text": f"kill test {i}", "clientId": c})
            sent.append(c)
            if i == 25:
                b.kill()
                break
            await asyncio.sleep(0.01)
        acked = {f["clientId"]: f["seq"] for f in inv.frames if f.get("type") == "ack"}
        assert acked, "node b acknowledged nothing before it died"
        last_seen = max([e["seq"] for e in inv.events(sid)] or [0])
        # The investor comes back on node a, resuming from what it saw, and resends what
        # was never acknowledged, with the same clientIds.
        again = await connect(a)
        await again.hello(code, "ja", resume={"session": sid, "after": last_seen})
        await again.read_history()
        pending = [c for c in sent if c not in acked]
        for c in pending:
            await again.send({"type": "say", "session": sid, "text": f"kill test {c[2:]}", "clientId": c})
        await again.until(lambda: all(any(f.get("type") == "ack" and f.get("clientId") == c for f in again.frames)
                                      for c in pending), 20, "acks of the resent messages")
        # Everything acknowledged by node b before it died is stored once, at its seq.
        events = a.transcript(sid)["events"]
        by_client = {}
        for e in events:
            if e.get("clientId"):
                assert e["clientId"] not in by_client, f"stored twice: {e['clientId']}"
                by_client[e["clientId"]] = e["seq"]
        for c, seq in acked.items():
            assert by_client.get(c) == seq, (c, seq, by_client.get(c))
        assert set(sent) <= set(by_client)
        seqs = [e["seq"] for e in events]
        assert seqs == list(range(1, len(seqs) + 1))
        # Resumed: what it saw before plus what it read after, gapless and once.
        seen = [e["seq"] for e in inv.events(sid) if e["seq"] <= last_seen] + [e["seq"] for e in again.events(sid)]
        assert seen == list(range(1, max(seen) + 1)), seen
        # The officer on node a saw it all, once, in order.
        await off.wait_seq(len(seqs), sid, timeout=20)
        assert [e["seq"] for e in off.events(sid)] == seqs
        await off.conn.close()
        await again.conn.close()

    run(go(), timeout=120)
    b.start(expect_token=False)  # back for any later test


def test_postgres_restarted_under_load(nodes, postgres):
    """PostgreSQL goes down and comes back while both nodes take messages: commits wait (no
    ack for what is not stored), then everything sent is stored once, in one gapless order,
    and both nodes' members see it all."""
    a, b = nodes

    async def go():
        sid, off, ow, code, fr, fw = await meeting_across(a, b, "Cơ sở dữ liệu khởi động lại", "Marie Dubois", "fr")

        async def restart_midway():
            await asyncio.sleep(0.4)
            await asyncio.get_running_loop().run_in_executor(None, postgres.restart)

        acked_off, acked_fr, _ = await asyncio.gather(
            send_until_acked(off, sid, "off", 40, timeout=90, pause=0.02),
            send_until_acked(fr, sid, "fr", 40, timeout=90, pause=0.02),
            restart_midway())
        events = a.transcript(sid)["events"]
        seqs = [e["seq"] for e in events]
        assert seqs == list(range(1, len(seqs) + 1))
        stored = [e.get("clientId") for e in events if e.get("clientId")]
        assert len(stored) == len(set(stored)) == 80, "a message stored twice or lost"
        by_client = {e["clientId"]: e["seq"] for e in events if e.get("clientId")}
        for c, seq in {**acked_off, **acked_fr}.items():
            assert by_client[c] == seq
        for ws in (off, fr):
            await ws.wait_seq(len(seqs), sid, timeout=30)
        check_same_sequence([off, fr], sid, len(seqs))
        await off.conn.close()
        await fr.conn.close()

    run(go(), timeout=180)


def presence_of(ws, participant_id: str, since: int = 0) -> list[bool]:
    """The online values of the presence frames a client got about one participant."""
    return [f["participant"]["online"] for f in ws.frames[since:]
            if f.get("type") == "presence" and f["participant"]["id"] == participant_id]


async def eventually(check, timeout: float, what: str):
    """Polls check() (HTTP, not frames) until it is true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, f"timed out after {timeout}s waiting for {what}"
        await asyncio.sleep(0.1)


def online_over_http(node, sid: str) -> dict:
    st, js, _ = node.http("GET", f"/v1/sessions/{sid}", node.officer_token)
    assert st == 200, (st, js)
    return {p["id"]: p["online"] for p in js["participants"]}


def test_presence_is_shared_by_the_nodes(nodes):
    """Someone connected to one node is online for everyone on the other: presence frames,
    welcome and the session over HTTP agree, and a second connection on the other node
    keeps them online when the first closes."""
    a, b = nodes

    async def go():
        sid, off, ow, code, inv, iw = await meeting_across(a, b, "Có mặt trên hai nút", "Kenji Sato", "ja")
        me = iw["you"]["id"]
        await off.wait_seq(2, sid)  # the investor's `joined`, read from the other node
        # 5 s was missed once in a full run on a fresh clone (not reproduced: 3 of 3 alone and
        # both other full runs passed; cause not found yet), so the wait is 15 s.
        await eventually(lambda: online_over_http(a, sid).get(me) is True, 15, "investor online over HTTP on node a")
        # Node b counts the officer on node a as online too.
        assert online_over_http(b, sid).get(ow["you"]["id"]) is True
        # The investor leaves node b: offline on node a. (The frame saying they came online may
        # arrive after the HTTP answer above, through the other node's notice: the last word
        # counts.)
        mark = off.mark()
        await inv.conn.close()
        await off.until(lambda: presence_of(off, me, mark)[-1:] == [False], 5, "offline presence on node a")
        assert online_over_http(a, sid).get(me) is False
        # Back on node b (no `joined` this time: only presence tells node a).
        mark = off.mark()
        inv, iw, _ = await investor(b, code, "ja", resume={"session": sid, "after": 2})
        await off.until(lambda: presence_of(off, me, mark) == [True], 5, "online presence on node a")
        # The investor's welcome on node b lists the officer on node a as online.
        online = {p["id"]: p["online"] for p in iw["session"]["participants"]}
        assert online[ow["you"]["id"]] is True, online
        # A second connection on node a, then the one on node b closes: still online.
        mark = off.mark()
        again, _, _ = await investor(a, code, "ja", resume={"session": sid, "after": 2})
        await inv.conn.close()
        await asyncio.sleep(1.0)
        assert presence_of(off, me, mark) == [], off.frames[mark:]
        assert online_over_http(b, sid).get(me) is True
        await again.conn.close()
        await off.until(lambda: presence_of(off, me, mark) == [False], 5, "offline once the last connection closed")
        await off.conn.close()

    run(go())


def test_people_on_a_killed_node_go_offline(nodes):
    """A node killed with SIGKILL cannot say goodbye: the others take it for dead after three
    missed heartbeats and show its people offline."""
    a, b = nodes

    async def go():
        sid, off, _, _, inv, iw = await meeting_across(a, b, "Nút mất tích", "Marie Dubois", "fr")
        me = iw["you"]["id"]
        await eventually(lambda: online_over_http(a, sid).get(me) is True, 5, "investor online")
        mark = off.mark()
        b.kill()
        started = asyncio.get_running_loop().time()
        # Three missed beats of 0.5 s, plus at most one query deadline (10 s) should the pool
        # have lost a request of node a's around the earlier PostgreSQL restart.
        # The last word counts: node a's "online" frame may arrive after the HTTP answer above.
        await off.until(lambda: presence_of(off, me, mark)[-1:] == [False], 25, "offline after node b died")
        waited = asyncio.get_running_loop().time() - started
        assert waited >= 1.0, f"offline after {waited:.2f} s: before three heartbeats (1.5 s) could be missed"
        assert online_over_http(a, sid).get(me) is False
        await off.conn.close()

    try:
        run(go())
    except AssertionError:
        print("node a's log:\n" + a.stderr_text()[-6000:])
        raise
    finally:
        if not b.running:
            b.start(expect_token=False)


def test_an_unreachable_store_is_told_and_ends(nodes, postgres):
    """PostgreSQL stops: both nodes tell their signed-in clients (`service` unavailable),
    answer /healthz with 503 so a load balancer can turn away, acknowledge nothing; when it
    is back they say so, and a message sent meanwhile is stored once."""
    a, b = nodes

    async def go():
        sid, off, _, _, inv, _ = await meeting_across(a, b, "Mất cơ sở dữ liệu", "Kenji Sato", "ja")
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, postgres.down)
            for ws in (off, inv):
                frame = await ws.until(
                    lambda w=ws: next((f for f in w.frames if f.get("type") == "service"), None), 15,
                    "the service frame")
                assert frame["store"] == "unavailable" and frame["message"], frame
            for node in (a, b):
                st, js, _ = node.http("GET", "/healthz")
                assert st == 503 and js["status"] == "unavailable", (st, js)
            # A newcomer's token cannot be checked: `unavailable` and 1013 (try again later),
            # not `unauthorized`.
            late = await connect(b)
            await late.send({"type": "hello", "token": b.officer_token, "language": "en"})
            code_, _ = await late.wait_closed(15)
            assert code_ == 1013, (code_, late.frames)
            assert [f["code"] for f in late.frames if f.get("type") == "error"] == ["unavailable"], late.frames
            await inv.send({"type": "say", "session": sid, "text": "Còn ai không?", "clientId": "outage-1"})
            await asyncio.sleep(1.0)
            assert not any(f.get("type") == "ack" for f in inv.frames), "acknowledged while the store was down"
        finally:
            await loop.run_in_executor(None, postgres.up)
        for ws in (off, inv):
            await ws.until(lambda w=ws: any(f.get("type") == "service" and f["store"] == "available"
                                            for f in w.frames), 20, "the store back")
        for node in (a, b):
            await eventually(lambda n=node: n.http("GET", "/healthz")[0] == 200, 20, "healthz 200 again")
        # What was sent during the outage is stored once: acked, or refused and resent.
        await inv.until(lambda: any(f.get("type") in ("ack", "error") and
                                    (f.get("clientId") == "outage-1" or f.get("ref") == "outage-1")
                                    for f in inv.frames), 20, "an answer to the message sent meanwhile")
        if not any(f.get("type") == "ack" for f in inv.frames):
            error = next(f for f in inv.frames if f.get("ref") == "outage-1")
            assert error["code"] == "unavailable", error
            await inv.send({"type": "say", "session": sid, "text": "Còn ai không?", "clientId": "outage-1"})
            await inv.until(lambda: any(f.get("type") == "ack" for f in inv.frames), 20, "the resent message's ack")
        stored = [e for e in a.transcript(sid)["events"] if e.get("clientId") == "outage-1"]
        assert len(stored) == 1, stored
        for ws in (off, inv):
            await ws.conn.close()

    run(go(), timeout=150)


def test_migrate_store_moves_a_sqlite_deployment(postgres, server_factory, tmp_path):
    """A single-node deployment (SQLite) moves into PostgreSQL with `migrate-store`: every
    chain verifies after the move, and a node on the new store serves the same transcripts,
    signed heads, notes, invites and staff tokens."""
    # Mail waits in the outbox (its SMTP server is down): the new store's node sends it.
    old = server_factory("--rate-limit", "off", "--smtp", f"smtp://127.0.0.1:{free_port()}", "--mail-retry-seconds", "1")
    starts = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%dT%H:00:00Z")
    ends = (datetime.now(timezone.utc) + timedelta(days=3, hours=1)).strftime("%Y-%m-%dT%H:00:00Z")
    planned = old.create_session("Họp theo lịch", startsAt=starts, endsAt=ends)
    old.create_invite(planned["id"], name="Marie Dubois", language="fr", email="marie@dubois.example")
    st, request, _ = old.http("POST", "/v1/requests", None, {
        "name": "Lee Min-ho", "organisation": "Hanbit Logistics", "email": "lee@hanbit.example", "language": "ko",
        "timeZone": "Asia/Seoul", "topic": "industrial-zones", "slots": [starts], "message": "물류 창고 부지"})
    assert st == 201, request
    queued = [m for m in old.http("GET", "/v1/outbox", old.officer_token)[1]["mails"]]
    assert sorted(m["kind"] for m in queued) == ["invitation", "request"], queued

    async def talk():
        s = old.create_session("Chuyển sang PostgreSQL")
        sid = s["id"]
        off, _ = await officer(old, join=sid)
        code = old.create_invite(sid, name="Kenji Sato", language="ja")["code"]
        ja, _, _ = await investor(old, code, "ja")
        for i in range(5):
            assert (await off.say(sid, f"Khu kinh tế Vân Đồn {i}"))["type"] == "ack"
            assert (await ja.say(sid, f"工業団地 {i}"))["type"] == "ack"
        st, _, _ = old.http("POST", f"/v1/sessions/{sid}/notes", old.officer_token, {"seq": 3, "text": "ghi chú"})
        assert st in (200, 201)
        st, _, _ = old.http("POST", f"/v1/sessions/{sid}/events/4/redact", old.officer_token, {"reason": "số điện thoại"})
        assert st == 200
        await off.send({"type": "end", "session": sid})
        await off.until(lambda: any(e.get("kind") == "ended" for e in off.events(sid)), 10, "ended")
        live = old.create_session("Vẫn đang diễn ra")
        await off.join(live["id"])
        await off.conn.close()
        await ja.conn.close()
        return sid, live["id"]

    ended, live = run(talk())
    before = {sid: old.transcript(sid) for sid in (ended, live)}
    verified_before = old.http("GET", f"/v1/sessions/{ended}/verify", old.officer_token)[1]
    token = old.officer_token
    old.stop()

    target = postgres.url.replace("/dialogue", "/migrated")
    out = cli("migrate-store", "--from", f"sqlite:{old.data}", "--to", target)
    assert out.returncode == 0, out.stderr
    assert "every chain verified" in out.stdout and "2 mails, 1 meeting requests" in out.stdout, out.stdout
    again = cli("migrate-store", "--from", f"sqlite:{old.data}", "--to", target)
    assert again.returncode == 2 and "already holds" in again.stderr, "a second migration must refuse"
    # Who redacted what and why moved too (the redactions table, not only the rewritten rows).
    u = urlparse(target)
    copied = subprocess.run(["pg_dump", "--data-only", "-t", "redactions", "-h", u.hostname, "-p", str(u.port),
                             "-U", u.username, u.path.lstrip("/")], capture_output=True, text=True, timeout=60)
    assert copied.returncode == 0, copied.stderr
    assert "số điện thoại" in copied.stdout, "the redactions table was not copied"

    new = Server(tmp_path / "node", ["--store", target, "--signing-key", str(old.data / "signing-key.ed25519")])
    new.start(expect_token=False)
    new.officer_token = token  # the staff token still works: its hash moved
    try:
        for sid in (ended, live):
            after = new.transcript(sid)
            assert after["events"] == before[sid]["events"]
            assert after.get("notes") == before[sid].get("notes")
        verified = new.http("GET", f"/v1/sessions/{ended}/verify", token)[1]
        assert verified["ok"] is True and verified == verified_before, (verified, verified_before)
        st, invites, _ = new.http("GET", f"/v1/sessions/{ended}/invites", token)
        assert st == 200 and len(invites["invites"]) == 1
        # The meeting request and the mails moved; the waiting mails, sealed under the same
        # key, go out from the new node (its default Maildir).
        st, requests, _ = new.http("GET", "/v1/requests", token)
        assert [r["id"] for r in requests["requests"]] == [request["id"]]
        deadline = time.time() + 20
        while True:
            mails = new.http("GET", "/v1/outbox", token)[1]["mails"]
            if all(m["status"] == "sent" for m in mails):
                break
            assert time.time() < deadline, mails
            time.sleep(0.2)
        assert sorted(m["id"] for m in mails) == sorted(m["id"] for m in queued)
        sent = list((new.data / "mail" / "new").iterdir())
        assert len(sent) == 2 and any(b"marie@dubois.example" in p.read_bytes() for p in sent)

        async def go_on():  # the live session goes on from its last seq
            off, _ = await officer(new, join=live)
            ack = await off.say(live, "Tiếp tục trên PostgreSQL")
            assert ack["type"] == "ack" and ack["seq"] == len(before[live]["events"]) + 1, ack
            await off.conn.close()

        run(go_on())
    finally:
        new.stop()


def test_a_translation_made_on_one_node_reaches_readers_on_the_other(postgres, tmp_path):
    """The node that stored a message translates it; a French reader connected to the other
    node gets the `translation` frame too (announced with the stored translation)."""
    from provider_standin import StandIn

    standin = StandIn()
    key = tmp_path / "signing-key.ed25519"
    shared = ["--store", postgres.url, "--signing-key", str(key), "--rate-limit", "off",
              "--translator", f"libretranslate:{standin.url}"]
    c = Server(tmp_path / "c", shared)
    c.start(expect_token=False)  # the shared store has an officer already
    d = Server(tmp_path / "d", shared)
    d.start(expect_token=False)
    try:
        officer_token = cli("staff", "add", "--name", f"translator-{cid()[:6]}", "--role", "officer",
                            "--data", str(tmp_path / "c"), "--store", postgres.url).stdout.strip()
        c.officer_token = d.officer_token = officer_token
        s = c.create_session("Dịch giữa hai nút", languages=["vi", "fr"])
        code = d.create_invite(s["id"], name="Marie Dubois", language="fr")["code"]

        async def go():
            off, _ = await officer(c, join=s["id"])
            fr, _, _ = await investor(d, code, "fr")
            ack = await off.say(s["id"], "Khu kinh tế Vân Đồn có cảng biển.", language="vi")
            assert ack["type"] == "ack", ack
            frame = await fr.until(
                lambda: next((f for f in fr.frames if f.get("type") == "translation" and f.get("seq") == ack["seq"]), None),
                timeout=15, what="the translation made on the other node")
            assert frame["language"] == "fr" and frame["text"].startswith("[fr] "), frame
            await asyncio.sleep(0.5)
            copies = [f for f in fr.frames if f.get("type") == "translation" and f.get("seq") == ack["seq"]]
            assert len(copies) == 1, copies
            await off.conn.close()
            await fr.conn.close()

        run(go())
    finally:
        for node in (c, d):
            node.stop()
        standin.close()
