#!/usr/bin/env bash
# Load harness: starts a fresh release server for each scenario, runs the C load generator
# against it (server pinned to core $SERVER_CPU, load generator to core $CLIENT_CPU when
# taskset exists), stops the server, and prints every `RESULT {...}` line at the end.
#
#   bench/run.sh                       # idle, fanout, append at the issue's sizes
#   SCENARIOS="fanout" FANOUT_RATE=2500 bench/run.sh
#   SCENARIOS=sweep SWEEP_RATES="1000 3000 5000" bench/run.sh   # fan-out at several rates
#
# Sizes (environment): IDLE_CONNECTIONS=15000 IDLE_HOLD=10
#   FANOUT_SESSIONS=1000 FANOUT_MEMBERS=10 FANOUT_RATE=5000 FANOUT_DURATION=10
#   APPEND_CONNECTIONS=16 APPEND_WINDOW=16 APPEND_DURATION=10 (APPEND_SESSIONS: default one each)
#   SERVER_ARGS="..." extra `serve` flags; DIALOGUE_SERVER_BIN to test another binary.
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
  "${PIN_SERVER[@]}" "$BIN" serve --port 0 --data "$DATA" --rate-limit off ${SERVER_ARGS:-} \
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
  start_server "$name"
  echo "== $name: loadgen $* (server pid $SERVER_PID, $URL)" | tee "$OUT/$name.log" >&2
  local args=() a rc=0
  for a in "$@"; do args+=("${a//@DATA@/$DATA}"); done  # @DATA@: the server's data directory
  "${PIN_CLIENT[@]}" "$LOADGEN" "${args[@]}" --url "$URL" --token "$TOKEN" --pid "$SERVER_PID" \
    2>&1 | tee -a "$OUT/$name.log" >&2 || rc=$?
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "!! $name: the server died during the run (see $OUT/$name.server.log)" | tee -a "$OUT/$name.log" >&2
  fi
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
    sweep) # fan-out at several offered rates (latency against load; the highest rate with p99 <= 50 ms)
      for r in ${SWEEP_RATES:-1000 2000 3000 4000 5000 6000}; do
        run "sweep-$r" fanout --sessions "${FANOUT_SESSIONS:-1000}" --members "${FANOUT_MEMBERS:-10}" \
          --rate "$r" --duration "${FANOUT_DURATION:-10}"
      done ;;
    *) echo "unknown scenario $s" >&2; exit 2 ;;
  esac
done

echo "results in $OUT" >&2
for s in $SCENARIOS; do grep -h "^RESULT " "$OUT"/$s*.log 2>/dev/null || true; done
