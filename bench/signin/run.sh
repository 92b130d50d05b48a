#!/usr/bin/env bash
# Credential stuffing while valid sign-ins are measured (docs/benchmarks.md).
#   bench/signin/run.sh [BINARY] [SECONDS]
set -euo pipefail
bin=${1:-.build/debug/dialogue-server}; seconds=${2:-60}
data=$(mktemp -d); out=$(mktemp)
"$bin" serve --port 0 --data "$data" --agents Agents >"$out" 2>"$data/stderr.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data" "$out"' EXIT
for _ in $(seq 100); do grep -q officer-token "$out" && break; sleep 0.2; done
url=$(sed -n 's/^url: //p' "$out"); token=$(sed -n 's/^officer-token: //p' "$out")
echo "$(date -u +%FT%TZ) $(uname -srm), $(nproc) cores, $bin"
python3 bench/signin/stuffing.py --url "$url" --token "$token" --pid "$pid" --seconds "$seconds" \
  --addresses 50 --workers 64
