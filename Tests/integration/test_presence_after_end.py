"""True presence (issue 20, point 3): once a meeting ends, every participant shows offline
everywhere — GET /v1/sessions/{id}, the session list, a late welcome — although their pages
are still open, on one node and on two sharing PostgreSQL."""
from __future__ import annotations

import asyncio
import time

from harness import Server, investor, is_event, officer, run
from test_nodes import postgres  # noqa: F401  (this module's throwaway PostgreSQL cluster)


def online_of(node, sid: str, token: str) -> dict:
    st, js, _ = node.http("GET", f"/v1/sessions/{sid}", token)
    assert st == 200, js
    return {p["id"]: p["online"] for p in js["participants"]}


def listed_online(node, sid: str, token: str) -> dict:
    st, js, _ = node.http("GET", "/v1/sessions", token)
    [s] = [s for s in js["sessions"] if s["id"] == sid]
    return {p["id"]: p["online"] for p in s["participants"]}


def meet_and_end(officer_node, investor_node, token: str, title: str):
    s = officer_node.create_session(title)
    inv = officer_node.create_invite(s["id"], name="Kenji Sato", language="ja")

    async def go():
        off, _ = await officer(officer_node, join=s["id"])
        ws, welcome, _ = await investor(investor_node, inv["code"], "ja")
        # The officer's node has the investor's `joined` (else its `end` would contend for the
        # same seq on the shared store, and be refused for a retry), and both show online.
        await off.wait_for(lambda f: is_event("joined")(f) and f["from"]["id"] == welcome["you"]["id"], timeout=15)
        deadline = time.monotonic() + 15
        while not all(online_of(officer_node, s["id"], token).values()):
            assert time.monotonic() < deadline, online_of(officer_node, s["id"], token)
            await asyncio.sleep(0.2)
        await off.send({"type": "end", "session": s["id"]})
        await off.wait_for(lambda f: is_event("ended")(f) or f.get("type") == "error", timeout=15)
        assert not [f for f in off.frames if f.get("type") == "error"], off.frames[-3:]
        await ws.wait_for(is_event("ended"), timeout=15)
        # Both connections stay open: the pages show the end.
        for node in (officer_node, investor_node):
            assert set(online_of(node, s["id"], token).values()) == {False}, online_of(node, s["id"], token)
            assert set(listed_online(node, s["id"], token).values()) == {False}
        # A page that reconnects after the end is told nobody is online, itself included.
        again, welcome, _ = await investor(investor_node, inv["code"], "ja")
        assert welcome["session"]["status"] == "ended"
        assert all(p["online"] is False for p in welcome["session"]["participants"]), welcome["session"]["participants"]
        for c in (off, ws, again):
            await c.close()
    run(go())


def test_nobody_is_online_after_the_end_on_one_node(server):
    meet_and_end(server, server, server.officer_token, "Hết giờ")


def test_nobody_is_online_after_the_end_on_either_node(postgres, tmp_path_factory):
    root = tmp_path_factory.mktemp("presence-nodes")
    shared = ["--store", postgres.url, "--signing-key", str(root / "key.ed25519"), "--rate-limit", "off",
              "--node-heartbeat", "0.5"]
    a = Server(root / "a", shared)
    a.start(expect_token=True)
    b = Server(root / "b", shared)
    b.start(expect_token=False)
    b.officer_token = a.officer_token
    try:
        meet_and_end(a, b, a.officer_token, "Hai nút, hết giờ")
    finally:
        a.stop()
        b.stop()
