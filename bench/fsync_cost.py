#!/usr/bin/env python3
"""The CPU one durable commit costs on this machine's disk, before any server work.

Writes one 4 KiB page and calls fdatasync, as SQLite's WAL does for a lone commit, N times
with a pause between (a commit every PAUSE ms, as at 250 messages/s), and the same loop
without the fdatasync. The difference of the process's CPU (user + system, getrusage)
divided by N is what each fdatasync costs the server, whatever the server does around it:
the floor under "CPU per delivery" at low rates, where every message is committed alone
(docs/benchmarks.md, "The floor under a durable delivery").

    python3 bench/fsync_cost.py [DIR] [--count N] [--pause-ms MS]
"""
import argparse
import os
import resource
import sys
import tempfile
import time

PAGE = 4096


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(fd: int, count: int, pause: float, sync: bool) -> tuple[float, list[float]]:
    page = os.urandom(PAGE)
    walls = []
    start = cpu_seconds()
    for i in range(count):
        before = time.perf_counter()
        os.pwrite(fd, page, (i % 256) * PAGE)
        if sync:
            os.fdatasync(fd)
        walls.append(time.perf_counter() - before)
        time.sleep(pause)
    return cpu_seconds() - start, sorted(walls)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", nargs="?", default="Transcripts", help="a directory on the disk to measure")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--pause-ms", type=float, default=4.0)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=args.dir, prefix=".fsync-cost-") as file:
        fd = file.fileno()
        os.pwrite(fd, bytes(256 * PAGE), 0)  # the file's blocks exist: no allocation below
        os.fsync(fd)
        pause = args.pause_ms / 1000
        plain_cpu, _ = run(fd, args.count, pause, sync=False)
        sync_cpu, walls = run(fd, args.count, pause, sync=True)
    per_sync = (sync_cpu - plain_cpu) / args.count * 1e6
    p50, p99 = walls[len(walls) // 2] * 1e6, walls[int(len(walls) * 0.99)] * 1e6
    print(f"fdatasync of one 4 KiB page in {args.dir}: {per_sync:.0f} us CPU each "
          f"(wall p50 {p50:.0f} us, p99 {p99:.0f} us; {args.count} commits, one every {args.pause_ms:g} ms)")
    print(f"RESULT {{\"mode\":\"fsync-cost\",\"cpu_us\":{per_sync:.1f},\"wall_p50_us\":{p50:.0f},"
          f"\"wall_p99_us\":{p99:.0f},\"count\":{args.count}}}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
