#!/usr/bin/env python3
"""Opens N authenticated idle connections and prints the server RSS growth per connection.
Usage: idle_memory.py URL OFFICER_TOKEN N SERVER_PID"""
import asyncio, json, sys, os, websockets, resource, time
resource.setrlimit(resource.RLIMIT_NOFILE,(20000,20000))
url=sys.argv[1].replace("http","ws")+"v1/ws"; tok=sys.argv[2]; n=int(sys.argv[3]); pid=int(sys.argv[4])
def rss(): 
    for l in open(f"/proc/{pid}/status"):
        if l.startswith("VmRSS"): return int(l.split()[1])
async def one(i, conns):
    w=await websockets.connect(url, ping_interval=None, max_size=None, max_queue=None)
    await w.send(json.dumps({"type":"hello","token":tok,"language":"en"})); await w.recv()
    conns.append(w)
async def main():
    conns=[]
    base=rss(); print("base KiB",base)
    for k in range(0,n,200):
        await asyncio.gather(*[one(i,conns) for i in range(k,min(n,k+200))])
    time.sleep(1)
    r=rss(); print("after",len(conns),"conns KiB",r,"per conn KiB %.2f"%((r-base)/len(conns)))
    for w in conns: await w.close()
asyncio.run(main())
