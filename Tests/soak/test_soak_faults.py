"""Long versions of Tests/integration/test_faults.py (see conftest.py for SOAK=1 and sizes)."""

from __future__ import annotations

import os
import time

import pytest

import faults
from faults import SEED, Unsupported


def env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def log(msg: str):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


@pytest.mark.parametrize("cycles", [env("SOAK_CRASH_CYCLES", 1000)])
def test_crash_cycles_soak(server_factory, cycles):
    stats = faults.crash_cycles(server_factory, cycles=cycles, seed=SEED, epoch=5, log=log)
    assert stats["kills"] == cycles


@pytest.mark.parametrize("cycles", [env("SOAK_CHAOS_CYCLES", 400)])
def test_reconnect_chaos_soak(server_factory, cycles):
    resumes, events = faults.reconnect_chaos(server_factory, cycles=cycles, seed=SEED + 1, investors=5,
                                             officers=3, reviewers=2, log=log)
    assert resumes >= 10 * cycles


@pytest.mark.parametrize("seconds", [env("SOAK_SLOW_SECONDS", 60)])
def test_slow_consumer_soak(server_factory, seconds):
    faults.slow_consumer(server_factory, seconds=seconds, rate=80.0, size=48_000, stalled=4, listeners=3,
                         seed=SEED + 2, log=log)


@pytest.mark.parametrize("rounds", [env("SOAK_DISK_ROUNDS", 20)])
def test_disk_full_soak(server_factory, tmp_path, rounds):
    try:
        faults.disk_full(server_factory, tmp_path, size_mib=32, rounds=rounds, log=log)
    except Unsupported as e:
        pytest.skip(f"disk full not simulated here: {e}")
