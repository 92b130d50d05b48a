"""Searching what was said: `GET /v1/sessions?q=` matches titles and transcript text, with
the matching events; words are folded (diacritics, case, width) and glossary terms match in
every language."""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

from harness import acked, cid, investor, officer, run


def search(server, q: str, token: str | None = None, extra: str = "") -> dict:
    st, body, _ = server.http("GET", f"/v1/sessions?q={quote(q)}{extra}", token or server.officer_token)
    assert st == 200, body
    return {s["id"]: s for s in body["sessions"]}


def test_transcripts_are_searchable_across_languages(server):
    tag = uuid.uuid4().hex[:8]
    a = server.create_session(f"Land rent {tag}")
    b = server.create_session(f"Power supply {tag}")
    c = server.create_session(f"Vân Đồn {tag} logistics")
    inv = server.create_invite(b["id"], name="Sato Haruki", language="ja")

    async def talk():
        off, _ = await officer(server, join=a["id"])
        ra = await off.say(a["id"], f"Giá thuê đất tại khu công nghiệp Sông Khoai là bao nhiêu? ref{tag}")
        assert ra["type"] == "ack", ra
        ws, _, _ = await investor(server, inv["code"], "ja")
        rb = await ws.say(b["id"], f"工業団地の電力供給について教えてください。ref{tag}")
        assert rb["type"] == "ack", rb
        await ws.close()
        await off.close()
        return ra["seq"], rb["seq"]

    seq_a, seq_b = run(talk())

    # A glossary term in English finds the Vietnamese and the Japanese sessions, with the events.
    found = search(server, f"industrial park ref{tag}")
    assert set(found) == {a["id"], b["id"]}, found.keys()
    assert [m["seq"] for m in found[a["id"]]["matches"]] == [seq_a]
    assert found[a["id"]]["matches"][0]["kind"] == "message"
    assert "Sông Khoai" in found[a["id"]]["matches"][0]["text"]
    assert found[b["id"]]["matches"][0]["language"] == "ja"
    # Written without diacritics, and in capitals.
    assert set(search(server, f"SONG KHOAI ref{tag}")) == {a["id"]}
    assert set(search(server, f"khu cong nghiep ref{tag}")) == {a["id"], b["id"]}
    # Every word must be said in one event: a word said nowhere excludes the session.
    assert set(search(server, f"Sông Khoai điện ref{tag}")) == set()
    # Japanese text is found by its own words (bigrams), as written.
    assert set(search(server, f"電力供給 ref{tag}")) == {b["id"]}
    # A title match still counts, with no events.
    found = search(server, f"Vân Đồn {tag}")
    assert c["id"] in found and found[c["id"]]["matches"] == []
    # Reviewers search too; the status filter still applies.
    assert set(search(server, f"industrial park ref{tag}", server.reviewer_token)) == {a["id"], b["id"]}
    assert set(search(server, f"industrial park ref{tag}", extra="&status=ended")) == set()

    # Events said after a search are found by the next one.
    async def more():
        off, _ = await officer(server, join=c["id"])
        r = await off.say(c["id"], f"Cảng Cái Lân tiếp nhận tàu 50.000 DWT. ref{tag}")
        assert r["type"] == "ack", r
        await off.close()
        return r["seq"]

    seq_c = run(more())
    found = search(server, f"Cái Lân 50000 ref{tag}")
    assert set(found) == {c["id"]} and [m["seq"] for m in found[c["id"]]["matches"]] == [seq_c]


def test_transcript_index_is_rebuilt_when_deleted(server_factory):
    srv = server_factory()
    s = srv.create_session("Rebuild check")

    async def talk():
        off, _ = await officer(srv, join=s["id"])
        for n in range(5):
            assert (await off.say(s["id"], f"Nhà máy điện Mông Dương số {n}"))["type"] == "ack"
        await off.close()

    run(talk())
    assert set(search(srv, "Mông Dương")) == {s["id"]}
    srv.stop()
    index = os.path.join(str(srv.data), "transcript-index.sqlite")
    assert os.path.exists(index)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(index + suffix):
            os.remove(index + suffix)
    srv.start()
    found = search(srv, "Mông Dương")
    assert set(found) == {s["id"]} and len(found[s["id"]]["matches"]) == 3  # at most three per session
