"""The investor's own answers (issue 18): from their page, with their invite code, an investor
asks for the transcript by mail (giving an address when the officer had none) and says
whether they can attend; no reminder reaches one who cannot, a move asks them again, and
the transcript reaches one who asked once the meeting ends."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from harness import assert_http_error, connect, investor, is_event, officer, run
from test_calendar import maildir_messages, outbox, rfc3339, soon, wait_messages


def answer(srv, code: str, body: dict | None = None, method: str | None = None):
    return srv.http(method or ("PATCH" if body is not None else "GET"), "/v1/invitation", code, body)


def test_the_investor_reads_and_answers_their_invitation(server_factory):
    srv = server_factory()
    starts, ends, _, _ = soon()
    s = srv.create_session("Khu công nghiệp Đông Mai", startsAt=starts, endsAt=ends, agenda="Đất, lao động")
    by_hand = srv.create_invite(s["id"], name="Marie Dubois", language="fr")  # no address
    st, js, _ = answer(srv, by_hand["code"])
    assert st == 200, js
    assert js["invite"] == by_hand["id"] and js["language"] == "fr"
    assert js["session"] == {"id": s["id"], "title": "Khu công nghiệp Đông Mai", "status": "scheduled",
                             "startsAt": starts, "endsAt": ends, "timeZone": "Asia/Ho_Chi_Minh", "agenda": "Đất, lao động"}
    assert js["email"] is None and js["transcriptByMail"] is False and js["attending"] is True

    # The transcript needs an address; the investor may give one where the officer gave none.
    st, js, _ = answer(srv, by_hand["code"], {"transcriptByMail": True})
    assert_http_error(st, js, 400, "bad_request")
    assert "email" in js["error"]["message"]
    st, js, _ = answer(srv, by_hand["code"], {"transcriptByMail": True, "email": "marie@dubois.example"})
    assert st == 200 and js["email"] == "marie@dubois.example" and js["transcriptByMail"] is True, js
    # …but not change one the agency has.
    st, js, _ = answer(srv, by_hand["code"], {"email": "someone@else.example"})
    assert_http_error(st, js, 409, "conflict")
    st, js, _ = answer(srv, by_hand["code"], {"email": "Marie@Dubois.example", "transcriptByMail": False})
    assert st == 200 and js["email"] == "marie@dubois.example" and js["transcriptByMail"] is False, js

    # Cannot attend, then can after all; the officer sees it on the invite list.
    st, js, _ = answer(srv, by_hand["code"], {"attending": False})
    assert st == 200 and js["attending"] is False and js["declinedAt"], js
    st, listed, _ = srv.http("GET", f"/v1/sessions/{s['id']}/invites", srv.officer_token)
    [row] = [i for i in listed["invites"] if i["id"] == by_hand["id"]]
    assert row["declinedAt"] == js["declinedAt"] and row["email"] == "marie@dubois.example"
    st, js, _ = answer(srv, by_hand["code"], {"attending": True})
    assert st == 200 and js["attending"] is True and js["declinedAt"] is None, js


@pytest.mark.parametrize("body, status, needle", [
    ({"attending": "no"}, 400, "attending"),
    ({"transcriptByMail": 1}, 400, "transcriptByMail"),
    ({"email": "not an address"}, 400, "not a mail address"),
    ({"email": "a@b.example\r\nBcc: x@y.example"}, 400, "not a mail address"),
    ({"name": "Someone Else"}, 400, "unknown field"),
])
def test_bad_answers_are_refused_and_change_nothing(server, body, status, needle):
    starts, ends, _, _ = soon()
    s = server.create_session("Bad answers", startsAt=starts, endsAt=ends)
    inv = server.create_invite(s["id"], name="Kenji Sato", language="ja")
    st, js, _ = answer(server, inv["code"], body)
    assert st == status and needle in js["error"]["message"], (st, js)
    st, js, _ = answer(server, inv["code"])
    assert js["email"] is None and js["attending"] is True and js["transcriptByMail"] is False


def test_only_a_working_code_reads_an_invitation(server):
    starts, ends, _, _ = soon()
    s = server.create_session("Codes", startsAt=starts, endsAt=ends)
    inv = server.create_invite(s["id"], name="Kenji Sato", language="ja")
    for token in (None, "a" * 32, "not-a-code", server.officer_token):
        st, js, _ = answer(server, token)
        assert_http_error(st, js, 401, "unauthorized")
    st, _, _ = server.http("DELETE", f"/v1/sessions/{s['id']}/invites/{inv['id']}", server.officer_token)
    assert st in (200, 204)
    st, js, _ = answer(server, inv["code"], {"attending": False})
    assert_http_error(st, js, 401, "unauthorized")


def test_attendance_is_answered_before_the_meeting_only(server):
    s = server.create_session("Live now")  # live at once
    inv = server.create_invite(s["id"], name="Kenji Sato", language="ja")
    st, js, _ = answer(server, inv["code"], {"attending": False})
    assert_http_error(st, js, 409, "conflict")
    st, js, _ = answer(server, inv["code"], {"transcriptByMail": True, "email": "kenji@sato.example"})
    assert st == 200 and js["transcriptByMail"] is True  # still before its end


def test_no_reminder_to_an_investor_who_cannot_attend_until_the_meeting_moves(server_factory):
    srv = server_factory("--reminders", "11m", "--calendar-tick", "0.5")
    maildir = srv.data / "mail"
    # The 11-minute reminder falls due 15 s from now: time for one investor to say no first.
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(minutes=11, seconds=15)
    s = srv.create_session("Reminders and answers", startsAt=rfc3339(start), endsAt=rfc3339(start + timedelta(hours=1)))
    cannot = srv.create_invite(s["id"], name="Cannot", language="en", email="cannot@investor.example")
    can = srv.create_invite(s["id"], name="Can", language="en", email="can@investor.example")
    st, js, _ = answer(srv, cannot["code"], {"attending": False})
    assert st == 200 and js["attending"] is False
    wait_messages(maildir, 3, timeout=45)  # two invitations, one reminder
    time.sleep(2)
    reminders = [m for m in maildir_messages(maildir) if m["Subject"].startswith("Reminder")]
    assert [m["To"].addresses[0].addr_spec for m in reminders] == ["can@investor.example"]

    # Moved: both get the update (a new time may suit), and the decline was about the former one.
    later = start + timedelta(minutes=5)
    st, _, _ = srv.http("PATCH", f"/v1/sessions/{s['id']}", srv.officer_token,
                        {"startsAt": rfc3339(later), "endsAt": rfc3339(later + timedelta(hours=1))})
    assert st == 200
    updates = wait_messages(maildir, 2, timeout=30, match=lambda m: m["Subject"].startswith("New time"))
    assert sorted(m["To"].addresses[0].addr_spec for m in updates) == ["can@investor.example", "cannot@investor.example"]
    st, js, _ = answer(srv, cannot["code"])
    assert js["attending"] is True and js["declinedAt"], js


def test_the_transcript_reaches_the_investor_who_asked_on_their_page(server_factory):
    srv = server_factory()
    maildir = srv.data / "mail"
    s = srv.create_session("Cảng Cái Lân")  # live at once
    inv = srv.create_invite(s["id"], name="Li Wei", language="zh")  # passed on by hand, no address
    st, js, _ = answer(srv, inv["code"], {"transcriptByMail": True, "email": "li@investor.example"})
    assert st == 200, js

    async def go():
        ws, _, _ = await investor(srv, inv["code"], "zh")
        assert (await ws.say(s["id"], "物流成本是多少？"))["type"] == "ack"
        off, _ = await officer(srv, join=s["id"])
        await off.send({"type": "end", "session": s["id"]})
        await off.wait_for(is_event("ended"))
        await ws.close()
        await off.close()
    run(go())
    [m] = wait_messages(maildir, 1, timeout=30)
    assert m["To"].addresses[0].addr_spec == "li@investor.example"
    assert "</mark>是多少？" in m.get_body(preferencelist=("html",)).get_content()
    assert [x["kind"] for x in outbox(srv)] == ["transcript"]
    st, js, _ = answer(srv, inv["code"], {"transcriptByMail": False})
    assert_http_error(st, js, 409, "conflict")


def test_a_removed_or_turned_away_investor_has_no_say_and_no_transcript(server_factory):
    srv = server_factory()
    maildir = srv.data / "mail"
    s = srv.create_session("Removed and turned away", lobby=True)  # live at once, with a lobby
    removed = srv.create_invite(s["id"], name="Removed", language="en")
    away = srv.create_invite(s["id"], name="Turned Away", language="en")
    kept = srv.create_invite(s["id"], name="Kept", language="en")
    for inv, address in ((removed, "removed@investor.example"), (kept, "kept@investor.example")):
        st, js, _ = answer(srv, inv["code"], {"transcriptByMail": True, "email": address})
        assert st == 200, js

    async def go():
        off, _ = await officer(srv, join=s["id"])
        for inv in (removed, kept):
            ws = await connect(srv)
            await ws.hello(inv["code"], "en")
            mark = ws.mark()
            await off.send({"type": "admit", "session": s["id"], "invite": inv["id"]})
            await ws.wait_for(lambda f: f.get("type") == "welcome" and not f.get("lobby"), since=mark)
            await ws.wait_for(lambda f: f.get("type") == "history" and f.get("complete"), since=mark)
            await ws.close()
        guest = await connect(srv)
        await guest.hello(away["code"], "en")
        await off.send({"type": "decline", "session": s["id"], "invite": away["id"]})
        await off.send({"type": "moderate", "session": s["id"], "action": "remove", "target": removed["id"]})
        await off.wait_for(lambda f: f.get("type") == "event" and f.get("kind") == "moderation"
                           and f.get("action") == "remove")
        # Neither may answer any more; the one kept may.
        for inv, needle in ((removed, "removed"), (away, "not admit")):
            st, js, _ = answer(srv, inv["code"])
            assert_http_error(st, js, 403, "forbidden")
            assert needle in js["error"]["message"], js
        assert answer(srv, kept["code"])[0] == 200
        await off.send({"type": "end", "session": s["id"]})
        await off.wait_for(is_event("ended"))
        await off.close()
    run(go())
    [m] = wait_messages(maildir, 1, timeout=30)
    time.sleep(1.5)
    assert [x["To"].addresses[0].addr_spec for x in maildir_messages(maildir)] == ["kept@investor.example"]


def test_a_cancellation_reaches_an_address_given_on_the_page(server_factory):
    srv = server_factory()
    maildir = srv.data / "mail"
    starts, ends, _, _ = soon()
    s = srv.create_session("Cancelled, link given by hand", startsAt=starts, endsAt=ends)
    inv = srv.create_invite(s["id"], name="Marie Dubois", language="fr")  # the link given by hand
    st, js, _ = answer(srv, inv["code"], {"transcriptByMail": True, "email": "marie@dubois.example"})
    assert st == 200, js
    st, _, _ = srv.http("POST", f"/v1/sessions/{s['id']}/cancel", srv.officer_token, {})
    assert st == 200
    # No invitation was mailed, but she knows of the meeting: she is told it is off.
    [m] = wait_messages(maildir, 1, timeout=20)
    assert m["To"].addresses[0].addr_spec == "marie@dubois.example"
    assert [x["status"] for x in outbox(srv)] == ["sent"]
