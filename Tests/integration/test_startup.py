"""Start-up refusals: a broken agent pack, a bad signing key, a busy port, bad flags.

Each must stop `serve` with a non-zero exit and a message that says what and where,
before anything is served and without touching what is stored.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from pathlib import Path

from harness import AGENTS, BIN


def serve(*args: str, timeout: float = 20.0) -> subprocess.CompletedProcess:
    return subprocess.run([BIN, "serve", "--port", "0", *args], capture_output=True, text=True, timeout=timeout)


def broken_pack(tmp_path: Path, edit) -> Path:
    agents = tmp_path / "agents"
    shutil.copytree(AGENTS, agents)
    manifest = agents / "quang-ninh-ipa" / "agent.json"
    manifest.write_text(edit(manifest.read_text()))
    return agents


def test_pack_with_unknown_default_language_is_refused_with_file_and_line(tmp_path):
    agents = broken_pack(tmp_path, lambda t: t.replace('"defaultLanguage": "vi"', '"defaultLanguage": "xx"'))
    p = serve("--data", str(tmp_path / "data"), "--agents", str(agents))
    assert p.returncode != 0
    line = next(i + 1 for i, l in enumerate((agents / "quang-ninh-ipa" / "agent.json").read_text().splitlines())
                if '"defaultLanguage"' in l)
    assert f"agent.json:{line}:" in p.stderr, p.stderr
    assert "xx" in p.stderr and "url:" not in p.stdout


def test_pack_with_json_syntax_error_is_refused_with_line(tmp_path):
    agents = broken_pack(tmp_path, lambda t: t.replace('"version": 1,', '"version": 1,,', 1))
    p = serve("--data", str(tmp_path / "data"), "--agents", str(agents))
    assert p.returncode != 0
    assert "agent.json:" in p.stderr, p.stderr


def test_missing_agents_folder_is_refused(tmp_path):
    p = serve("--data", str(tmp_path / "data"), "--agents", str(tmp_path / "nowhere"))
    assert p.returncode != 0 and "nowhere" in p.stderr, p.stderr


def test_bad_signing_key_is_refused_and_not_replaced(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    key = data / "signing-key.ed25519"
    key.write_bytes(b"not a key")
    p = serve("--data", str(data), "--agents", AGENTS)
    assert p.returncode != 0 and "signing-key.ed25519" in p.stderr, p.stderr
    assert key.read_bytes() == b"not a key", "a broken key must never be overwritten"


def test_port_in_use_is_refused(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        p = subprocess.run([BIN, "serve", "--port", str(port), "--data", str(tmp_path / "d"), "--agents", AGENTS],
                           capture_output=True, text=True, timeout=20)
    assert p.returncode != 0 and str(port) in p.stderr, p.stderr


def test_bad_flags_are_refused(tmp_path):
    for args in (["--rate-limit", "fast"], ["--tls-cert", "/nonexistent.pem"], ["--port", "70000"]):
        p = serve("--data", str(tmp_path / "data"), "--agents", AGENTS, *args)
        assert p.returncode != 0, (args, p.stdout)
        assert p.stderr.strip(), args
