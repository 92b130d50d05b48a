"""Meetings on the calendar with two nodes on one PostgreSQL store (issue 18): each mail of
the shared outbox reaches a real SMTP server once, whichever node queued it and however
both nodes' workers race for it; a meeting moved or cancelled through one node is moved or
cancelled in the sessions the other node holds in memory.

A throwaway PostgreSQL cluster (Tests/postgres/cluster.sh) is started for this module.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from harness import Server, cid, investor, officer, run
from test_calendar import SMTPServer, calendar_of, event_of, outbox, soon, wait_messages
from test_nodes import postgres  # noqa: F401  (the module's throwaway cluster)


@pytest.fixture(scope="module")
def mail_nodes(postgres, tmp_path_factory):  # noqa: F811
    """Two nodes sharing the store, the signing key and one real SMTP server."""
    root = tmp_path_factory.mktemp("calendar-nodes")
    relay = SMTPServer(root)
    shared = ["--store", postgres.url, "--signing-key", str(root / "signing-key.ed25519"), "--rate-limit", "off",
              "--smtp", f"smtp://127.0.0.1:{relay.port}", "--mail-from", "ipa@quangninh.example",
              "--mail-retry-seconds", "1"]
    a = Server(root / "a", shared)
    a.start(expect_token=True)
    b = Server(root / "b", shared)
    b.start(expect_token=False)  # the officer account is in the shared store already
    b.officer_token = a.officer_token
    yield a, b, relay
    for node in (a, b):
        node.stop()
    relay.stop()


def mails_of(relay, session_title: str) -> list:
    return [m for m in wait_messages(relay.maildir, 0) if session_title in str(m["Subject"])]


def wait_for_mails(relay, title: str, count: int, timeout: float = 40.0) -> list:
    deadline = time.time() + timeout
    while True:
        found = mails_of(relay, title)
        if len(found) >= count:
            return found
        assert time.time() < deadline, f"{len(found)} of {count} mails for {title!r}"
        time.sleep(0.2)


def test_each_mail_goes_out_once_whichever_node_queued_it(mail_nodes):
    a, b, relay = mail_nodes
    title = f"Khu công nghiệp Bắc Tiền Phong {cid()[:6]}"
    starts, ends, start, end = soon(hours=72)
    s = a.create_session(title, startsAt=starts, endsAt=ends)
    people = [(f"investor{i}@example.com", "ja" if i % 2 else "en") for i in range(8)]
    for i, (address, language) in enumerate(people):
        node = a if i % 2 else b
        node.create_invite(s["id"], name=f"Investor {i}", language=language, email=address, timeZone="Asia/Tokyo")
    invitations = wait_for_mails(relay, title, len(people))
    time.sleep(2)  # a second copy, if a mail were sent twice, arrives by now
    invitations = mails_of(relay, title)
    assert Counter(m["To"].addresses[0].addr_spec for m in invitations) == Counter(a for a, _ in people)
    for m in invitations:
        event = event_of(calendar_of(m))
        assert event.decoded("DTSTART") == start and event.decoded("DTEND") == end
        assert int(event.get("SEQUENCE", 0)) == 0

    # Moved through the other node: one update per investor, with the new time.
    moved_start, moved_end, new_start, _ = soon(hours=96)
    status, moved, _ = b.http("PATCH", f"/v1/sessions/{s['id']}", b.officer_token,
                              {"startsAt": moved_start, "endsAt": moved_end})
    assert status == 200, moved
    wait_for_mails(relay, title, 2 * len(people))
    time.sleep(2)
    updates = [m for m in mails_of(relay, title) if int(event_of(calendar_of(m)).get("SEQUENCE", 0)) == 1]
    assert Counter(m["To"].addresses[0].addr_spec for m in updates) == Counter(a for a, _ in people)
    assert all(event_of(calendar_of(m)).decoded("DTSTART") == new_start for m in updates)

    # The outbox is one list, seen alike from both nodes; every mail sent once.
    for node in (a, b):
        mine = [m for m in outbox(node) if m["session"] == s["id"]]
        assert len(mine) == 2 * len(people) and all(m["status"] == "sent" for m in mine), mine
        assert all(m["attempts"] == 1 for m in mine), mine


def test_a_move_and_a_cancellation_reach_the_other_nodes_sessions(mail_nodes):
    a, b, _ = mail_nodes

    async def go():
        starts, ends, _, _ = soon(hours=30)
        s = a.create_session(f"Vân Đồn {cid()[:6]}", startsAt=starts, endsAt=ends)
        sid = s["id"]
        code = a.create_invite(sid, name="Kenji Sato", language="ja")["code"]
        # Joined early through b: the session is in b's memory from now on.
        early, welcome, _ = await investor(b, code, "ja")
        assert welcome["session"]["status"] == "scheduled" and welcome["session"]["startsAt"] == starts
        off, _ = await officer(b, join=sid)

        # Moved through a: a later welcome on b gives the new time.
        moved_start, moved_end, _, _ = soon(hours=54)
        status, _, _ = a.http("PATCH", f"/v1/sessions/{sid}", a.officer_token,
                              {"startsAt": moved_start, "endsAt": moved_end})
        assert status == 200
        deadline = time.time() + 10
        while True:
            again, welcome, _ = await investor(b, code, "ja")
            await again.conn.close()
            if welcome["session"]["startsAt"] == moved_start:
                break
            assert time.time() < deadline, f"b still says {welcome['session']['startsAt']}"
            await asyncio.sleep(0.2)
        assert welcome["session"]["sequence"] == 1

        # Cancelled through a: b's officer can no longer write in it, and ending it there
        # does not turn the call-off into a meeting that took place.
        status, _, _ = a.http("POST", f"/v1/sessions/{sid}/cancel", a.officer_token, {})
        assert status == 200
        deadline = time.time() + 10
        while True:
            answer = await off.say(sid, "Chúng tôi vẫn ở đây.")
            if answer["type"] == "error":
                break
            assert time.time() < deadline, "b still takes messages in the cancelled session"
            await asyncio.sleep(0.2)
        assert answer["code"] == "conflict" and "cancelled" in answer["message"], answer
        for node in (a, b):
            status, info, _ = node.http("GET", f"/v1/sessions/{sid}", node.officer_token)
            assert status == 200 and info["status"] == "cancelled", info
        await off.conn.close()
        await early.conn.close()

    run(go(), timeout=90)
