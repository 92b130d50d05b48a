"""Fixtures for the dialogue-server black-box integration suite.

Starts the real binary (DIALOGUE_SERVER_BIN, default .build/debug/dialogue-server) on
127.0.0.1 with --port 0 and a temporary data folder; helpers live in harness.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import Server

@pytest.fixture
def server_factory(tmp_path_factory):
    """Start servers with custom flags: `srv = server_factory('--rate-limit', 'off')`."""
    started: list[Server] = []

    def make(*extra: str, data_dir=None, host: str = "127.0.0.1", start: bool = True) -> Server:
        d = Path(data_dir) if data_dir else tmp_path_factory.mktemp("srv") / "data"
        s = Server(d, list(extra), host=host)
        started.append(s)
        if start:
            s.start()
        return s

    yield make
    for s in started:
        s.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server with default flags per test module."""
    s = Server(tmp_path_factory.mktemp("srv") / "data")
    s.start()
    yield s
    s.stop()


