"""HTTP API (contract section 3, docs/protocol.md "HTTP details")."""

from __future__ import annotations

import re
import socket
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from harness import (AGENT_ID, agent_languages, assert_http_error, cid, http_request, is_event,
                     officer, run)

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)$")


def parse_time(s: str) -> datetime:
    assert isinstance(s, str) and RFC3339_UTC.match(s), f"not an RFC 3339 UTC time: {s!r}"
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def test_healthz(server):
    st, js, _ = server.http("GET", "/healthz")
    assert st == 200
    assert js == {"status": "ok"}


PROM_SAMPLE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (NaN|[+-]?Inf|[-+0-9.eE]+)( -?\d+)?$")


def test_metrics_prometheus_text_on_loopback(server):
    st, text, hdrs = server.http("GET", "/metrics")
    assert st == 200, text
    assert "text/plain" in (hdrs.get("Content-Type") or ""), hdrs.get("Content-Type")
    assert isinstance(text, str)
    lines = [l for l in text.splitlines() if l.strip()]
    assert any(l.startswith("# TYPE ") for l in lines), "no # TYPE lines"
    samples = [l for l in lines if not l.startswith("#")]
    assert samples, "no samples"
    for l in samples:
        assert PROM_SAMPLE.match(l), f"not a Prometheus sample line: {l!r}"
    for l in lines:
        if l.startswith("# TYPE "):
            parts = l.split()
            assert len(parts) == 4 and parts[3] in ("counter", "gauge", "histogram", "summary", "untyped"), l


def _non_loopback_ip() -> str | None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.254", 9))
        ip = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if ip.startswith("127.") or ip == "0.0.0.0" else ip


def test_metrics_not_served_to_non_loopback_peer(server_factory):
    ip = _non_loopback_ip()
    if not ip:
        pytest.skip("no non-loopback interface")
    srv = server_factory(host="0.0.0.0")
    st, _, _ = http_request(f"http://{ip}:{srv.port}", "GET", "/healthz")
    assert st == 200, "server should be reachable on the non-loopback address"
    st, body, _ = http_request(f"http://{ip}:{srv.port}", "GET", "/metrics")
    assert st == 404, f"/metrics must not be served to a non-loopback peer (docs: 404), got {st}"
    st, _, _ = srv.http("GET", "/metrics")
    assert st == 200
    pub = server_factory("--metrics-public", host="0.0.0.0")
    st, _, _ = http_request(f"http://{ip}:{pub.port}", "GET", "/metrics")
    assert st == 200, "--metrics-public must serve /metrics to other peers"


def test_create_session_defaults(server):
    title = f"Defaults {uuid.uuid4().hex[:6]}"
    st, s, hdrs = server.http("POST", "/v1/sessions", server.officer_token, {"title": title})
    assert st == 201, s
    assert re.fullmatch(r"ses_[0-9a-z]{16}", s["id"]), s["id"]
    assert s["title"] == title
    assert s["status"] == "live"
    assert sorted(s["languages"]) == sorted(agent_languages())
    assert s["agent"] == AGENT_ID
    assert s["assistant"] == "review"
    parse_time(s["createdAt"])
    assert isinstance(s["participants"], list)
    # the same session is readable
    st, g, _ = server.http("GET", f"/v1/sessions/{s['id']}", server.officer_token)
    assert st == 200
    assert g["id"] == s["id"] and g["title"] == title and g["status"] == "live"
    assert g["agent"] == AGENT_ID and g["assistant"] == "review"
    assert sorted(g["languages"]) == sorted(agent_languages())


def test_create_session_explicit_fields(server):
    st, s, _ = server.http("POST", "/v1/sessions", server.officer_token,
                           {"title": "Explicit", "languages": ["vi", "ja"], "agent": AGENT_ID,
                            "assistant": "off"})
    assert st == 201, s
    assert sorted(s["languages"]) == ["ja", "vi"]
    assert s["assistant"] == "off"
    assert s["agent"] == AGENT_ID


def test_create_session_bad_requests(server):
    tok = server.officer_token
    st, b, _ = server.http("POST", "/v1/sessions", tok, {"languages": ["vi"]})
    assert_http_error(st, b, 400, "bad_request")
    st, b, _ = server.http("POST", "/v1/sessions", tok, raw=b'{"title": "x"',
                           headers={"Content-Type": "application/json"})
    assert_http_error(st, b, 400, "bad_request")
    st, b, _ = server.http("POST", "/v1/sessions", tok, {"title": "x", "assistant": "sometimes"})
    assert_http_error(st, b, 400, "bad_request")
    st, b, _ = server.http("POST", "/v1/sessions", tok, {"title": "x", "agent": "no-such-agent"})
    assert st in (400, 404), (st, b)
    assert_http_error(st, b, st, "bad_request" if st == 400 else "not_found")


def test_list_filter_and_get(server):
    tag = uuid.uuid4().hex[:8]
    a = server.create_session(f"Harbour {tag} Alpha")
    b = server.create_session(f"harbour {tag} beta")
    c = server.create_session(f"Airport {tag}")
    st, js, _ = server.http("GET", "/v1/sessions", server.officer_token)
    assert st == 200
    ids = {s["id"] for s in js["sessions"]}
    assert {a["id"], b["id"], c["id"]} <= ids
    st, js, _ = server.http("GET", f"/v1/sessions?q=HARBOUR%20{tag}", server.officer_token)
    assert st == 200
    assert {s["id"] for s in js["sessions"]} == {a["id"], b["id"]}
    # reviewer may list too
    st, js, _ = server.http("GET", f"/v1/sessions?q={tag}", server.reviewer_token)
    assert st == 200 and {s["id"] for s in js["sessions"]} == {a["id"], b["id"], c["id"]}

    async def end_c():
        ws, _ = await officer(server, join=c["id"])
        m = ws.mark()
        await ws.send({"type": "end", "session": c["id"]})
        await ws.wait_for(is_event("ended"), since=m)
        await ws.close()
    run(end_c())

    st, js, _ = server.http("GET", f"/v1/sessions?q={tag}&status=live", server.officer_token)
    assert st == 200 and {s["id"] for s in js["sessions"]} == {a["id"], b["id"]}
    assert all(s["status"] == "live" for s in js["sessions"])
    st, js, _ = server.http("GET", f"/v1/sessions?q={tag}&status=ended", server.officer_token)
    assert st == 200 and [s["id"] for s in js["sessions"]] == [c["id"]]
    assert js["sessions"][0]["status"] == "ended"
    st, g, _ = server.http("GET", f"/v1/sessions/{c['id']}", server.reviewer_token)
    assert st == 200 and g["status"] == "ended"


def test_get_unknown_session_404(server):
    st, b, _ = server.http("GET", "/v1/sessions/ses_aaaaaaaaaaaaaaaa", server.officer_token)
    assert_http_error(st, b, 404, "not_found")


def test_auth_errors(server):
    st, b, _ = server.http("GET", "/v1/sessions")
    assert_http_error(st, b, 401, "unauthorized")
    st, b, _ = server.http("GET", "/v1/sessions", "dst_" + "A" * 43)
    assert_http_error(st, b, 401, "unauthorized")
    st, b, _ = server.http("POST", "/v1/sessions", None, {"title": "x"})
    assert_http_error(st, b, 401, "unauthorized")
    st, b, _ = server.http("POST", "/v1/sessions", server.reviewer_token, {"title": "x"})
    assert_http_error(st, b, 403, "forbidden")


def test_unknown_path_and_wrong_method(server):
    st, b, _ = server.http("GET", "/v1/nothing-here", server.officer_token)
    assert_http_error(st, b, 404, "not_found")
    st, b, _ = server.http("DELETE", "/v1/sessions", server.officer_token)
    assert_http_error(st, b, 405, "bad_request")


def test_body_too_large(server):
    big = b'{"title":"' + b"x" * (1024 * 1024 + 10) + b'"}'
    st, b, _ = server.http("POST", "/v1/sessions", server.officer_token, raw=big,
                           headers={"Content-Type": "application/json"})
    assert_http_error(st, b, 413, "too_large")


def test_invite_fields_and_default_expiry(server):
    s = server.create_session()
    before = datetime.now(timezone.utc)
    st, inv, _ = server.http("POST", f"/v1/sessions/{s['id']}/invites", server.officer_token,
                             {"name": "Sato Haruki", "language": "ja", "organisation": "Acme KK"})
    assert st == 201, inv
    assert inv["id"].startswith("inv_")
    code = inv["code"]
    assert isinstance(code, str) and len(code) >= 26, code  # >= 128 bits of base32
    assert inv["joinUrl"].endswith("/join#" + code), inv["joinUrl"]
    assert inv["joinUrl"].startswith("http"), inv["joinUrl"]
    exp = parse_time(inv["expiresAt"])
    week = before + timedelta(days=7)
    assert abs((exp - week).total_seconds()) < 300, (exp, week)
    # explicit expiry
    st, inv2, _ = server.http("POST", f"/v1/sessions/{s['id']}/invites", server.officer_token,
                              {"name": "Kim", "language": "ko", "expiresIn": 3600})
    assert st == 201
    exp2 = parse_time(inv2["expiresAt"])
    assert abs((exp2 - (before + timedelta(hours=1))).total_seconds()) < 120
    assert inv2["code"] != code and inv2["id"] != inv["id"]


def test_invite_join_url_uses_public_url(server_factory):
    srv = server_factory("--public-url", "https://dialogue.example.org")
    s = srv.create_session()
    inv = srv.create_invite(s["id"])
    assert inv["joinUrl"] == "https://dialogue.example.org/join#" + inv["code"]


def test_invite_errors(server):
    s = server.create_session()
    st, b, _ = server.http("POST", "/v1/sessions/ses_aaaaaaaaaaaaaaaa/invites", server.officer_token,
                           {"name": "X", "language": "ja"})
    assert_http_error(st, b, 404, "not_found")
    st, b, _ = server.http("POST", f"/v1/sessions/{s['id']}/invites", server.officer_token,
                           {"language": "ja"})
    assert_http_error(st, b, 400, "bad_request")
    for bad in (-5, "soon"):
        st, b, _ = server.http("POST", f"/v1/sessions/{s['id']}/invites", server.officer_token,
                               {"name": "X", "language": "ja", "expiresIn": bad})
        assert_http_error(st, b, 400, "bad_request")
    st, b, _ = server.http("POST", f"/v1/sessions/{s['id']}/invites", server.reviewer_token,
                           {"name": "X", "language": "ja"})
    assert_http_error(st, b, 403, "forbidden")
    st, b, _ = server.http("DELETE", f"/v1/sessions/{s['id']}/invites/inv_aaaaaaaaaaaaaaaa",
                           server.officer_token)
    assert_http_error(st, b, 404, "not_found")


def _session_with_messages(server, texts):
    s = server.create_session(f"Transcript {uuid.uuid4().hex[:6]}")

    async def talk():
        ws, _ = await officer(server, join=s["id"])
        acks = []
        for t in texts:
            a = await ws.say(s["id"], t)
            assert a["type"] == "ack", a
            acks.append(a)
        await ws.close()
        return acks
    return s, run(talk())


def test_notes(server):
    s, acks = _session_with_messages(server, ["first message", "second message"])
    seq = acks[1]["seq"]
    for tok in (server.officer_token, server.reviewer_token):
        st, n, _ = server.http("POST", f"/v1/sessions/{s['id']}/notes", tok,
                               {"seq": seq, "text": "check the lease term"})
        assert st == 201, n
        assert n["seq"] == seq and n["text"] == "check the lease term"
        assert n["session"] == s["id"]
        assert "id" in n and "author" in n
        parse_time(n["at"])
    st, b, _ = server.http("POST", f"/v1/sessions/{s['id']}/notes", server.reviewer_token,
                           {"seq": 9999, "text": "nowhere"})
    assert_http_error(st, b, 404, "not_found")
    st, b, _ = server.http("POST", f"/v1/sessions/{s['id']}/notes", server.reviewer_token,
                           {"seq": seq})
    assert_http_error(st, b, 400, "bad_request")
    st, b, _ = server.http("POST", "/v1/sessions/ses_aaaaaaaaaaaaaaaa/notes", server.reviewer_token,
                           {"seq": 1, "text": "x"})
    assert_http_error(st, b, 404, "not_found")
    tr = server.transcript(s["id"], server.reviewer_token)
    notes = [n for n in tr["notes"] if n["text"] == "check the lease term"]
    assert len(notes) == 2 and all(n["seq"] == seq for n in notes)


def test_verify_endpoint(server):
    s, acks = _session_with_messages(server, ["one", "two", "three"])
    st, v, _ = server.http("GET", f"/v1/sessions/{s['id']}/verify", server.reviewer_token)
    assert st == 200, v
    assert v["ok"] is True
    # officer's joined event + 3 messages
    assert v["events"] == acks[-1]["seq"] == 4
    assert re.fullmatch(r"[0-9a-f]{64}", v["head"]), v["head"]
    assert isinstance(v["signature"], str) and v["signature"]
    st, b, _ = server.http("GET", "/v1/sessions/ses_aaaaaaaaaaaaaaaa/verify", server.officer_token)
    assert_http_error(st, b, 404, "not_found")


def test_transcript_formats(server):
    texts = ["Xin chao the harbour lease", "Second line about tariffs"]
    s, acks = _session_with_messages(server, texts)
    tr = server.transcript(s["id"])
    assert tr["format"] == "dialogue-transcript" and tr["version"] == 2
    assert tr["session"]["id"] == s["id"] and tr["session"]["title"] == s["title"]
    seqs = [e["seq"] for e in tr["events"]]
    assert seqs == list(range(1, len(seqs) + 1))
    msgs = [e for e in tr["events"] if e["kind"] == "message"]
    assert [m["text"] for m in msgs] == texts
    assert [m["seq"] for m in msgs] == [a["seq"] for a in acks]
    assert tr["head"]["seq"] == seqs[-1]
    st, v, _ = server.http("GET", f"/v1/sessions/{s['id']}/verify", server.officer_token)
    assert tr["head"]["chain"] == v["head"]
    # default format is json
    st, js, _ = server.http("GET", f"/v1/sessions/{s['id']}/transcript", server.reviewer_token)
    assert st == 200 and isinstance(js, dict) and js["format"] == "dialogue-transcript"
    st, md, h = server.http("GET", f"/v1/sessions/{s['id']}/transcript?format=md", server.reviewer_token)
    assert st == 200 and isinstance(md, str)
    for t in texts:
        assert t in md
    assert s["title"] in md
    st, html, h = server.http("GET", f"/v1/sessions/{s['id']}/transcript?format=html", server.reviewer_token)
    assert st == 200 and isinstance(html, str)
    assert "<" in html and texts[1] in html
    assert "text/html" in (h.get("Content-Type") or "")
    st, b, _ = server.http("GET", "/v1/sessions/ses_aaaaaaaaaaaaaaaa/transcript", server.officer_token)
    assert_http_error(st, b, 404, "not_found")
