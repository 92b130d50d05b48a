"""Redaction and erasure on the PostgreSQL store (issue 16, section 2): after the route and
`erase-participant`, a dump of the whole database holds neither the phone number nor the
investor's name, and the chain still verifies."""

from __future__ import annotations

import json
import subprocess
from urllib.parse import urlparse

from harness import Server, cli, investor, officer, run
from test_nodes import postgres  # noqa: F401  (the module's throwaway cluster)

PHONE = "0912345678"
NAME = "Zebulon Quartermaine"
ORG = "Obsidian Heron Holdings"


def dump(url: str) -> str:
    u = urlparse(url)
    out = subprocess.run(["pg_dump", "--data-only", "-h", u.hostname, "-p", str(u.port), "-U", u.username,
                          u.path.lstrip("/")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_redaction_and_erasure_leave_no_trace_in_postgres(postgres, tmp_path):  # noqa: F811
    srv = Server(tmp_path / "data", ["--store", postgres.url])
    srv.start(expect_token=None)
    try:
        sid = srv.create_session("Redaction on PostgreSQL")["id"]
        inv = srv.create_invite(sid, name=NAME, language="en", organisation=ORG)

        async def live():
            off, _ = await officer(srv, join=sid)
            ws, _, _ = await investor(srv, inv["code"], language="en")
            a = await ws.say(sid, f"Call me on {PHONE}")
            await off.wait_seq(a["seq"], sid)
            st, body, _ = srv.http("POST", f"/v1/sessions/{sid}/events/{a['seq']}/redact", srv.officer_token,
                                   {"reason": "phone"})
            assert st == 200, body
            await ws.close()
            await off.close()
            return a["seq"]
        seq = run(live())
        assert PHONE not in dump(postgres.url)
        assert NAME in dump(postgres.url)  # the name is still there until the erasure
        st, v, _ = srv.http("GET", f"/v1/sessions/{sid}/verify", srv.officer_token)
        assert st == 200 and v["ok"] and seq in v["redacted"], v
        p = cli("erase-participant", inv["id"], "--store", postgres.url, "--data", srv.data)
        assert p.returncode == 0, p.stderr
        text = dump(postgres.url)
        assert NAME not in text and ORG not in text and PHONE not in text
        st, v, _ = srv.http("GET", f"/v1/sessions/{sid}/verify", srv.officer_token)
        assert st == 200 and v["ok"], v
        st, doc, _ = srv.http("GET", f"/v1/sessions/{sid}/transcript?format=json", srv.officer_token)
        assert st == 200 and NAME not in json.dumps(doc, ensure_ascii=False), doc
    finally:
        srv.stop()


def test_readers_on_another_node_are_told_of_a_redaction(postgres, tmp_path):  # noqa: F811
    key = tmp_path / "signing-key.ed25519"
    shared = ["--store", postgres.url, "--signing-key", str(key)]
    a = Server(tmp_path / "a", shared)
    a.start(expect_token=False)  # the cluster may have staff already (the test above)
    b = Server(tmp_path / "b", shared)
    b.start(expect_token=False)
    p = cli("staff", "add", "--name", "node-officer", "--role", "officer", "--store", postgres.url)
    assert p.returncode == 0, p.stderr
    a.officer_token = b.officer_token = p.stdout.strip()
    try:
        sid = a.create_session("Redaction across nodes")["id"]
        inv = a.create_invite(sid, name=NAME, language="en")

        async def go():
            off_b, _ = await officer(b, join=sid)
            ws, _, _ = await investor(a, inv["code"], language="en")
            said = await ws.say(sid, f"Call me on {PHONE}")
            await off_b.wait_seq(said["seq"], sid)
            mark = off_b.mark()
            st, body, _ = a.http("POST", f"/v1/sessions/{sid}/events/{said['seq']}/redact", a.officer_token,
                                 {"reason": "phone"})
            assert st == 200, body
            await off_b.wait_for(lambda f: f.get("type") == "redacted" and f.get("seq") == said["seq"], since=mark,
                                 timeout=10)
            await ws.close()
            await off_b.close()
        run(go())
    finally:
        a.stop()
        b.stop()


def test_erasing_a_connected_investor_ends_their_invite_and_their_name_in_the_live_session(postgres, tmp_path):  # noqa: F811
    """`erase-participant` while the investor is connected (through the store's notice,
    since the command runs beside the server): their socket closes, their link no longer
    signs in, a fresh welcome lists them as `(erased)`, and a later moderation of them
    stores no name."""
    name, org = "Ximena Oakenshield", "Quillfeather Capital"
    srv = Server(tmp_path / "data", ["--store", postgres.url, "--signing-key", str(tmp_path / "key")])
    srv.start(expect_token=False)
    p = cli("staff", "add", "--name", "erasure-officer", "--role", "officer", "--store", postgres.url)
    assert p.returncode == 0, p.stderr
    srv.officer_token = p.stdout.strip()
    try:
        sid = srv.create_session("Erasure of a live participant")["id"]
        inv = srv.create_invite(sid, name=name, language="en", organisation=org)

        async def go():
            off, _ = await officer(srv, join=sid)
            ws, _, _ = await investor(srv, inv["code"], language="en")
            said = await ws.say(sid, "Hello from the investor")
            await off.wait_seq(said["seq"], sid)
            p = cli("erase-participant", inv["id"], "--store", postgres.url, "--data", srv.data,
                    "--signing-key", str(tmp_path / "key"))
            assert p.returncode == 0, p.stderr
            # The investor's socket is closed by the server.
            code, _ = await ws.wait_closed(10)
            assert code == 1008, code
            # A fresh welcome (and the join's session object) no longer carries the name.
            off2, _ = await officer(srv, join=sid)
            text = json.dumps(off2.frames, ensure_ascii=False)
            assert name not in text and org not in text, off2.frames
            # The officer mutes them: the stored event holds no name either.
            m = off2.mark()
            await off2.send({"type": "moderate", "session": sid, "action": "mute", "target": inv["id"]})
            ev = await off2.wait_for(lambda f: f.get("type") == "event" and f.get("kind") == "moderation", since=m)
            assert ev.get("targetName") == "(erased)", ev
            await off2.close()
            await off.close()
        run(go())
        assert name not in dump(postgres.url) and org not in dump(postgres.url)
        # The invite is over: its link signs in no more.
        async def again():
            try:
                await investor(srv, inv["code"], language="en")
            except Exception:
                return True
            return False
        assert run(again()), "the erased investor's invite still signs in"
    finally:
        srv.stop()
