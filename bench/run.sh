#!/usr/bin/env bash
# Load harness: starts a fresh release server for each scenario, runs the C load generator
# against it (server pinned to core $SERVER_CPU, load generator to core $CLIENT_CPU when
# taskset exists), stops the server, and prints every `RESULT {...}` line at the end.
#
#   bench/run.sh                       # idle, fanout, append at the issue's sizes
#   SCENARIOS="fanout" FANOUT_RATE=2500 bench/run.sh
#   SCENARIOS=sweep SWEEP_RATES="1000 3000 5000" bench/run.sh   # fan-out at several rates
#   SCENARIOS="fanout fanout-search" FANOUT_RATE=2000 SEARCH_RATE=50 bench/run.sh
#                                      # the same fan-out without and with /v1/search beside it
#   SCENARIOS=peers bench/run.sh       # our server vs libwebsockets-test-server (lws-mirror-protocol)
#                                      # vs the Hummingbird relay (bench/relay), same fan-out loads
#
# Sizes (environment): IDLE_CONNECTIONS=15000 IDLE_HOLD=10
#   FANOUT_SESSIONS=1000 FANOUT_MEMBERS=10 FANOUT_RATE=5000 FANOUT_DURATION=10
#   APPEND_CONNECTIONS=16 APPEND_WINDOW=16 APPEND_DURATION=10 (APPEND_SESSIONS: default one each)
#   PEERS_SESSIONS=3 PEERS_MEMBERS=10 PEERS_LOADS="2500 10000" (deliveries/s) PEERS_DURATION=10
#     (the lws mirror keeps at most 3 rooms, so every server gets 3 rooms x 10 members there;
#     with PEERS_SESSIONS > 3, e.g. the issue's 1000 x 10, lws is skipped: ours vs relay only)
#   SERVER_ARGS="..." extra `serve` flags; DIALOGUE_SERVER_BIN to test another binary.
#   RELAY_BIN (default .build-relay/release/relay, built when missing), LWS_BIN
#   (default libwebsockets-test-server: apt-get install libwebsockets-test-server).
# Full output goes to $OUT (default .build-bench/results/DATE-TIME/), one log per scenario.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BIN=${DIALOGUE_SERVER_BIN:-$ROOT/.build/release/dialogue-server}
LOADGEN=$ROOT/.build-bench/loadgen
SCENARIOS=${SCENARIOS:-idle fanout append}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
OUT=${OUT:-$ROOT/.build-bench/results/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

if [ ! -x "$BIN" ]; then
  echo "building the release server (swift build -c release)…" >&2
  swift build -c release >&2
fi
if [ ! -x "$LOADGEN" ] || [ "$ROOT/bench/loadgen/loadgen.c" -nt "$LOADGEN" ]; then
  mkdir -p "$ROOT/.build-bench"
  ${CC:-cc} -O2 -Wall -Wextra -o "$LOADGEN" "$ROOT/bench/loadgen/loadgen.c" -lm
fi

case " $SCENARIOS " in
  *" peers "*)
    RELAY_BIN=${RELAY_BIN:-$ROOT/.build-relay/release/relay}
    if [ -z "${LWS_BIN:-}" ] && ! command -v libwebsockets-test-server >/dev/null; then
      echo "peers: installing libwebsockets-test-server (Debian)"
      sudo_=$([ "$(id -u)" = 0 ] || echo sudo)
      $sudo_ apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq libwebsockets-test-server
    fi
    LWS_BIN=${LWS_BIN:-$(command -v libwebsockets-test-server || true)}
    [ -n "$LWS_BIN" ] || { echo "peers: libwebsockets-test-server missing (apt-get install libwebsockets-test-server)" >&2; exit 2; }
    if [ ! -x "$RELAY_BIN" ]; then
      echo "building the Hummingbird relay (bench/relay)…" >&2
      swift build -c release --package-path "$ROOT/bench/relay" --scratch-path "$ROOT/.build-relay" >&2
    fi ;;
esac

# open files: the load generator raises its own soft limit; the server inherits ours
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

PIN_SERVER=() PIN_CLIENT=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  PIN_SERVER=(taskset -c "$SERVER_CPU")
  PIN_CLIENT=(taskset -c "$CLIENT_CPU")
fi

SERVER_PID="" DATA=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
  [ -n "$DATA" ] && rm -rf "$DATA"
  DATA=""
}
trap stop_server EXIT INT TERM

# start_server NAME: sets URL TOKEN SERVER_PID DATA
start_server() {
  DATA=$(mktemp -d /tmp/dialogue-bench.XXXXXX)
  # shellcheck disable=SC2086
  "${PIN_SERVER[@]}" "$BIN" serve --port 0 --data "$DATA" --rate-limit off --max-connections-per-address 4096 ${SERVER_ARGS:-} \
    >"$DATA/server.stdout" 2>"$OUT/$1.server.log" &
  SERVER_PID=$!
  for _ in $(seq 300); do
    grep -q '^officer-token:' "$DATA/server.stdout" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited at start; see $OUT/$1.server.log" >&2; exit 2; }
    sleep 0.1
  done
  URL=$(awk '/^url:/{print $2}' "$DATA/server.stdout")
  TOKEN=$(awk '/^officer-token:/{print $2}' "$DATA/server.stdout")
  [ -n "$URL" ] && [ -n "$TOKEN" ] || { echo "server did not print url/officer-token" >&2; exit 2; }
  sleep 0.5
}

run() { # NAME loadgen-args…
  local name=$1; shift
  # A scenario listed twice keeps both logs: NAME, NAME-2, NAME-3…
  local base=$name n=2
  while [ -e "$OUT/$name.log" ]; do name="$base-$n"; n=$((n + 1)); done
  start_server "$name"
  echo "== $name: loadgen $* (server pid $SERVER_PID, $URL)" | tee "$OUT/$name.log" >&2
  local args=() a rc=0
  for a in "$@"; do args+=("${a//@DATA@/$DATA}"); done  # @DATA@: the server's data directory
  local side=""
  if [ "${FANOUT_EXTRA:-}" = search ]; then  # searches beside the load, on the client's core
    "${PIN_CLIENT[@]}" python3 "$ROOT/bench/quick/search_load.py" "$URL" "$TOKEN" "${SEARCH_RATE:-50}" \
      "${FANOUT_DURATION:-10}" >"$OUT/$name.search.log" 2>&1 &
    side=$!
  fi
  "${PIN_CLIENT[@]}" "$LOADGEN" "${args[@]}" --url "$URL" --token "$TOKEN" --pid "$SERVER_PID" \
    2>&1 | tee -a "$OUT/$name.log" >&2 || rc=$?
  if [ -n "$side" ]; then wait "$side" || true; cat "$OUT/$name.search.log" | tee -a "$OUT/$name.log" >&2; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "!! $name: the server died during the run (see $OUT/$name.server.log)" | tee -a "$OUT/$name.log" >&2
  fi
  stop_server
  return 0
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# run_peer NAME lws|relay loadgen-args…: a fresh peer, pinned like the server, then `loadgen relay`
run_peer() {
  local name=$1 kind=$2; shift 2
  local url rc=0 port
  DATA=$(mktemp -d /tmp/dialogue-bench.XXXXXX)
  if [ "$kind" = lws ]; then
    port=$(free_port)
    (cd "$DATA" && exec "${PIN_SERVER[@]}" "$LWS_BIN" --port="$port" -d 1) >"$DATA/server.stdout" 2>"$OUT/$name.server.log" &
    SERVER_PID=$!
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
    url="ws://127.0.0.1:$port/"
  else
    "${PIN_SERVER[@]}" "$RELAY_BIN" --port 0 >"$DATA/server.stdout" 2>"$OUT/$name.server.log" &
    SERVER_PID=$!
    for _ in $(seq 300); do grep -q '^url:' "$DATA/server.stdout" 2>/dev/null && break; sleep 0.1; done
    url=$(awk '/^url:/{print $2}' "$DATA/server.stdout"); url="ws://${url#http://}relay"
  fi
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "$kind exited at start; see $OUT/$name.server.log" >&2; exit 2; }
  sleep 0.5
  echo "== $name: loadgen relay --peer ${kind/lws/lws-mirror} $* (pid $SERVER_PID, $url)" | tee "$OUT/$name.log" >&2
  "${PIN_CLIENT[@]}" "$LOADGEN" relay --peer "${kind/lws/lws-mirror}" --peer-url "$url" "$@" --pid "$SERVER_PID" \
    2>&1 | tee -a "$OUT/$name.log" >&2 || rc=$?
  kill -0 "$SERVER_PID" 2>/dev/null || echo "!! $name: the peer died during the run" | tee -a "$OUT/$name.log" >&2
  stop_server
  return 0
}

{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); server: $BIN; pinning: ${PIN_SERVER[*]:-none} / ${PIN_CLIENT[*]:-none}"
} | tee "$OUT/machine.txt" >&2

for s in $SCENARIOS; do
  case $s in
    idle)
      run idle idle --connections "${IDLE_CONNECTIONS:-15000}" --hold "${IDLE_HOLD:-10}" ;;
    fanout)
      run fanout fanout --sessions "${FANOUT_SESSIONS:-1000}" --members "${FANOUT_MEMBERS:-10}" \
        --rate "${FANOUT_RATE:-5000}" --duration "${FANOUT_DURATION:-10}" ;;
    append)
      run append append --connections "${APPEND_CONNECTIONS:-16}" --window "${APPEND_WINDOW:-16}" \
        --duration "${APPEND_DURATION:-10}" ${APPEND_SESSIONS:+--sessions "$APPEND_SESSIONS"} \
        --fsync-dir "${FSYNC_DIR:-@DATA@}" ;;
    fanout-search) # the same fan-out while officers search (issue 5: live p99 unchanged by searches)
      FANOUT_EXTRA="search" run fanout-search fanout --sessions "${FANOUT_SESSIONS:-1000}" \
        --members "${FANOUT_MEMBERS:-10}" --rate "${FANOUT_RATE:-5000}" --duration "${FANOUT_DURATION:-10}" ;;
    sweep) # fan-out at several offered rates (latency against load; the highest rate with p99 <= 50 ms)
      for r in ${SWEEP_RATES:-1000 2000 3000 4000 5000 6000}; do
        run "sweep-$r" fanout --sessions "${FANOUT_SESSIONS:-1000}" --members "${FANOUT_MEMBERS:-10}" \
          --rate "$r" --duration "${FANOUT_DURATION:-10}"
      done ;;
    peers) # same fan-out load against our server and the two relays that store nothing
      ps=${PEERS_SESSIONS:-3} pm=${PEERS_MEMBERS:-10}
      for load in ${PEERS_LOADS:-2500 10000}; do
        rate=$(( load / pm ))
        common=(--sessions "$ps" --members "$pm" --rate "$rate" --duration "${PEERS_DURATION:-10}")
        run "peers-$load-ours" fanout "${common[@]}"
        if [ "$ps" -le 3 ]; then run_peer "peers-$load-lws" lws "${common[@]}"
        else echo "== peers-$load-lws skipped: the lws mirror keeps at most 3 rooms (PEERS_SESSIONS=$ps)" >&2; fi
        run_peer "peers-$load-relay" relay "${common[@]}"
      done ;;
    *) echo "unknown scenario $s" >&2; exit 2 ;;
  esac
done

echo "results in $OUT" >&2
for s in $SCENARIOS; do grep -h "^RESULT " "$OUT"/$s*.log 2>/dev/null || true; done
case " $SCENARIOS " in
  *" peers "*) # CPU per delivery and latency side by side, and the ratios ours / peer
    python3 - "$OUT" <<'PY'
import json, sys, glob, os, re
rows = {}
for f in sorted(glob.glob(os.path.join(sys.argv[1], "peers-*.log"))):
    m = re.match(r"peers-(\d+)-(ours|lws|relay)\.log$", os.path.basename(f))
    if not m: continue
    for line in open(f):
        if line.startswith("RESULT "):
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = json.loads(line[7:])
print("peers: load (deliveries/s) | server | deliveries/s | CPU us/delivery | p50 p99 p99.9 ms | lost")
for load in sorted(rows):
    r = rows[load]
    for k in ("ours", "lws", "relay"):
        if k in r:
            x = r[k]; l = x["latency_ms"]
            print(f"peers: {load:>6} | {k:5} | {x['deliveries_per_s']:9.0f} | {x['server_cpu_us_per_delivery']:7.2f} | "
                  f"{l['p50']:.3f} {l['p99']:.3f} {l['p999']:.3f} | {x['lost']}")
    o = r.get("ours", {}).get("server_cpu_us_per_delivery")
    for k, goal in (("lws", "goal <= 2"), ("relay", "goal <= 0.7")):
        p = r.get(k, {}).get("server_cpu_us_per_delivery")
        if o and p and p > 0:
            print(f"peers: {load:>6} | CPU per delivery ours / {k} = {o / p:.2f} ({goal})")
PY
    ;;
esac
