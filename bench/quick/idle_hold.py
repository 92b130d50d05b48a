#!/usr/bin/env python3
"""Opens N authenticated idle connections and holds them for SECONDS.
Usage: idle_hold.py URL OFFICER_TOKEN N SECONDS"""
import asyncio, json, sys, websockets, resource
resource.setrlimit(resource.RLIMIT_NOFILE,(20000,20000))
url=sys.argv[1].replace("http","ws")+"v1/ws"; tok=sys.argv[2]; n=int(sys.argv[3]); hold=float(sys.argv[4])
async def one(conns):
    w=await websockets.connect(url, ping_interval=None, max_size=None, max_queue=None)
    await w.send(json.dumps({"type":"hello","token":tok,"language":"en"})); await w.recv(); conns.append(w)
async def main():
    conns=[]
    for k in range(0,n,250): await asyncio.gather(*[one(conns) for _ in range(250)])
    print("holding",len(conns),flush=True); await asyncio.sleep(hold)
asyncio.run(main())
