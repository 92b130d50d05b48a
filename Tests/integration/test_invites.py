"""Invites: bound to one session, expiry, revocation (contract sections 3 and 4)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from harness import cid, connect, investor, is_error, is_event, officer, run, session_id_of


def test_invite_is_bound_to_its_session(server):
    async def go():
        s1 = server.create_session("Bound one")
        s2 = server.create_session("Bound two")
        off1, _ = await officer(server, join=s1["id"])
        a1 = await off1.say(s1["id"], "only in session one")
        off2, _ = await officer(server, join=s2["id"])
        a2 = await off2.say(s2["id"], "only in session two")
        inv = server.create_invite(s1["id"], name="Nguyen An", language="vi")
        ws, welcome, history = await investor(server, inv["code"], "vi")
        assert session_id_of(welcome["session"]) == s1["id"]
        assert welcome["you"]["id"] == inv["id"] and welcome["you"]["role"] == "investor"
        texts = [e.get("text") for e in history]
        assert "only in session one" in texts and "only in session two" not in texts
        assert all(e["session"] == s1["id"] for e in history)

        # speaking into the other session is refused, nothing appended there
        m2 = off2.mark()
        r = await ws.say(s2["id"], "intruding")
        assert r["type"] == "error" and r["code"] == "forbidden", r
        await off2.expect_none("event", 0.5, since=m2)
        # and its own session works
        r = await ws.say(s1["id"], "hello from the investor")
        assert r["type"] == "ack", r
        ev = await off1.wait_for(lambda f: is_event("message")(f) and f["seq"] == r["seq"])
        assert ev["from"]["id"] == inv["id"]
        # nothing of session two reaches the investor
        m = ws.mark()
        await off2.say(s2["id"], "still private")
        await ws.expect_none(lambda f: f.get("session") == s2["id"], 0.5, since=m)

        # participant entry in the session
        st, g, _ = server.http("GET", f"/v1/sessions/{s1['id']}", server.officer_token)
        p = [p for p in g["participants"] if p["id"] == inv["id"]]
        assert len(p) == 1, g["participants"]
        assert p[0]["role"] == "investor" and p[0]["name"] == "Nguyen An" and p[0]["language"] == "vi"
        assert p[0]["online"] is True and p[0]["muted"] is False
        await ws.close()
        # goes offline once the connection closed
        deadline = time.monotonic() + 5
        while True:
            st, g, _ = server.http("GET", f"/v1/sessions/{s1['id']}", server.officer_token)
            p = [p for p in g["participants"] if p["id"] == inv["id"]][0]
            if p["online"] is False or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        assert p["online"] is False
        # the invite's id is stable across reconnects
        ws, welcome, _ = await investor(server, inv["code"], "vi")
        assert welcome["you"]["id"] == inv["id"]
        for w in (ws, off1, off2):
            await w.close()
    run(go())


def test_invite_expiry(server):
    async def go():
        s = server.create_session("Expiring")
        inv = server.create_invite(s["id"], name="Short", language="en", expiresIn=1)
        exp = datetime.fromisoformat(inv["expiresAt"].replace("Z", "+00:00"))
        wait = exp.timestamp() - time.time() + 1.2
        assert wait < 5, f"expiresAt {inv['expiresAt']} is not ~1 s ahead"
        await asyncio.sleep(max(wait, 1.2))
        ws = await connect(server)
        f = await ws.hello_raw(inv["code"], "en")
        assert f["type"] == "error" and f["code"] == "unauthorized", f
        code, _ = await ws.wait_closed()
        assert code == 1008
    run(go())


def test_invite_revocation_closes_live_connection(server):
    async def go():
        s = server.create_session("Revoked")
        inv = server.create_invite(s["id"], name="Revoked One", language="fr")
        other = server.create_invite(s["id"], name="Stays", language="en")
        ws, _, _ = await investor(server, inv["code"], "fr")
        ws_other, _, _ = await investor(server, other["code"], "en")
        off, _ = await officer(server, join=s["id"])
        st, body, _ = server.http("DELETE", f"/v1/sessions/{s['id']}/invites/{inv['id']}",
                                  server.officer_token)
        assert st == 204, body
        code, reason = await ws.wait_closed(5)
        assert code == 1008, (code, reason)
        # the code stops working at once
        ws2 = await connect(server)
        f = await ws2.hello_raw(inv["code"], "fr")
        assert f["type"] == "error" and f["code"] == "unauthorized", f
        code, _ = await ws2.wait_closed()
        assert code == 1008
        # the other invite is untouched
        assert not ws_other.closed
        r = await ws_other.say(s["id"], "still here")
        assert r["type"] == "ack", r
        for w in (ws_other, off):
            await w.close()
    run(go())


def test_bad_invite_code_unauthorized(server):
    async def go():
        ws = await connect(server)
        f = await ws.hello_raw("A" * 32, "en")
        assert f["type"] == "error" and f["code"] == "unauthorized", f
        code, _ = await ws.wait_closed()
        assert code == 1008
    run(go())


def test_welcome_notice_in_the_investors_language(server):
    async def go():
        s = server.create_session("Notices")
        notices = {}
        for lang in ("en", "ja", "vi"):
            inv = server.create_invite(s["id"], name=f"N {lang}", language=lang)
            ws, w, _ = await investor(server, inv["code"], lang)
            notices[lang] = w["notice"]
            await ws.close()
        assert all(isinstance(n, str) and n.strip() for n in notices.values()), notices
        assert len(set(notices.values())) == 3, notices
        assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in notices["ja"]), notices["ja"]
    run(go())


def test_officer_lists_invites_without_codes(server):
    s = server.create_session("Invite list")
    first = server.create_invite(s["id"], name="Kim Min-jun", language="ko", organisation="Hanul Steel")
    second = server.create_invite(s["id"], name="Lê Thu", language="vi", expiresIn=3600)
    st, body, _ = server.http("DELETE", f"/v1/sessions/{s['id']}/invites/{first['id']}", server.officer_token)
    assert st == 204, body

    st, body, _ = server.http("GET", f"/v1/sessions/{s['id']}/invites", server.officer_token)
    assert st == 200, body
    by_id = {i["id"]: i for i in body["invites"]}
    assert set(by_id) == {first["id"], second["id"]}
    assert by_id[first["id"]]["state"] == "revoked" and by_id[first["id"]]["revokedAt"]
    assert by_id[first["id"]]["organisation"] == "Hanul Steel" and by_id[first["id"]]["language"] == "ko"
    assert by_id[second["id"]]["state"] == "active" and by_id[second["id"]]["revokedAt"] is None
    assert by_id[second["id"]]["expiresAt"] == second["expiresAt"]
    # the codes are stored only as hashes: never listed
    assert all("code" not in i and "joinUrl" not in i for i in body["invites"])
    assert first["code"] not in str(body) and second["code"] not in str(body)

    # officers only; unknown sessions are 404
    st, body, _ = server.http("GET", f"/v1/sessions/{s['id']}/invites", server.reviewer_token)
    assert st == 403, body
    st, body, _ = server.http("GET", "/v1/sessions/ses_aaaaaaaaaaaaaaaa/invites", server.officer_token)
    assert st == 404, body


def test_removed_investor_shows_in_invites_and_participants(server):
    s = server.create_session("Removal shows")
    inv = server.create_invite(s["id"], name="Park Seo-yeon", language="ko")

    async def go():
        ws, _, _ = await investor(server, inv["code"], "ko")
        off, _ = await officer(server, join=s["id"])
        m = off.mark()
        await off.send({"type": "moderate", "session": s["id"], "action": "remove", "target": inv["id"]})
        await off.wait_for(is_event("moderation"), since=m)
        await off.close()

    run(go())
    st, body, _ = server.http("GET", f"/v1/sessions/{s['id']}/invites", server.officer_token)
    assert st == 200 and [i["state"] for i in body["invites"]] == ["removed"], body
    st, session, _ = server.http("GET", f"/v1/sessions/{s['id']}", server.officer_token)
    p = [p for p in session["participants"] if p["id"] == inv["id"]][0]
    assert p["removed"] is True and p["online"] is False
    assert all(q["removed"] is False for q in session["participants"] if q["id"] != inv["id"])
