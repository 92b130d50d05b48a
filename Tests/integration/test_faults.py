"""Faults, short versions (issue 3): crash cycles, reconnect chaos, slow consumer, disk full and
read-only storage. The scenarios live in faults.py; Tests/soak runs the long versions.
Random choices are seeded (FAULT_SEED, default in faults.py)."""

from __future__ import annotations

import pytest

import faults
from faults import SEED, Unsupported


def test_crash_cycles(server_factory):
    stats = faults.crash_cycles(server_factory, cycles=3, seed=SEED, log=print)
    assert stats["kills"] == 3 and stats["acked"] > 0


def test_reconnect_chaos(server_factory):
    resumes, events = faults.reconnect_chaos(server_factory, cycles=60, seed=SEED + 1, investors=4, officers=2,
                                             reviewers=2, log=print)
    assert resumes >= 480


def test_slow_consumer(server_factory):
    faults.slow_consumer(server_factory, seconds=6.0, rate=80.0, size=48_000, seed=SEED + 2, log=print)


@pytest.mark.parametrize("fault", ["disk_full", "read_only"])
def test_disk_full_and_read_only(server_factory, tmp_path, fault):
    """disk_full: the data folder is a small tmpfs that a filler file fills, then frees.
    read_only: the data folder is an ext4 image on a loop device mounted errors=remount-ro;
    /sys/fs/ext4/<dev>/trigger_fs_error turns it read-only under the running server;
    recovery is a restart after e2fsck. Both need root (mount); skipped with the reason if not."""
    try:
        getattr(faults, fault)(server_factory, tmp_path, log=print)
    except Unsupported as e:
        pytest.skip(f"{fault} not simulated here: {e}")
