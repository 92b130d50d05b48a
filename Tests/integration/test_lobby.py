"""The lobby (issue 18): in a session with its lobby on, investors wait, see that they
wait, and see nothing of the conversation until an officer admits them; officers see who
waits; admission and refusal are events in the transcript."""

from __future__ import annotations

from harness import connect, cid, is_error, is_event, officer, run


def lobby_frame(ws, session: str, invites: list[str]):
    return lambda f: f.get("type") == "lobby" and f.get("session") == session and \
        [w["invite"] for w in f.get("waiting", [])] == invites


def test_an_investor_waits_until_an_officer_admits_them(server):
    s = server.create_session("Lobby: Cái Lân port", lobby=True)
    assert s["lobby"] is True
    inv = server.create_invite(s["id"], name="Tanaka Yui", language="ja", organisation="Tanaka Shoji")

    async def go():
        off, _ = await officer(server, join=s["id"])
        said = await off.say(s["id"], "Chỉ dành cho những người đã vào phòng")
        assert said["type"] == "ack"
        await off.wait_for(lobby_frame(off, s["id"], []))

        guest = await connect(server)
        welcome = await guest.hello(inv["code"], "ja")
        assert welcome["type"] == "welcome" and welcome["lobby"] is True
        assert welcome["session"]["id"] == s["id"] and "participants" not in welcome["session"]
        assert welcome["notice"], "the recording notice in the investor's language"
        # The officers see who waits: name, organisation, language.
        frame = await off.wait_for(lobby_frame(off, s["id"], [inv["id"]]))
        waiting = frame["waiting"][0]
        assert waiting["name"] == "Tanaka Yui" and waiting["organisation"] == "Tanaka Shoji"
        assert waiting["language"] == "ja" and waiting["since"]
        # Nothing of the conversation, and no speaking, while waiting.
        mark = guest.mark()
        await guest.send({"type": "say", "session": s["id"], "text": "もしもし", "clientId": cid()})
        error = await guest.wait_for(is_error("forbidden"), since=mark)
        assert "lobby" in error["message"]
        assert not guest.find(lambda f: f.get("type") in ("history", "event"), since=0)

        # An investor cannot admit anyone.
        mark = guest.mark()
        await guest.send({"type": "admit", "session": s["id"], "invite": inv["id"]})
        await guest.wait_for(is_error("forbidden"), since=mark)

        mark = guest.mark()
        await off.send({"type": "admit", "session": s["id"], "invite": inv["id"]})
        admitted = await off.wait_for(is_event("moderation"))
        assert admitted["action"] == "admit" and admitted["target"] == inv["id"]
        await guest.wait_for(lambda f: f.get("type") == "admitted" and f.get("session") == s["id"], since=mark)
        again = await guest.wait_for(lambda f: f.get("type") == "welcome" and not f.get("lobby"), since=mark)
        assert [p["id"] for p in again["session"]["participants"]][0]
        await guest.wait_for(lambda f: f.get("type") == "history" and f.get("complete"), since=mark)
        texts = [e.get("text") for f in guest.find(lambda f: f.get("type") == "history", since=mark)
                 for e in (f.get("events") or [])]
        assert "Chỉ dành cho những người đã vào phòng" in texts
        await off.wait_for(lobby_frame(off, s["id"], []))
        r = await guest.say(s["id"], "よろしくお願いします")
        assert r["type"] == "ack", r
        # A reconnection is let in at once.
        await guest.close()
        back = await connect(server)
        welcome = await back.hello(inv["code"], "ja")
        assert not welcome.get("lobby")
        await back.close()
        await off.close()
    run(go())

    kinds = [(e["kind"], e.get("action")) for e in server.transcript(s["id"])["events"]]
    assert ("moderation", "admit") in kinds


def test_a_declined_investor_is_turned_away_and_stays_out(server):
    s = server.create_session("Lobby: decline", lobby=True)
    inv = server.create_invite(s["id"], name="Unknown caller", language="en")

    async def go():
        off, _ = await officer(server, join=s["id"])
        guest = await connect(server)
        welcome = await guest.hello(inv["code"], "en")
        assert welcome["lobby"] is True
        await off.wait_for(lobby_frame(off, s["id"], [inv["id"]]))
        await off.send({"type": "decline", "session": s["id"], "invite": inv["id"]})
        declined = await off.wait_for(is_event("moderation"))
        assert declined["action"] == "decline"
        error = await guest.wait_for(is_error("unauthorized"))
        assert "declined" in error["message"], error
        code, _ = await guest.wait_closed()
        assert code == 1008
        await off.wait_for(lobby_frame(off, s["id"], []))
        # Back again: refused at once.
        again = await connect(server)
        reply = await again.hello_raw(inv["code"], "en")
        assert reply["type"] == "error" and reply["code"] == "unauthorized" and "declined" in reply["message"]
        # Declining twice is a conflict; admitting afterwards lets them in.
        mark = off.mark()
        await off.send({"type": "decline", "session": s["id"], "invite": inv["id"]})
        await off.wait_for(is_error("conflict"), since=mark)
        await off.send({"type": "admit", "session": s["id"], "invite": inv["id"]})
        await off.wait_for(lambda f: is_event("moderation")(f) and f.get("action") == "admit")
        late = await connect(server)
        welcome = await late.hello(inv["code"], "en")
        assert not welcome.get("lobby")
        await late.close()
        await off.close()
    run(go())


def test_a_session_without_lobby_admits_at_once_and_refuses_lobby_answers(server):
    s = server.create_session("No lobby")
    inv = server.create_invite(s["id"], name="Direct", language="en")

    async def go():
        off, _ = await officer(server, join=s["id"])
        guest = await connect(server)
        welcome = await guest.hello(inv["code"], "en")
        assert not welcome.get("lobby")
        mark = off.mark()
        await off.send({"type": "admit", "session": s["id"], "invite": inv["id"]})
        error = await off.wait_for(is_error("conflict"), since=mark)
        assert "lobby" in error["message"]
        await guest.close()
        await off.close()
    run(go())


def test_the_end_of_the_session_lets_the_waiting_go(server):
    s = server.create_session("Lobby: ended", lobby=True)
    inv = server.create_invite(s["id"], name="Late comer", language="fr")

    async def go():
        off, _ = await officer(server, join=s["id"])
        guest = await connect(server)
        welcome = await guest.hello(inv["code"], "fr")
        assert welcome["lobby"] is True
        await off.wait_for(lobby_frame(off, s["id"], [inv["id"]]))
        await off.send({"type": "end", "session": s["id"]})
        error = await guest.wait_for(is_error("unauthorized"))
        assert "ended" in error["message"]
        code, _ = await guest.wait_closed()
        assert code == 1008
        # Coming back later changes nothing: the conversation stays closed to them.
        again = await connect(server)
        reply = await again.hello_raw(inv["code"], "fr")
        assert reply["type"] == "error" and reply["code"] == "unauthorized", reply
        await off.close()
    run(go())
