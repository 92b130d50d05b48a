#!/usr/bin/env python3
"""Searches at a fixed rate while something else runs: `GET /v1/search` with the retrieval
evaluation's questions, cycled, for DURATION seconds. Prints one RESULT line (latency).

    python3 bench/quick/search_load.py URL TOKEN RATE DURATION
"""
import json, sys, threading, time, urllib.parse, urllib.request
from pathlib import Path

url, token, rate, duration = sys.argv[1].rstrip("/"), sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
questions = json.loads((Path(__file__).resolve().parents[2] / "Tests/RetrievalTests/Fixtures/evaluation.json").read_text())
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
latencies, errors, lock = [], [0], threading.Lock()

def one(q):
    req = urllib.request.Request(
        f"{url}/v1/search?" + urllib.parse.urlencode({"q": q["question"], "lang": q["language"]}),
        headers={"Authorization": f"Bearer {token}"})
    t = time.perf_counter()
    try:
        with opener.open(req, timeout=10) as r:
            r.read()
        with lock: latencies.append((time.perf_counter() - t) * 1000)
    except Exception:
        with lock: errors[0] += 1

start = time.perf_counter(); n = 0; threads = []
while time.perf_counter() - start < duration:
    due = start + n / rate
    now = time.perf_counter()
    if due > now: time.sleep(due - now)
    th = threading.Thread(target=one, args=(questions[n % len(questions)],), daemon=True); th.start(); threads.append(th); n += 1
for th in threads: th.join(15)
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else None
print("RESULT " + json.dumps({"name": "search-load", "rate": rate, "requests": n, "ok": len(latencies), "errors": errors[0],
                               "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": latencies[-1] if latencies else None}))
