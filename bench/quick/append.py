#!/usr/bin/env python3
"""Durable appends: C officer connections in one session each pipeline N messages as fast
as they can; prints acknowledged appends per second (every ack follows a commit).
Usage: append.py URL OFFICER_TOKEN C N"""
import asyncio, json, sys, time, urllib.request, websockets
base, tok, C, N = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
r = urllib.request.Request(base + "v1/sessions", method="POST", data=b'{"title":"append"}',
                           headers={"Authorization": "Bearer " + tok})
sid = json.load(urllib.request.urlopen(r))["id"]
async def conn(k, lat):
    w = await websockets.connect(base.replace("http", "ws") + "v1/ws", max_size=None, ping_interval=None, max_queue=None)
    await w.send(json.dumps({"type": "hello", "token": tok, "language": "en"})); await w.recv()
    await w.send(json.dumps({"type": "join", "session": sid}))
    sent = {}
    async def reader():
        n = 0
        async for m in w:
            f = json.loads(m)
            if f["type"] == "ack":
                lat.append(time.perf_counter() - sent[f["clientId"]]); n += 1
                if n == N: return
    t = asyncio.create_task(reader())
    for i in range(N):
        c = f"{k}-{i}"; sent[c] = time.perf_counter()
        await w.send(json.dumps({"type": "say", "session": sid, "text": "x" * 100, "clientId": c}))
    await t; await w.close()
async def main():
    lat = []; t0 = time.perf_counter()
    await asyncio.gather(*[conn(k, lat) for k in range(C)])
    el = time.perf_counter() - t0; lat.sort()
    print(f"{len(lat)} acked appends in {el:.2f}s = {len(lat)/el:.0f}/s; ack p50 {lat[len(lat)//2]*1e3:.1f} ms p99 {lat[int(len(lat)*.99)]*1e3:.1f} ms")
asyncio.run(main())
