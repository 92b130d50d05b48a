#!/usr/bin/env bash
# Two nodes sharing PostgreSQL against one node on SQLite, same fan-out load (issue 8):
# every session's members are split across the two nodes (loadgen --alt-port), so each
# message is delivered on both. Server CPU is both nodes plus every PostgreSQL process.
# Servers and PostgreSQL on core $SERVER_CPU, the load generator on core $CLIENT_CPU.
#
#   bench/nodes.sh                              # 200 sessions x 10 members, 1,000 msg/s, 10 s
#   NODES_SESSIONS=1000 NODES_RATE=2000 bench/nodes.sh    # NODES_SETTLE=S: seconds before sending (5)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${DIALOGUE_SERVER_BIN:-$ROOT/.build/release/dialogue-server}
LOADGEN=$ROOT/.build-bench/loadgen
SESSIONS=${NODES_SESSIONS:-200} MEMBERS=${NODES_MEMBERS:-10} RATE=${NODES_RATE:-1000} DURATION=${NODES_DURATION:-10}
# Seconds between connecting and sending. Every session's members join through both nodes at
# once, so their `joined` events contend for the same seqs; at 1,000 sessions, with both nodes
# and PostgreSQL on one core, that takes several seconds to settle.
SETTLE=${NODES_SETTLE:-5}
SERVER_CPU=${SERVER_CPU:-0} CLIENT_CPU=${CLIENT_CPU:-1}
[ -x "$BIN" ] || swift build -c release >&2
[ -x "$LOADGEN" ] || { mkdir -p .build-bench; ${CC:-cc} -O2 -Wall -Wextra -o "$LOADGEN" bench/loadgen/loadgen.c -lm; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
WORK=$(mktemp -d /tmp/dialogue-nodes-bench.XXXXXX)
cleanup() {
  for p in $(cat "$WORK"/*.pid 2>/dev/null); do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  Tests/postgres/cluster.sh stop "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_node NAME ARGS…: prints "PID PORT TOKEN"
start_node() {
  local name=$1; shift
  mkdir -p "$WORK/$name"
  taskset -c "$SERVER_CPU" "$BIN" serve --port 0 --data "$WORK/$name" --rate-limit off --max-connections-per-address 4096 "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.log" &
  local pid=$!
  echo "$pid" >"$WORK/$name.pid"  # start_node runs in a subshell: the cleanup reads these
  for _ in $(seq 300); do grep -q '^url:' "$WORK/$name.out" 2>/dev/null && break; sleep 0.1; done
  local port; port=$(awk '/^url:/{print $2}' "$WORK/$name.out" | sed 's#.*:\([0-9]*\)/#\1#')
  echo "$pid $port $(awk '/^officer-token:/{print $2}' "$WORK/$name.out")"
}

# run MODE LABEL PORT TOKEN PID [ALT_PORT ALT_PID]: one loadgen run (fanout, or append with 16
# officers, one session each, window 16), summarised with PostgreSQL's CPU added. The load
# generator measures every `postgres` process over its own window (--cpu-comm), the same
# window as the nodes': not the set-up before it (invites, sign-ins, joins).
run() {
  local mode=$1 label=$2 port=$3 token=$4 pid=$5 alt=() load=()
  [ $# -ge 7 ] && alt=(--alt-port "$6" --alt-pid "$7")
  if [ "$mode" = fanout ]; then load=(--sessions "$SESSIONS" --members "$MEMBERS" --rate "$RATE" --settle "$SETTLE")
  else load=(--connections 16 --window 16); fi
  taskset -c "$CLIENT_CPU" "$LOADGEN" "$mode" "${load[@]}" --duration "$DURATION" --cpu-comm postgres \
    --url "http://127.0.0.1:$port/" --token "$token" --pid "$pid" "${alt[@]}" >"$WORK/$label.loadgen" 2>&1 || true
  python3 - "$label" "$WORK/$label.loadgen" <<'PY'
import json, sys
label, path = sys.argv[1], sys.argv[2]
line = [l for l in open(path) if l.startswith("RESULT ")]
if not line:
    print(f"{label}: no RESULT; see {path}"); print(open(path).read()[-2000:]); sys.exit(0)
r = json.loads(line[-1][7:])
pg = max(r.get("other_cpu_s", 0), 0)
if r["mode"] == "append":
    n = max(r["acked"], 1)
    print(f"{label}: {r['acked_per_s']:.0f} acked appends/s, lost {r['lost']}; ack p50 {r['ack_ms']['p50']:.2f} p99 {r['ack_ms']['p99']:.2f} ms; "
          f"CPU per append: nodes {r['server_cpu_s']*1e6/n:.1f} us + PostgreSQL {pg*1e6/n:.1f} us")
else:
    d = max(r["received"], 1)
    print(f"{label}: {r['deliveries_per_s']:.0f} deliveries/s, lost {r['lost']}, dup {r['duplicates']}, gaps {r['seq_gaps']}; "
          f"p50 {r['latency_ms']['p50']:.2f} p99 {r['latency_ms']['p99']:.2f} p99.9 {r['latency_ms']['p999']:.2f} ms; "
          f"CPU per delivery: nodes {r['server_cpu_s']*1e6/d:.1f} us + PostgreSQL {pg*1e6/d:.1f} us = {(r['server_cpu_s'] + pg)*1e6/d:.1f} us")
PY
}

echo "== one node, SQLite: $SESSIONS sessions x $MEMBERS members, $RATE msg/s, $DURATION s"
read -r pid port token < <(start_node sqlite)
run fanout "sqlite-1-node" "$port" "$token" "$pid"
run append "sqlite-1-node-append" "$port" "$token" "$pid"
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true

echo "== two nodes, one PostgreSQL (fsync on), same load, members split across the nodes"
url=$(CLUSTER_DURABLE=1 taskset -c "$SERVER_CPU" Tests/postgres/cluster.sh start "$WORK/pg" "$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')")
read -r pid_a port_a token < <(start_node a --store "$url" --signing-key "$WORK/key")
read -r pid_b port_b _ < <(start_node b --store "$url" --signing-key "$WORK/key")
run fanout "postgres-2-nodes" "$port_a" "$token" "$pid_a" "$port_b" "$pid_b"
run append "postgres-2-nodes-append" "$port_a" "$token" "$pid_a" "$port_b" "$pid_b"
