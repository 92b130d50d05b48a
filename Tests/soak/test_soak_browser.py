"""Reconnect chaos in a real browser, long version (Tests/integration/browser_chaos.py):
SOAK_BROWSER_CUTS network cuts (default 100) of the investor page while an officer streams
and the investor writes online and offline; the page must end with exactly the stored
events, each once, and every message the investor wrote stored once."""

from __future__ import annotations

import os

from browser_chaos import run_browser_chaos


def test_browser_reconnect_chaos_soak(server_factory):
    server = server_factory("--rate-limit", "off")
    cuts = int(os.environ.get("SOAK_BROWSER_CUTS", "100"))
    result = run_browser_chaos(server, cuts=cuts, seed=int(os.environ.get("FAULT_SEED", "7")),
                               interval=0.05)
    print(f"browser chaos: {result}")
