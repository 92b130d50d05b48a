"""Invites on live sockets (issue 16, section 4, "Invites").

- A revocation closes the investor's sockets on every node at once: the node that revokes
  sends a notice on the shared store (PostgreSQL NOTIFY), and the other node closes its
  connections of that invite. Before, only the revoking node's sockets closed; an investor
  connected through another node went on speaking until they reconnected.
- An invite that expires while its investor is connected is closed at expiry (`error`
  `unauthorized` "this invite has expired", close 1008 `invite expired`). Before, expiry was
  checked only at the next `hello`.
- When a session ends, its invites can no longer speak or ask (`conflict`); they may still
  sign in and read the history until the invite expires or is revoked.
"""

from __future__ import annotations

import asyncio
import time

from harness import Server, cid, connect, investor, officer, run
from test_nodes import postgres  # noqa: F401  (the module's PostgreSQL cluster fixture)


def test_revocation_closes_the_investor_on_every_node(postgres, tmp_path):  # noqa: F811
    key = tmp_path / "signing-key.ed25519"
    shared = ["--store", postgres.url, "--signing-key", str(key), "--rate-limit", "off"]
    a = Server(tmp_path / "a", shared)
    a.start(expect_token=True)
    b = Server(tmp_path / "b", shared)
    b.start(expect_token=False)  # the officer account is in the shared store already
    try:
        token = b.officer_token = a.officer_token
        sid = a.create_session("Thu hồi trên hai nút")["id"]
        invite = a.create_invite(sid, name="Tanaka Yui", language="ja")

        async def go():
            on_b, _, _ = await investor(b, invite["code"], "ja")
            on_a, _, _ = await investor(a, invite["code"], "ja")
            started = time.monotonic()
            status, body, _ = a.http("DELETE", f"/v1/sessions/{sid}/invites/{invite['id']}", token)
            assert status == 204, (status, body)
            for ws, node in ((on_b, "the other node"), (on_a, "the revoking node")):
                code, reason = await ws.wait_closed(timeout=5)
                assert code == 1008 and reason == "invite revoked", (node, code, reason)
                errors = [f for f in ws.frames if f.get("type") == "error"]
                assert errors and errors[-1]["code"] == "unauthorized" and "revoked" in errors[-1]["message"], errors
            assert time.monotonic() - started < 3, "the other node must close at once, not at a later poll"
            # And the code no longer signs in on either node.
            for node in (a, b):
                ws = await connect(node)
                answer = await ws.hello_raw(invite["code"], "ja")
                assert answer.get("code") == "unauthorized", answer

        run(go())
    finally:
        for node in (a, b):
            node.stop()


def test_an_invite_that_expires_while_connected_is_closed_at_expiry(server):
    sid = server.create_session("Expiry on a live socket")["id"]
    invite = server.create_invite(sid, name="Park Jisoo", language="ko", expiresIn=3)

    async def go():
        ws, _, _ = await investor(server, invite["code"], "ko")
        ack = await ws.say(sid, "Xin chào, tôi vẫn ở đây.")
        assert ack["type"] == "ack", ack
        code, reason = await ws.wait_closed(timeout=6)
        assert (code, reason) == (1008, "invite expired"), (code, reason)
        error = [f for f in ws.frames if f.get("type") == "error"][-1]
        assert error["code"] == "unauthorized" and "expired" in error["message"], error
        again = await connect(server)
        answer = await again.hello_raw(invite["code"], "ko")
        assert answer.get("code") == "unauthorized" and "expired" in answer.get("message", ""), answer

    run(go())


def test_an_ended_sessions_invites_may_read_but_not_speak(server):
    sid = server.create_session("Ended: read, not speak")["id"]
    code = server.create_invite(sid, name="Nguyen Lan", language="vi")["code"]

    async def go():
        live, _, _ = await investor(server, code, "vi")
        ack = await live.say(sid, "Câu hỏi trước khi kết thúc.")
        assert ack["type"] == "ack"
        off, _ = await officer(server, join=sid)
        await off.send({"type": "end", "session": sid})
        await live.until(lambda: any(e["kind"] == "ended" for e in live.events(sid)), what="ended")
        for ws in (live, (await investor(server, code, "vi"))[0]):
            for frame in ({"type": "say", "session": sid, "text": "Còn ai không?", "clientId": cid()},
                          {"type": "ask", "session": sid, "text": "Còn ai không?", "clientId": cid()}):
                answer = await ws.action(frame)
                assert answer["type"] == "error" and answer["code"] == "conflict", answer
        # Reading stays: a new connection gets the whole history, `ended` last.
        reader, welcome, history = await investor(server, code, "vi")
        assert welcome["session"]["status"] == "ended"
        assert history[-1]["kind"] == "ended" and any(e.get("text") == "Câu hỏi trước khi kết thúc." for e in history)

    run(go())
