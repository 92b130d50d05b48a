"""Meetings on the calendar (issue 18): scheduled sessions, moving, opening and cancelling
them, invitations e-mailed with iCalendar files (parsed with the PyPI package `icalendar`),
reminders, and the durable outbox — kept as files in a Maildir by default, or sent through
a real SMTP server (aiosmtpd, Tests/smtp/smtp_server.py)."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import icalendar
import pytest

from harness import assert_http_error, cid, connect, investor, is_event, officer, run

SMTP_SERVER = Path(__file__).resolve().parents[1] / "smtp" / "smtp_server.py"


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def soon(hours: float = 48, length_minutes: int = 60) -> tuple[str, str, datetime, datetime]:
    start = (datetime.now(timezone.utc) + timedelta(hours=hours)).replace(second=0, microsecond=0)
    end = start + timedelta(minutes=length_minutes)
    return rfc3339(start), rfc3339(end), start, end


def maildir_messages(folder: Path) -> list[email.message.EmailMessage]:
    new = folder / "new"
    if not new.is_dir():
        return []
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(new.iterdir(), key=lambda p: p.stat().st_mtime_ns)
    ]


def wait_messages(folder: Path, count: int, timeout: float = 30.0, match=None) -> list:
    deadline = time.time() + timeout
    while True:
        found = [m for m in maildir_messages(folder) if match is None or match(m)]
        if len(found) >= count:
            return found
        if time.time() > deadline:
            raise AssertionError(f"{len(found)} of {count} mails in {folder} after {timeout} s")
        time.sleep(0.2)


def calendar_of(message) -> icalendar.Calendar:
    """The text/calendar part of a mail, parsed (and checked to parse without errors)."""
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert parts, "no text/calendar part"
    data = parts[0].get_content()
    if isinstance(data, bytes):
        data = data.decode()
    assert "\r\n" in data, "iCalendar lines must end with CRLF"
    return icalendar.Calendar.from_ical(data)


def event_of(cal: icalendar.Calendar):
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    return events[0]


def text_of(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content()


def outbox(server, status: str | None = None) -> list[dict]:
    st, js, _ = server.http("GET", "/v1/outbox" + (f"?status={status}" if status else ""), server.officer_token)
    assert st == 200, (st, js)
    return js["mails"]


# ---------------------------------------------------------------- scheduling


def test_scheduled_session_moves_opens_and_cancels(server_factory):
    srv = server_factory()
    starts, ends, start, _ = soon()
    s = srv.create_session("Vân Đồn SEZ briefing", startsAt=starts, endsAt=ends, timeZone="Asia/Ho_Chi_Minh",
                           lobby=True, agenda="Land, incentives, labour")
    assert s["status"] == "scheduled" and s["startsAt"] == starts and s["endsAt"] == ends
    assert s["timeZone"] == "Asia/Ho_Chi_Minh" and s["lobby"] is True and s["agenda"].startswith("Land")
    assert s["sequence"] == 0
    plain = srv.create_session("Unscheduled")
    assert plain["status"] == "live" and "startsAt" not in plain and plain["lobby"] is False

    # The calendar window lists what overlaps it, by start.
    day = start.strftime("%Y-%m-%d")
    next_day = (start + timedelta(days=1)).strftime("%Y-%m-%d")
    st, js, _ = srv.http("GET", f"/v1/sessions?from={day}&to={next_day}", srv.officer_token)
    assert st == 200 and [x["id"] for x in js["sessions"]] == [s["id"]]
    st, js, _ = srv.http("GET", f"/v1/sessions?from={next_day}&to={next_day}T00:00:01Z", srv.officer_token)
    assert st == 200 and js["sessions"] == []

    # Moved: same id, sequence raised; a zone may change too.
    new_start, new_end, _, _ = soon(hours=72)
    st, moved, _ = srv.http("PATCH", f"/v1/sessions/{s['id']}", srv.officer_token,
                            {"startsAt": new_start, "endsAt": new_end, "timeZone": "Asia/Tokyo"})
    assert st == 200, moved
    assert moved["id"] == s["id"] and moved["startsAt"] == new_start and moved["sequence"] == 1
    assert moved["timeZone"] == "Asia/Tokyo"

    # Opened early by an officer: then it cannot be moved or cancelled.
    st, opened, _ = srv.http("POST", f"/v1/sessions/{s['id']}/open", srv.officer_token)
    assert st == 200 and opened["status"] == "live"
    st, js, _ = srv.http("PATCH", f"/v1/sessions/{s['id']}", srv.officer_token, {"startsAt": starts, "endsAt": ends})
    assert_http_error(st, js, 409, "conflict")
    st, js, _ = srv.http("POST", f"/v1/sessions/{s['id']}/cancel", srv.officer_token)
    assert_http_error(st, js, 409, "conflict")
    assert "live" in js["error"]["message"]

    # Cancelled: its invites stop working at once.
    other = srv.create_session("To cancel", startsAt=starts, endsAt=ends)
    inv = srv.create_invite(other["id"], name="Kim Min-jun", language="ko")
    st, cancelled, _ = srv.http("POST", f"/v1/sessions/{other['id']}/cancel", srv.officer_token)
    assert st == 200 and cancelled["status"] == "cancelled" and cancelled["sequence"] == 1
    assert cancelled["cancelledAt"]
    st, js, _ = srv.http("GET", f"/v1/sessions/{other['id']}/invites", srv.officer_token)
    assert [i["state"] for i in js["invites"]] == ["revoked"]

    async def go():
        ws = await connect(srv)
        reply = await ws.hello_raw(inv["code"], "ko")
        assert reply["type"] == "error" and reply["code"] == "unauthorized", reply
        await ws.close()
    run(go())
    st, js, _ = srv.http("POST", f"/v1/sessions/{other['id']}/invites", srv.officer_token,
                         {"name": "Late", "language": "en"})
    assert_http_error(st, js, 409, "conflict")
    st, js, _ = srv.http("GET", "/v1/sessions?status=cancelled", srv.officer_token)
    assert [x["id"] for x in js["sessions"]] == [other["id"]]


def test_scheduled_session_can_be_joined_early(server_factory):
    """A scheduled meeting can be joined before its time (as in Teams or Zoom)."""
    srv = server_factory()
    starts, ends, _, end = soon(hours=24 * 20)
    s = srv.create_session("Early birds", startsAt=starts, endsAt=ends)
    inv = srv.create_invite(s["id"], name="Sato Haruki", language="ja")
    # The link lasts until a day after the meeting, not the default week.
    expires = datetime.fromisoformat(inv["expiresAt"].replace("Z", "+00:00"))
    assert expires >= end + timedelta(hours=23), (inv["expiresAt"], ends)

    async def go():
        ws, welcome, _ = await investor(srv, inv["code"], "ja")
        assert welcome["session"]["status"] == "scheduled"
        assert welcome["session"]["startsAt"] == starts
        r = await ws.say(s["id"], "早めに参加しました")
        assert r["type"] == "ack", r
        off, _ = await officer(srv, join=s["id"])
        r = await off.say(s["id"], "Chào mừng, chúng ta bắt đầu sớm")
        assert r["type"] == "ack", r
        await ws.wait_for(lambda f: is_event("message")(f) and f["seq"] == r["seq"])
        await ws.close()
        await off.close()
    run(go())


@pytest.mark.parametrize("body,needle", [
    ({"startsAt": "2027-01-15T10:00:00Z"}, "go together"),
    ({"startsAt": "2027-01-15T10:00:00Z", "endsAt": "2027-01-15T09:00:00Z"}, "after"),
    ({"startsAt": "2027-01-15 10:00", "endsAt": "2027-01-15T11:00:00Z"}, "startsAt"),
    ({"startsAt": "2027-01-15T10:00:00Z", "endsAt": "2027-01-15T11:00:00Z", "timeZone": "Mars/Olympus"}, "Mars/Olympus"),
    ({"startsAt": "2027-01-15T10:00:00Z", "endsAt": "2027-01-15T11:00:00Z", "timeZone": "ICT"}, "Asia/Ho_Chi_Minh"),
    ({"startsAt": "2020-01-15T10:00:00Z", "endsAt": "2020-01-15T11:00:00Z"}, "past"),
    ({"startsAt": "2027-01-15T10:00:00Z", "endsAt": "2027-01-17T11:00:00Z"}, "24"),
    ({"startsAt": "2027-01-15T10:00:00Z", "endsAt": "2027-01-15T11:00:00Z", "lobby": "yes"}, "lobby"),
    ({"startsAt": "2027-01-15T10:00:00.2Z", "endsAt": "2027-01-15T10:00:00.7Z"}, "second"),
    ({"title": "Briefing\nBcc: x@y.example"}, "one line"),
])
def test_bad_schedules_are_refused_with_the_reason(server, body, needle):
    before = server.http("GET", "/v1/sessions", server.officer_token)[1]["sessions"]
    st, js, _ = server.http("POST", "/v1/sessions", server.officer_token, {"title": "Bad", **body})
    assert_http_error(st, js, 400, "bad_request")
    assert needle.lower() in js["error"]["message"].lower(), js
    after = server.http("GET", "/v1/sessions", server.officer_token)[1]["sessions"]
    assert len(after) == len(before)


def test_a_name_on_two_lines_is_refused(server):
    starts, ends, _, _ = soon()
    s = server.create_session("Names", startsAt=starts, endsAt=ends)
    st, js, _ = server.http("POST", f"/v1/sessions/{s['id']}/invites", server.officer_token,
                            {"name": "Kenji\r\nBcc: x@y.example", "language": "ja", "email": "kenji@sato.example"})
    assert_http_error(st, js, 400, "bad_request")
    assert "one line" in js["error"]["message"]
    assert server.http("GET", f"/v1/sessions/{s['id']}/invites", server.officer_token)[1]["invites"] == []


def test_a_moved_meeting_keeps_its_links_working(server_factory):
    srv = server_factory()
    starts, ends, _, _ = soon(hours=2)
    s = srv.create_session("Moved far", startsAt=starts, endsAt=ends)
    inv = srv.create_invite(s["id"], name="Kim", language="ko", email="kim@investor.example", expiresIn=3 * 86400)
    new_start, new_end, _, end = soon(hours=24 * 30)
    st, js, _ = srv.http("PATCH", f"/v1/sessions/{s['id']}", srv.officer_token, {"startsAt": new_start, "endsAt": new_end})
    assert st == 200, js
    [listed] = srv.http("GET", f"/v1/sessions/{s['id']}/invites", srv.officer_token)[1]["invites"]
    expires = datetime.fromisoformat(listed["expiresAt"].replace("Z", "+00:00"))
    assert expires >= end + timedelta(hours=23), (listed["expiresAt"], new_end)
    st, js, _ = srv.http("PATCH", "/v1/sessions/ses_nope", srv.officer_token, {"startsAt": new_start, "endsAt": new_end})
    assert_http_error(st, js, 404, "not_found")


@pytest.mark.parametrize("address", ["kenji", "kenji@", "kenji@sato", "a b@sato.example",
                                     "kenji@sato.example\r\nBcc: x@y.example", "kenji@-sato.example"])
def test_bad_mail_addresses_are_refused(server, address):
    starts, ends, _, _ = soon()
    s = server.create_session("Mail checks", startsAt=starts, endsAt=ends)
    st, js, _ = server.http("POST", f"/v1/sessions/{s['id']}/invites", server.officer_token,
                            {"name": "Kenji", "language": "ja", "email": address})
    assert_http_error(st, js, 400, "bad_request")
    assert "email" in js["error"]["message"]
    st, js, _ = server.http("GET", f"/v1/sessions/{s['id']}/invites", server.officer_token)
    assert js["invites"] == []
    assert not any(m["session"] == s["id"] for m in outbox(server))


# ---------------------------------------------------------------- mail as files (the default)

ZONES = [  # (zone, expected offset in January) — UTC+9, UTC−5, UTC+5:45
    ("Asia/Tokyo", "UTC+9", "ja"),
    ("America/New_York", "UTC\u22125", "en"),
    ("Asia/Kathmandu", "UTC+5:45", "en"),
]


def test_invitation_update_and_cancellation_by_mail(server_factory):
    srv = server_factory("--public-url", "https://meet.ipa-quangninh.example")
    maildir = srv.data / "mail"
    start = datetime(2027, 1, 15, 2, 0, tzinfo=timezone.utc)
    if start < datetime.now(timezone.utc) + timedelta(hours=1):
        start = (datetime.now(timezone.utc) + timedelta(days=30)).replace(hour=2, minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=1)
    s = srv.create_session("Hạ Long investment talk", startsAt=rfc3339(start), endsAt=rfc3339(end),
                           timeZone="Asia/Ho_Chi_Minh", agenda="Industrial land in Quảng Yên")
    invites = {}
    for zone, _, language in ZONES:
        invites[zone] = srv.create_invite(s["id"], name=f"Investor {zone}", language=language,
                                          email=f"{zone.split('/')[1].lower()}@investor.example", timeZone=zone)
        assert invites[zone]["email"].endswith("@investor.example") and invites[zone]["timeZone"] == zone
    mails = wait_messages(maildir, 3)
    by_recipient = {m["To"].addresses[0].addr_spec: m for m in mails}
    uids = {}
    for zone, offset, language in ZONES:
        m = by_recipient[f"{zone.split('/')[1].lower()}@investor.example"]
        assert m["From"].addresses[0].addr_spec == "meetings@meet.ipa-quangninh.example"
        assert m["Message-ID"].startswith("<mail_") and m["Message-ID"].endswith("@meet.ipa-quangninh.example>")
        assert not m.defects
        cal = calendar_of(m)
        assert str(cal["METHOD"]) == "REQUEST"
        ev = event_of(cal)
        assert ev.decoded("DTSTART") == start and ev.decoded("DTEND") == end
        assert int(ev["SEQUENCE"]) == 0
        assert str(ev["ORGANIZER"]).lower() == "mailto:meetings@meet.ipa-quangninh.example"
        assert str(ev["ATTENDEE"]).lower() == f"mailto:{zone.split('/')[1].lower()}@investor.example"
        assert str(ev["SUMMARY"]) == "Hạ Long investment talk"
        uids[zone] = str(ev["UID"])
        body = text_of(m)
        assert invites[zone]["joinUrl"] in body, "the personal join link"
        assert offset in body, f"the time in the investor's zone ({offset})"
        assert "UTC+7" in body, "and in Quảng Ninh's"
        assert "Industrial land in Quảng Yên" in body
        local = start.astimezone(__import__("zoneinfo").ZoneInfo(zone))
        assert f"{local.hour}:{local.minute:02d}" in body or f"{local.hour:02d}:{local.minute:02d}" in body
    assert len(set(uids.values())) == 3

    ja = by_recipient["tokyo@investor.example"]
    assert "【ご招待】" in ja["Subject"] and "様" in text_of(ja), "Japanese for the Japanese investor"

    # Moved: each gets an update with the same UID and a higher SEQUENCE.
    start2, end2 = start + timedelta(days=1), end + timedelta(days=1)
    st, js, _ = srv.http("PATCH", f"/v1/sessions/{s['id']}", srv.officer_token,
                         {"startsAt": rfc3339(start2), "endsAt": rfc3339(end2)})
    assert st == 200, js
    mails = wait_messages(maildir, 6)
    updates = [m for m in mails if int(event_of(calendar_of(m))["SEQUENCE"]) == 1]
    assert len(updates) == 3
    for m in updates:
        ev = event_of(calendar_of(m))
        assert str(calendar_of(m)["METHOD"]) == "REQUEST"
        assert ev.decoded("DTSTART") == start2 and ev.decoded("DTEND") == end2
        assert str(ev["UID"]) in uids.values()
        recipient = m["To"].addresses[0].addr_spec
        zone = next(z for z, _, _ in ZONES if recipient.startswith(z.split("/")[1].lower()))
        assert invites[zone]["joinUrl"] in text_of(m), "an update repeats the link"

    # Cancelled: METHOD:CANCEL, same UID, higher SEQUENCE, no link.
    st, js, _ = srv.http("POST", f"/v1/sessions/{s['id']}/cancel", srv.officer_token)
    assert st == 200 and js["status"] == "cancelled"
    mails = wait_messages(maildir, 9)
    cancels = [m for m in mails if str(calendar_of(m)["METHOD"]) == "CANCEL"]
    assert len(cancels) == 3
    for m in cancels:
        ev = event_of(calendar_of(m))
        assert int(ev["SEQUENCE"]) == 2 and str(ev["STATUS"]) == "CANCELLED"
        assert str(ev["UID"]) in uids.values()
        assert "/join#" not in text_of(m)

    sent = outbox(srv, "sent")
    assert len(sent) == 9 and {m["kind"] for m in sent} == {"invitation", "update", "cancellation"}
    assert all(m["sentAt"] and m["attempts"] == 1 and m["lastError"] is None for m in sent)


def test_reminders_go_out_once_and_survive_a_restart(server_factory):
    srv = server_factory("--reminders", "24h,15m", "--calendar-tick", "0.2")
    maildir = srv.data / "mail"
    # Starts in ten minutes: the 15-minute reminder is due, the 24-hour one is moot.
    starts, ends, _, _ = soon(hours=10 / 60)
    s = srv.create_session("Reminder test", startsAt=starts, endsAt=ends)
    srv.create_invite(s["id"], name="Pierre Martin", language="fr", email="pierre@investor.example",
                      timeZone="Europe/Paris")
    srv.create_invite(s["id"], name="No mail", language="en")  # no address: no mail
    mails = wait_messages(maildir, 2)
    kinds = sorted(m["Subject"].split("\u00a0:")[0] for m in mails)
    assert kinds == ["Invitation", "Rappel"], kinds
    reminder = next(m for m in mails if m["Subject"].startswith("Rappel"))
    assert not [p for p in reminder.walk() if p.get_content_type() == "text/calendar"], "no calendar file"
    assert "/join#" in text_of(reminder)
    # A restart does not send it again.
    srv.stop()
    srv.start()
    time.sleep(1.5)
    assert len(maildir_messages(maildir)) == 2
    assert [m["kind"] for m in outbox(srv)].count("reminder") == 1


def test_an_address_needs_a_scheduled_session(server):
    s = server.create_session("Live at once")
    st, js, _ = server.http("POST", f"/v1/sessions/{s['id']}/invites", server.officer_token,
                            {"name": "Kenji", "language": "ja", "email": "kenji@sato.example"})
    assert_http_error(st, js, 409, "conflict")
    assert "scheduled" in js["error"]["message"]
    st, js, _ = server.http("GET", f"/v1/sessions/{s['id']}/invites", server.officer_token)
    assert js["invites"] == []


def test_an_invite_without_address_sends_nothing(server):
    starts, ends, _, _ = soon()
    s = server.create_session("Hand-delivered", startsAt=starts, endsAt=ends)
    inv = server.create_invite(s["id"], name="By hand", language="vi")
    assert inv["email"] is None
    time.sleep(0.5)
    assert not any(m["session"] == s["id"] for m in outbox(server))


def test_a_scheduled_session_opens_at_its_time(server_factory):
    srv = server_factory("--calendar-tick", "0.2")
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=3)
    s = srv.create_session("Opens by itself", startsAt=rfc3339(start), endsAt=rfc3339(start + timedelta(hours=1)))
    assert s["status"] == "scheduled"
    deadline = time.time() + 15
    while time.time() < deadline:
        st, js, _ = srv.http("GET", f"/v1/sessions/{s['id']}", srv.officer_token)
        if js["status"] == "live":
            break
        time.sleep(0.3)
    assert js["status"] == "live"


# ---------------------------------------------------------------- a real SMTP server


class SMTPServer:
    def __init__(self, tmp: Path, *args: str, port: int | None = None):
        self.maildir = tmp / f"smtp-{time.time_ns()}"
        argv = [sys.executable, str(SMTP_SERVER), "--maildir", str(self.maildir), *args]
        if port is not None:
            argv += ["--port", str(port)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        assert line.isdigit(), f"smtp_server.py printed {line!r}"
        self.port = int(line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.terminate()
            self.proc.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(tmp_path):
    started: list[SMTPServer] = []

    def make(*args: str, port: int | None = None) -> SMTPServer:
        server = SMTPServer(tmp_path, *args, port=port)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


def test_mail_through_a_real_smtp_server(server_factory, smtp):
    relay = smtp()
    srv = server_factory("--smtp", f"smtp://127.0.0.1:{relay.port}", "--mail-from", "ipa@quangninh.example")
    starts, ends, start, _ = soon()
    s = srv.create_session("KCN Sông Khoai", startsAt=starts, endsAt=ends)
    inv = srv.create_invite(s["id"], name="Nguyễn Văn An", language="vi", email="an@investor.example",
                            timeZone="Asia/Ho_Chi_Minh")
    [m] = wait_messages(relay.maildir, 1)
    assert m["To"].addresses[0].addr_spec == "an@investor.example"
    assert m["From"].addresses[0].addr_spec == "ipa@quangninh.example"
    assert m["Subject"].startswith("Thư mời")
    assert inv["joinUrl"] in text_of(m)
    assert event_of(calendar_of(m)).decoded("DTSTART") == start
    deadline = time.time() + 10
    while not outbox(srv, "sent") and time.time() < deadline:
        time.sleep(0.2)
    assert [x["recipient"] for x in outbox(srv, "sent")] == ["an@investor.example"]


def test_smtp_down_for_a_while_then_delivered(server_factory, smtp):
    port = free_port()
    srv = server_factory("--smtp", f"smtp://127.0.0.1:{port}", "--mail-retry-seconds", "1")
    starts, ends, _, _ = soon()
    s = srv.create_session("Queued while down", startsAt=starts, endsAt=ends)
    srv.create_invite(s["id"], name="Kim", language="ko", email="kim@investor.example")
    deadline = time.time() + 15
    while time.time() < deadline:
        queued = outbox(srv, "queued")
        if queued and queued[0]["lastError"]:
            break
        time.sleep(0.2)
    assert queued and queued[0]["attempts"] >= 1, queued
    assert "127.0.0.1" in queued[0]["lastError"] or "refused" in queued[0]["lastError"].lower(), queued
    relay = smtp(port=port)
    [m] = wait_messages(relay.maildir, 1, timeout=30)
    assert m["Subject"].startswith("[초대]")
    deadline = time.time() + 10
    while not outbox(srv, "sent") and time.time() < deadline:
        time.sleep(0.2)
    assert len(outbox(srv, "sent")) == 1


def test_a_refused_address_fails_with_the_reason_and_blocks_nothing(server_factory, smtp):
    relay = smtp("--reject-rcpt", "nobody@investor.example")
    srv = server_factory("--smtp", f"smtp://127.0.0.1:{relay.port}")
    starts, ends, _, _ = soon()
    s = srv.create_session("One bad address", startsAt=starts, endsAt=ends)
    srv.create_invite(s["id"], name="Nobody", language="en", email="nobody@investor.example")
    srv.create_invite(s["id"], name="Somebody", language="en", email="somebody@investor.example")
    [m] = wait_messages(relay.maildir, 1)
    assert m["To"].addresses[0].addr_spec == "somebody@investor.example"
    deadline = time.time() + 10
    while not outbox(srv, "failed") and time.time() < deadline:
        time.sleep(0.2)
    [failed] = outbox(srv, "failed")
    assert failed["recipient"] == "nobody@investor.example"
    assert "550" in failed["lastError"] and "nobody@investor.example" in failed["lastError"]


def test_kill_9_while_sending_loses_nothing(server_factory, smtp):
    stalled = smtp("--stall")
    srv = server_factory("--smtp", f"smtp://127.0.0.1:{stalled.port}", "--mail-lease", "2")
    starts, ends, _, _ = soon()
    s = srv.create_session("Killed mid-send", startsAt=starts, endsAt=ends)
    srv.create_invite(s["id"], name="Li Wei", language="zh", email="li@investor.example")
    deadline = time.time() + 10
    while not outbox(srv, "sending") and time.time() < deadline:
        time.sleep(0.1)
    assert outbox(srv, "sending"), "the mail is in hand, the server stalled"
    srv.kill()
    # The same data folder, now with a mail server that answers: once the dead node's lease
    # runs out the mail is sent again, with the same Message-ID.
    relay = smtp()
    srv.extra = ["--smtp", f"smtp://127.0.0.1:{relay.port}", "--mail-lease", "2"]
    srv.start()
    [m] = wait_messages(relay.maildir, 1, timeout=30)
    assert m["Subject"].startswith("会议邀请")
    deadline = time.time() + 10
    while not outbox(srv, "sent") and time.time() < deadline:
        time.sleep(0.2)
    [sent] = outbox(srv, "sent")
    assert sent["attempts"] == 2
    # Named after the sender's domain (no --public-url here: meetings@dialogue.invalid).
    assert m["Message-ID"] == f"<{sent['id']}@dialogue.invalid>"


def wait_outbox(srv, session: str, want: dict[str, str], timeout: float = 15.0) -> dict[str, dict]:
    """Waits until the session's mails, by kind, have the wanted statuses; returns them."""
    deadline = time.time() + timeout
    while True:
        mails = {m["kind"]: m for m in outbox(srv) if m["session"] == session}
        if all(mails.get(kind, {}).get("status") == status for kind, status in want.items()):
            return mails
        assert time.time() < deadline, f"wanted {want}, the outbox has {mails}"
        time.sleep(0.2)


def wait_tried_once(srv, session: str, kinds: set[str]) -> None:
    """Waits until each mail of `kinds` failed its first attempt and waits for the next."""
    deadline = time.time() + 15
    while True:
        mails = {m["kind"]: m for m in outbox(srv) if m["session"] == session}
        if all(mails.get(k, {}).get("status") == "queued" and mails[k]["lastError"] for k in kinds):
            return
        assert time.time() < deadline, f"wanted {kinds} tried once, the outbox has {mails}"
        time.sleep(0.2)


def test_a_later_change_replaces_the_mails_still_waiting(server_factory, smtp):
    # The mail server is down: the invitation and the update wait; the cancellation replaces
    # both, and since nothing of the meeting reached the investor it is not sent either.
    # Retries are far apart, so no attempt is on its way when the meeting is cancelled (a
    # mail being sent then might arrive, and counts as heard: the next test).
    port = free_port()
    quiet = server_factory("--smtp", f"smtp://127.0.0.1:{port}", "--mail-retry-seconds", "600")
    starts, ends, _, _ = soon()
    unheard = quiet.create_session("Never heard of", startsAt=starts, endsAt=ends)
    quiet.create_invite(unheard["id"], name="Kim", language="ko", email="kim@investor.example")
    wait_tried_once(quiet, unheard["id"], {"invitation"})
    later, later_end, _, _ = soon(hours=50)
    st, _, _ = quiet.http("PATCH", f"/v1/sessions/{unheard['id']}", quiet.officer_token, {"startsAt": later, "endsAt": later_end})
    assert st == 200
    wait_tried_once(quiet, unheard["id"], {"invitation", "update"})
    st, _, _ = quiet.http("POST", f"/v1/sessions/{unheard['id']}/cancel", quiet.officer_token, {})
    assert st == 200
    mails = wait_outbox(quiet, unheard["id"], {"invitation": "superseded", "update": "superseded", "cancellation": "superseded"})
    assert mails["invitation"]["lastError"].startswith("superseded by cancellation:inv_")
    assert "superseded by cancellation:" in mails["update"]["lastError"]
    assert "kim@investor.example" in mails["cancellation"]["lastError"]
    quiet.stop()

    port = free_port()
    srv = server_factory("--smtp", f"smtp://127.0.0.1:{port}", "--mail-retry-seconds", "1")

    # Heard of: the invitation went out; the update waits while the server is down; the
    # cancellation replaces it, and is the only mail that follows the invitation.
    relay = smtp(port=port)
    starts, ends, _, _ = soon(hours=60)
    heard = srv.create_session("Heard of", startsAt=starts, endsAt=ends)
    srv.create_invite(heard["id"], name="Li Wei", language="zh", email="li@investor.example")
    [invitation] = wait_messages(relay.maildir, 1)
    wait_outbox(srv, heard["id"], {"invitation": "sent"})
    relay.stop()
    later, later_end, _, _ = soon(hours=70)
    st, _, _ = srv.http("PATCH", f"/v1/sessions/{heard['id']}", srv.officer_token, {"startsAt": later, "endsAt": later_end})
    assert st == 200
    deadline = time.time() + 15
    while True:  # the update failed once and waits (one read: a retry may take it meanwhile)
        queued = outbox(srv, "queued")
        if queued and queued[0]["lastError"]:
            break
        assert time.time() < deadline, outbox(srv)
        time.sleep(0.2)
    st, _, _ = srv.http("POST", f"/v1/sessions/{heard['id']}/cancel", srv.officer_token, {})
    assert st == 200
    wait_outbox(srv, heard["id"], {"update": "superseded"})
    relay = smtp(port=port)
    wait_outbox(srv, heard["id"], {"invitation": "sent", "update": "superseded", "cancellation": "sent"}, timeout=30)
    [cancellation] = wait_messages(relay.maildir, 1)
    assert str(calendar_of(cancellation)["METHOD"]) == "CANCEL"
    time.sleep(1.5)
    assert len(maildir_messages(relay.maildir)) == 1, "only the cancellation follows the invitation"


def test_a_mail_being_sent_when_the_meeting_is_cancelled_is_not_sent_again(server_factory, smtp):
    """The invitation is in a stalled SMTP exchange when the meeting is cancelled; the node is
    then killed. Once its lease has run out, another start does not send the invitation again:
    only the cancellation goes out."""
    stalled = smtp("--stall")
    srv = server_factory("--smtp", f"smtp://127.0.0.1:{stalled.port}", "--mail-lease", "2")
    starts, ends, _, _ = soon()
    s = srv.create_session("Cancelled mid-send", startsAt=starts, endsAt=ends)
    srv.create_invite(s["id"], name="Li Wei", language="zh", email="li@investor.example")
    wait_outbox(srv, s["id"], {"invitation": "sending"})
    st, _, _ = srv.http("POST", f"/v1/sessions/{s['id']}/cancel", srv.officer_token, {})
    assert st == 200
    wait_outbox(srv, s["id"], {"invitation": "sending", "cancellation": "queued"})
    srv.kill()
    relay = smtp()
    srv.extra = ["--smtp", f"smtp://127.0.0.1:{relay.port}", "--mail-lease", "2"]
    srv.start()
    mails = wait_outbox(srv, s["id"], {"invitation": "superseded", "cancellation": "sent"}, timeout=30)
    assert mails["invitation"]["lastError"].endswith("while its sender stopped"), mails["invitation"]
    [cancellation] = wait_messages(relay.maildir, 1)
    assert str(calendar_of(cancellation)["METHOD"]) == "CANCEL"
    time.sleep(1.5)
    assert len(maildir_messages(relay.maildir)) == 1, "the invitation is not sent after its cancellation"


# ---------------------------------------------------------------- desks notified


def test_a_hand_over_mails_the_desk_and_the_investor_is_told(server_factory):
    srv = server_factory("--public-url", "https://meet.ipa-quangninh.example")
    maildir = srv.data / "mail"
    s = srv.create_session("KCN Đông Mai: đất", assistant="auto")
    inv = srv.create_invite(s["id"], name="Claire Dupont", language="fr", organisation="Dupont SA")

    async def go():
        ws, _, _ = await investor(srv, inv["code"], "fr")
        question = "Pouvons-nous négocier le prix du terrain et la location de terrain au parc de Đông Mai ?"
        await ws.send({"type": "ask", "session": s["id"], "text": question, "clientId": cid()})
        answer = await ws.wait_for(is_event("answer"), timeout=30)
        assert answer["contact"]["desk"] == "land-site-clearance" and answer["contact"]["email"]
        assert "Votre question a été transmise à ce service." in answer["text"], answer["text"]
        await ws.close()
        return answer
    answer = run(go())
    desk_address = answer["contact"]["email"]
    [m] = wait_messages(maildir, 1, match=lambda m: m["To"].addresses[0].addr_spec == desk_address)
    body = text_of(m)
    assert "Pouvons-nous négocier le prix du terrain" in body, body
    assert "Claire Dupont (Dupont SA)" in body and "tiếng pháp" in body.lower(), body
    assert s["id"] in body and "https://meet.ipa-quangninh.example/console" in body
    assert m["Subject"].startswith("Câu hỏi chuyển đến"), m["Subject"]  # the agency's language
    desk = [x for x in outbox(srv) if x["kind"] == "desk"]
    assert len(desk) == 1 and desk[0]["recipient"] == desk_address and desk[0]["session"] == s["id"]


# ---------------------------------------------------------------- transcripts by mail


def test_the_transcript_goes_to_investors_who_asked_once_the_meeting_ends(server_factory):
    srv = server_factory("--public-url", "https://meet.ipa-quangninh.example")
    maildir = srv.data / "mail"
    s = srv.create_session("Cảng Cái Lân: logistics")  # live at once: no invitation mail
    asked = srv.create_invite(s["id"], name="Park Ji-ho", language="ko", email="park@investor.example",
                              transcriptByMail=True)
    assert asked["transcriptByMail"] is True
    st, js, _ = srv.http("POST", f"/v1/sessions/{s['id']}/invites", srv.officer_token,
                         {"name": "Silent", "language": "en", "transcriptByMail": True})
    assert_http_error(st, js, 400, "bad_request")
    assert "email" in js["error"]["message"]

    async def go():
        ws, _, _ = await investor(srv, asked["code"], "ko")
        r = await ws.say(s["id"], "물류 비용을 알고 싶습니다")
        assert r["type"] == "ack"
        off, _ = await officer(srv, join=s["id"])
        await off.send({"type": "end", "session": s["id"]})
        await off.wait_for(is_event("ended"))
        await ws.close()
        await off.close()
    run(go())
    [m] = wait_messages(maildir, 1, timeout=30)
    assert m["To"].addresses[0].addr_spec == "park@investor.example"
    assert m["Subject"].startswith("[회의록]")
    html = m.get_body(preferencelist=("html",)).get_content()
    # The message, its glossary terms marked, in the Korean transcript.
    assert "을 알고 싶습니다" in html and "세션을 종료했습니다" in html
    [attached] = [p for p in m.iter_attachments() if p.get_filename().endswith(f"_{s['id']}.json")]
    assert attached.get_filename() in html, "the footer names the attached file"
    export = attached.get_content()
    if isinstance(export, bytes):
        export = export.decode()
    # The attached export verifies offline, as any exported transcript does.
    path = srv.data.parent / "mailed-export.json"
    path.write_text(export)
    from harness import cli
    p = cli("transcript", "verify", "--file", str(path))
    assert p.returncode == 0, (p.stdout, p.stderr)
    kinds = [x["kind"] for x in outbox(srv)]
    assert kinds == ["transcript"], kinds


# ---------------------------------------------------------------- what a stop left out


def test_a_cancellation_lost_in_a_stop_is_mailed_at_the_next_start(server_factory):
    import sqlite3
    from harness import find_database
    srv = server_factory("--calendar-tick", "0.2")
    maildir = srv.data / "mail"
    starts, ends, _, _ = soon(hours=72)
    s = srv.create_session("Stopped mid-cancel", startsAt=starts, endsAt=ends)
    srv.create_invite(s["id"], name="Ito Ken", language="ja", email="ito@investor.example")
    wait_messages(maildir, 1)
    srv.stop()
    # The cancellation is stored, its mails are not (the node stopped in between).
    con = sqlite3.connect(find_database(srv.data))
    con.execute("UPDATE sessions SET status = 'cancelled', cancelled_at = '2026-12-07T00:00:00Z', "
                "schedule_sequence = schedule_sequence + 1 WHERE id = ?", (s["id"],))
    con.commit()
    con.close()
    srv.start()
    mails = wait_messages(maildir, 2, timeout=20)
    cancel = mails[-1]
    assert str(calendar_of(cancel)["METHOD"]) == "CANCEL"
    assert int(event_of(calendar_of(cancel))["SEQUENCE"]) == 1
    time.sleep(1)
    assert len(maildir_messages(maildir)) == 2, "once, whatever the turns"


def test_a_move_lost_in_a_stop_is_mailed_at_the_next_start_with_the_former_time(server_factory):
    import sqlite3
    from harness import find_database
    srv = server_factory("--calendar-tick", "0.2")
    maildir = srv.data / "mail"
    starts, ends, start, _ = soon(hours=72)
    s = srv.create_session("Stopped mid-move", startsAt=starts, endsAt=ends, timeZone="UTC")
    srv.create_invite(s["id"], name="Pat Doe", language="en", email="pat@investor.example", timeZone="UTC")
    wait_messages(maildir, 1)
    srv.stop()
    # The move is stored as the store stores it (the former time kept), its mails are not.
    later, later_end, new_start, _ = soon(hours=96)
    con = sqlite3.connect(find_database(srv.data))
    con.execute("UPDATE sessions SET previous_starts_at = starts_at, previous_ends_at = ends_at, starts_at = ?, "
                "ends_at = ?, schedule_sequence = schedule_sequence + 1, planned_at = ? WHERE id = ?",
                # Stored to the second, as the server does: a second on, so the move is after the invite.
                (later, later_end, rfc3339(datetime.now(timezone.utc) + timedelta(seconds=1)), s["id"]))
    con.commit()
    con.close()
    srv.start()
    mails = wait_messages(maildir, 2, timeout=20)
    update = mails[-1]
    assert update["Subject"].startswith("New time")
    assert event_of(calendar_of(update)).decoded("DTSTART") == new_start
    text = text_of(update)
    assert "Previously planned" in text or "previously" in text.lower(), text
    assert start.strftime("%-d %B %Y") in text, text  # the former day, as the officer's own update says it


def test_no_reminder_for_an_investor_declined_in_the_lobby(server_factory):
    srv = server_factory("--reminders", "11m", "--calendar-tick", "0.5")
    maildir = srv.data / "mail"
    # The 11-minute reminder falls due 20 s from now: time to decline one investor first.
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(minutes=11, seconds=20)
    starts, ends = rfc3339(start), rfc3339(start + timedelta(hours=1))
    s = srv.create_session("Lobby and reminders", startsAt=starts, endsAt=ends, lobby=True)
    turned_away = srv.create_invite(s["id"], name="Turned Away", language="en", email="away@investor.example")
    kept = srv.create_invite(s["id"], name="Kept", language="en", email="kept@investor.example")

    async def go():
        off, _ = await officer(srv, join=s["id"])
        guest = await connect(srv)
        await guest.hello(turned_away["code"], "en")
        await off.send({"type": "decline", "session": s["id"], "invite": turned_away["id"]})
        await off.wait_for(is_event("moderation"))
        await off.close()
    run(go())
    wait_messages(maildir, 3, timeout=45)  # two invitations, one reminder
    time.sleep(2)
    reminders = [m for m in maildir_messages(maildir) if m["Subject"].startswith("Reminder")]
    assert [m["To"].addresses[0].addr_spec for m in reminders] == ["kept@investor.example"], \
        [m["Subject"] for m in maildir_messages(maildir)]
