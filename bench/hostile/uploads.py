#!/usr/bin/env python3
"""Hostile-traffic benchmark: server memory during unauthenticated 16 MiB uploads, and
connections at and beyond the caps.

    python3 bench/hostile/uploads.py [--bin .build/debug/dialogue-server] [--uploads 1000]
        [--parallel 40] [--size-mib 16] [--max-seconds 600] [--caps] [--extra-flags "..."]

Starts its own server (a temporary data folder, --port 0), samples its RSS (VmRSS, and
VmHWM at the end) every 50 ms, and prints one JSON object with the figures. `--caps` runs
the connection part instead: with --max-connections 200 --max-connections-per-address 100,
it opens 100 idle keep-alive connections from each of 127.0.0.1..127.0.0.3 (300 in all)
and counts the answers (200, 503, refused at accept).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def start(binary: str, flags: list[str]) -> tuple[subprocess.Popen, int, str]:
    data = tempfile.mkdtemp(prefix="hostile-bench.")
    proc = subprocess.Popen([binary, "serve", "--port", "0", "--data", data,
                             "--agents", os.path.join(REPO, "Agents"), *flags],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=REPO)
    port = None
    while port is None:
        line = proc.stdout.readline().decode()
        if not line:
            raise SystemExit("server did not start")
        m = re.match(r"url: https?://[^:]+:(\d+)/", line)
        if m:
            port = int(m.group(1))
    threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
    return proc, port, data


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop_flag = pid, 0, False

    def run(self):
        while not self.stop_flag:
            try:
                self.peak = max(self.peak, rss_kib(self.pid))
            except OSError:
                return
            time.sleep(0.05)


def upload(port: int, size: int, chunk: bytes) -> str:
    """One unauthenticated PUT /v1/glossary of `size` bytes; what the server answered."""
    s = socket.create_connection(("127.0.0.1", port), timeout=120)
    try:
        s.sendall((f"PUT /v1/glossary HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/tab-separated-values\r\n"
                   f"Content-Length: {size}\r\n\r\n").encode())
        sent = 0
        try:
            while sent < size:
                n = min(len(chunk), size - sent)
                s.sendall(chunk[:n])
                sent += n
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the body was taken
        try:
            head = s.recv(64)
        except (ConnectionResetError, socket.timeout):
            return "reset"
        return head[9:12].decode() if head.startswith(b"HTTP/1.1 ") else "closed"
    finally:
        s.close()


def uploads(args) -> dict:
    proc, port, data = start(args.bin, args.extra_flags.split())
    try:
        time.sleep(1)
        base = rss_kib(proc.pid)
        sampler = Sampler(proc.pid)
        sampler.start()
        size = args.size_mib * 1024 * 1024
        chunk = b"x" * (256 * 1024)
        answers: dict[str, int] = {}
        lock = threading.Lock()
        todo = list(range(args.uploads))

        stop_at = time.monotonic() + args.max_seconds

        def worker():
            while True:
                with lock:
                    if not todo or time.monotonic() > stop_at:
                        return
                    todo.pop()
                try:
                    answer = upload(port, size, chunk)
                except OSError as e:
                    answer = type(e).__name__
                with lock:
                    answers[answer] = answers.get(answer, 0) + 1

        started = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(args.parallel)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        sampler.stop_flag = True
        sampler.join()
        return {"binary": args.bin, "uploads": sum(answers.values()), "parallel": args.parallel,
                "size_mib": args.size_mib, "seconds": round(elapsed, 1),
                "rss_before_mib": round(base / 1024, 1), "rss_peak_mib": round(sampler.peak / 1024, 1),
                "vmhwm_mib": round(rss_kib(proc.pid, "VmHWM") / 1024, 1),
                "rss_after_mib": round(rss_kib(proc.pid) / 1024, 1), "answers": answers}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


def caps(args) -> dict:
    flags = ["--max-connections", "200", "--max-connections-per-address", "100", *args.extra_flags.split()]
    proc, port, data = start(args.bin, flags)
    held: list[socket.socket] = []
    answers: dict[str, dict[str, int]] = {}
    try:
        time.sleep(1)
        base = rss_kib(proc.pid)
        for source in ["127.0.0.1", "127.0.0.2", "127.0.0.3"]:
            counts: dict[str, int] = {}
            for _ in range(100):
                s = socket.socket()
                s.settimeout(5)
                s.bind((source, 0))
                try:
                    s.connect(("127.0.0.1", port))
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    head = s.recv(4096)
                    answer = head[9:12].decode() if head else "closed"
                except OSError as e:
                    answer = type(e).__name__
                counts[answer] = counts.get(answer, 0) + 1
                held.append(s)
            answers[source] = counts
        # A fresh connection while every slot is held.
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        beyond = s.recv(4096)[9:12].decode()
        s.close()
        return {"binary": args.bin, "flags": flags, "answers_per_source": answers,
                "one_more_while_full": beyond, "rss_before_mib": round(base / 1024, 1),
                "rss_held_mib": round(rss_kib(proc.pid) / 1024, 1)}
    finally:
        for s in held:
            s.close()
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default=os.path.join(REPO, ".build/debug/dialogue-server"))
    p.add_argument("--uploads", type=int, default=1000)
    p.add_argument("--parallel", type=int, default=40)
    p.add_argument("--size-mib", type=int, default=16)
    p.add_argument("--max-seconds", type=float, default=600,
                   help="stop starting uploads after this long (the report counts those done)")
    p.add_argument("--caps", action="store_true")
    p.add_argument("--extra-flags", default="")
    args = p.parse_args()
    print(json.dumps(caps(args) if args.caps else uploads(args)))


if __name__ == "__main__":
    main()
