#!/usr/bin/env python3
"""Quick fan-out check: S sessions x M members over real invites, one sender per session
sending RATE messages/s in all for DUR seconds; prints deliveries/s, the server CPU per
delivery (from /proc/PID/stat) and send-to-receive latency percentiles.
Usage: fanout.py URL OFFICER_TOKEN S M RATE DUR SERVER_PID
The Swift load generator of the benchmark work replaces this; Python saturates early."""
import asyncio, json, sys, time, urllib.request, websockets, resource, os
resource.setrlimit(resource.RLIMIT_NOFILE,(20000,20000))
base=sys.argv[1]; tok=sys.argv[2]; S=int(sys.argv[3]); M=int(sys.argv[4]); RATE=float(sys.argv[5]); DUR=float(sys.argv[6]); pid=int(sys.argv[7])
url=base.replace("http","ws")+"v1/ws"
def post(path, body):
    r=urllib.request.Request(base+path.lstrip("/"),method="POST",data=json.dumps(body).encode(),headers={"Authorization":"Bearer "+tok})
    return json.load(urllib.request.urlopen(r))
def cpu():
    f=open(f"/proc/{pid}/stat").read().split(")")[1].split(); return (int(f[11])+int(f[12]))/os.sysconf("SC_CLK_TCK")
lat=[]; recvd=0
async def member(sid, code, sends, start_evt):
    global recvd
    w=await websockets.connect(url, ping_interval=None, max_size=None, max_queue=None)
    await w.send(json.dumps({"type":"hello","token":code,"language":"en"}))
    async def reader():
        global recvd
        async for m in w:
            f=json.loads(m)
            if f.get("type")=="event" and f.get("kind")=="message":
                recvd+=1; t=float(f["text"].split()[0]); lat.append(time.time()-t)
    rt=asyncio.create_task(reader())
    await start_evt.wait()
    if sends:
        per=S*1.0/RATE  # each session sends RATE/S msg/s; one sender per session
        n=0; t0=time.time()
        while time.time()-t0<DUR:
            n+=1
            await w.send(json.dumps({"type":"say","session":sid,"text":f"{time.time()} hello","clientId":str(n)}))
            nxt=t0+n*per; d=nxt-time.time()
            if d>0: await asyncio.sleep(d)
    await asyncio.sleep(DUR+2); rt.cancel(); await w.close()
async def main():
    start=asyncio.Event(); tasks=[]
    for s in range(S):
        sid=post("/v1/sessions",{"title":f"s{s}"})["id"]
        for m in range(M):
            code=post(f"/v1/sessions/{sid}/invites",{"name":f"m{m}","language":"en"})["code"]
            tasks.append(asyncio.create_task(member(sid,code,m==0,start)))
    await asyncio.sleep(2)
    c0=cpu(); t0=time.time(); start.set()
    await asyncio.gather(*tasks)
    el=time.time()-t0; c1=cpu()
    lat.sort()
    print(f"deliveries {recvd} in {el:.1f}s = {recvd/DUR:.0f}/s; server cpu {c1-c0:.2f}s = {(c1-c0)/max(recvd,1)*1e6:.1f} us/delivery")
    if lat: print("p50 %.1fms p99 %.1fms max %.1fms"%(lat[len(lat)//2]*1000, lat[int(len(lat)*.99)]*1000, lat[-1]*1000))
asyncio.run(main())
