#!/usr/bin/env python3
"""Credential stuffing against a running dialogue-server, while valid sign-ins are measured.

Attackers send well-formed but unknown staff tokens (HTTP `Authorization`) and invite codes
(WebSocket `hello`) from many loopback addresses (127.0.0.2 …, Linux routes all of 127/8 to
lo), WORKERS at a time per address group; meanwhile one prober signs in with the valid
staff token over HTTP and over WebSocket from an attacked address and from a clean one.
Prints one Markdown table: bad tokens sent and their answers, valid sign-ins and their
latency, the server's RSS before and after.

    python3 bench/signin/stuffing.py --url http://127.0.0.1:PORT --token TOKEN --pid PID \
        [--seconds 60] [--addresses 50] [--workers 64]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import secrets
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import websockets


def rss_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def http_sign_in(host: str, port: int, token: str, source: str) -> tuple[int, float]:
    started = time.monotonic()
    c = http.client.HTTPConnection(host, port, timeout=30, source_address=(source, 0))
    try:
        c.request("GET", "/v1/sessions", headers={"Authorization": f"Bearer {token}"})
        r = c.getresponse()
        r.read()
        return r.status, time.monotonic() - started
    except OSError:
        return -1, time.monotonic() - started
    finally:
        c.close()


async def ws_sign_in(url: str, token: str) -> tuple[str, float]:
    started = time.monotonic()
    try:
        async with websockets.connect(url, open_timeout=30, proxy=None, ping_interval=None) as ws:
            await ws.send(json.dumps({"type": "hello", "token": token, "language": "en"}))
            frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
            return frame.get("type") if frame.get("type") == "welcome" else frame.get("code", "?"), \
                time.monotonic() - started
    except Exception as error:  # noqa: BLE001 - a refused connection is a result here
        return type(error).__name__, time.monotonic() - started


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--addresses", type=int, default=50)
    ap.add_argument("--workers", type=int, default=64)
    a = ap.parse_args()
    u = urlparse(a.url)
    host, port = u.hostname, u.port
    ws_url = f"ws://{host}:{port}/v1/ws"
    sources = [f"127.0.0.{2 + i}" for i in range(a.addresses)]
    stop = time.monotonic() + a.seconds
    bad = Counter()
    lock = threading.Lock()
    rss_before = rss_kib(a.pid)
    rss_peak = rss_before

    def attacker(index: int):
        nonlocal rss_peak
        source = sources[index % len(sources)]
        while time.monotonic() < stop:
            token = "dst_" + secrets.token_urlsafe(32)[:43]
            status, _ = http_sign_in(host, port, token, source)
            with lock:
                bad[status] += 1
                rss_peak = max(rss_peak, rss_kib(a.pid)) if bad.total() % 200 == 0 else rss_peak

    async def attack_ws():
        while time.monotonic() < stop:
            code = secrets.token_hex(16)
            answer, _ = await ws_sign_in(ws_url, code)
            with lock:
                bad[f"ws:{answer}"] += 1

    valid_http: list[tuple[int, float]] = []
    valid_ws: list[tuple[str, float]] = []

    async def probe():
        loop = asyncio.get_running_loop()
        while time.monotonic() < stop:
            for source in (sources[0], "127.0.0.1"):
                valid_http.append(await loop.run_in_executor(None, http_sign_in, host, port, a.token, source))
            valid_ws.append(await ws_sign_in(ws_url, a.token))
            await asyncio.sleep(0.2)

    async def run_all():
        await asyncio.gather(probe(), *[attack_ws() for _ in range(8)])

    started = time.monotonic()
    with ThreadPoolExecutor(a.workers) as pool:
        for i in range(a.workers):
            pool.submit(attacker, i)
        asyncio.run(run_all())
    took = time.monotonic() - started
    rss_after = rss_kib(a.pid)
    lat = sorted(t for _, t in valid_http) + sorted(t for _, t in valid_ws)
    lat.sort()
    ok_http = sum(1 for s, _ in valid_http if s == 200)
    ok_ws = sum(1 for s, _ in valid_ws if s == "welcome")
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    print(f"| bad tokens sent | {bad.total():,} in {took:.0f} s ({bad.total() / took:,.0f}/s) from "
          f"{len(sources)} addresses |")
    print("|---|---|")
    print(f"| their answers | {', '.join(f'{k}: {v:,}' for k, v in sorted(bad.items(), key=str))} |")
    print(f"| valid HTTP sign-ins | {ok_http}/{len(valid_http)} answered 200 |")
    print(f"| valid WebSocket hellos | {ok_ws}/{len(valid_ws)} welcomed |")
    print(f"| valid sign-in latency | p50 {statistics.median(lat) * 1000:.1f} ms, p99 {p(0.99):.1f} ms, "
          f"max {lat[-1] * 1000:.1f} ms |")
    print(f"| server RSS | {rss_before / 1024:.1f} MiB before, {rss_peak / 1024:.1f} MiB peak sampled, "
          f"{rss_after / 1024:.1f} MiB after |")


if __name__ == "__main__":
    main()
