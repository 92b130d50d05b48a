"""Meeting requests from investors (issue 18): the public form's API, bounded (field limits,
a per-address rate limit, a honeypot), acknowledged by mail in the investor's language;
officers list them, accept one slot (a scheduled session and its e-mailed invitation) or
decline with a phrase of the pack, mailed in the investor's language."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from harness import assert_http_error
from test_calendar import calendar_of, event_of, outbox, rfc3339, text_of, wait_messages


def slots(*days: int) -> list[str]:
    base = (datetime.now(timezone.utc) + timedelta(days=1)).replace(hour=2, minute=0, second=0, microsecond=0)
    return [rfc3339(base + timedelta(days=d)) for d in days]


def form(**fields) -> dict:
    body = {
        "name": "Tanaka Hiroshi", "organisation": "Tanaka Seiki", "email": "tanaka@seiki.example", "language": "ja",
        "timeZone": "Asia/Tokyo", "topic": "industrial-zones", "slots": slots(0, 1, 2),
        "message": "工業団地の土地について伺いたいです。\n従業員は約200名の予定です。",
    }
    body.update(fields)
    return body


def test_a_request_is_acknowledged_listed_and_accepted_into_a_scheduled_meeting(server_factory):
    srv = server_factory("--public-url", "https://meet.ipa-quangninh.example")
    maildir = srv.data / "mail"
    st, topics, _ = srv.http("GET", "/v1/requests/topics")
    assert st == 200 and "industrial-zones" in [t["id"] for t in topics["topics"]]
    assert set(topics["topics"][0]["names"]) >= {"vi", "en", "fr", "ja", "ko", "zh"}

    st, js, _ = srv.http("POST", "/v1/requests", None, form())  # public: no token
    assert st == 201 and js["status"] == "pending", js
    request_id = js["id"]
    [ack] = wait_messages(maildir, 1)
    assert ack["To"].addresses[0].addr_spec == "tanaka@seiki.example"
    assert ack["Subject"].startswith("【受付完了】")
    body = text_of(ack)
    assert "工業団地" in body and "UTC+9" in body, body  # the desk in Japanese, the times in Tokyo's zone

    st, listed, _ = srv.http("GET", "/v1/requests", srv.officer_token)
    assert st == 200 and [r["id"] for r in listed["requests"]] == [request_id]
    request = listed["requests"][0]
    assert request["status"] == "pending" and len(request["slots"]) == 3 and request["timeZone"] == "Asia/Tokyo"
    st, _, _ = srv.http("GET", "/v1/requests")
    assert st == 401

    st, accepted, _ = srv.http("POST", f"/v1/requests/{request_id}/accept", srv.officer_token, {"slot": 1, "minutes": 90})
    assert st == 200, accepted
    session = accepted["session"]
    assert session["status"] == "scheduled" and session["startsAt"] == request["slots"][1]
    start = datetime.fromisoformat(session["startsAt"].replace("Z", "+00:00"))
    assert datetime.fromisoformat(session["endsAt"].replace("Z", "+00:00")) == start + timedelta(minutes=90)
    assert accepted["request"]["status"] == "accepted" and accepted["request"]["session"] == session["id"]
    mails = wait_messages(maildir, 2)
    invitation = mails[-1]
    assert invitation["Subject"].startswith("【ご招待】")
    assert accepted["invite"]["joinUrl"] in text_of(invitation)
    assert event_of(calendar_of(invitation)).decoded("DTSTART") == start

    st, js, _ = srv.http("POST", f"/v1/requests/{request_id}/accept", srv.officer_token, {"slot": 0})
    assert_http_error(st, js, 409, "conflict")
    st, js, _ = srv.http("POST", f"/v1/requests/{request_id}/decline", srv.officer_token, {"phrase": "request-decline-times"})
    assert_http_error(st, js, 409, "conflict")


def test_a_request_about_a_zone_names_it_in_the_investors_language(server_factory):
    srv = server_factory()
    maildir = srv.data / "mail"
    st, topics, _ = srv.http("GET", "/v1/requests/topics")
    by_id = {t["id"]: t for t in topics["topics"]}
    zone = by_id["van-don-economic-zone"]
    assert zone["kind"] == "zone" and zone["desk"] == "industrial-zones" and zone["names"]["ko"] == "번돈 경제구역"
    assert by_id["industrial-zones"]["kind"] == "desk"
    # Desks first, then zones.
    kinds = [t["kind"] for t in topics["topics"]]
    assert kinds == sorted(kinds) and "zone" in kinds
    st, js, _ = srv.http("POST", "/v1/requests", None, form(
        name="Lee Min-ho", email="lee@hanbit.example", language="ko", timeZone="Asia/Seoul", topic="van-don-economic-zone"))
    assert st == 201, js
    [ack] = wait_messages(maildir, 1)
    assert "번돈 경제구역" in text_of(ack)
    st, accepted, _ = srv.http("POST", f"/v1/requests/{js['id']}/accept", srv.officer_token, {"slot": 0})
    assert st == 200, accepted
    # The session's title names the zone in the agency's language.
    assert accepted["session"]["title"] == "Tanaka Seiki — Khu kinh tế Vân Đồn"


def test_a_request_is_declined_with_a_phrase_in_the_investors_language(server_factory):
    srv = server_factory()
    maildir = srv.data / "mail"
    st, js, _ = srv.http("POST", "/v1/requests", None, form(name="Marie Leroy", email="marie@leroy.example", language="fr",
                                                            timeZone="Europe/Paris"))
    assert st == 201
    request_id = js["id"]
    st, js, _ = srv.http("POST", f"/v1/requests/{request_id}/decline", srv.officer_token, {"phrase": "nope"})
    assert_http_error(st, js, 400, "bad_request")
    st, js, _ = srv.http("POST", f"/v1/requests/{request_id}/accept", srv.officer_token, {"slot": 7})
    assert_http_error(st, js, 400, "bad_request")
    st, js, _ = srv.http("POST", f"/v1/requests/{request_id}/decline", srv.officer_token, {"phrase": "request-decline-times"})
    assert st == 200 and js["request"]["status"] == "declined" and js["request"]["declineReason"] == "request-decline-times"
    mails = wait_messages(maildir, 2)
    declined = mails[-1]
    assert declined["To"].addresses[0].addr_spec == "marie@leroy.example"
    assert "Aucun des créneaux que vous avez proposés ne peut être retenu." in text_of(declined)
    kinds = sorted(m["kind"] for m in outbox(srv))
    assert kinds == ["request", "request"]


@pytest.mark.parametrize("fields,needle", [
    ({"email": "not-an-address"}, "email"),
    ({"email": "a@b.example\r\nBcc: c@d.example"}, "email"),
    ({"name": "Two\nlines"}, "name"),
    ({"organisation": ""}, "organisation"),
    ({"language": "klingon-xx-yy-zz"}, "language"),
    ({"timeZone": "EST"}, "America/New_York"),
    ({"topic": "nowhere"}, "topic"),
    ({"slots": []}, "slots"),
    ({"slots": slots(0, 1, 2, 3)}, "slots"),
    ({"slots": ["2020-01-01T00:00:00Z"]}, "past"),
    ({"slots": ["tomorrow at noon"]}, "slots"),
    ({"message": "x" * 2001}, "message"),
])
def test_bad_requests_are_refused_with_the_reason_and_store_nothing(server, fields, needle):
    before = server.http("GET", "/v1/requests", server.officer_token)[1]["requests"]
    st, js, _ = server.http("POST", "/v1/requests", None, form(**fields))
    assert_http_error(st, js, 400, "bad_request")
    assert needle.lower() in js["error"]["message"].lower(), js
    assert server.http("GET", "/v1/requests", server.officer_token)[1]["requests"] == before


def test_the_honeypot_and_the_rate_limit(server_factory):
    srv = server_factory()
    maildir = srv.data / "mail"
    st, js, _ = srv.http("POST", "/v1/requests", None, form(website="http://spam.example"))
    assert st == 201 and js["status"] == "pending"  # the robot cannot tell
    assert srv.http("GET", "/v1/requests", srv.officer_token)[1]["requests"] == []
    statuses = [srv.http("POST", "/v1/requests", None, form(email=f"p{i}@x.example"))[0] for i in range(6)]
    assert statuses == [201] * 5 + [429], statuses
    assert len(srv.http("GET", "/v1/requests", srv.officer_token)[1]["requests"]) == 5
    time.sleep(1)
    assert len(wait_messages(maildir, 5)) == 5  # five acknowledgements, none for the robot
