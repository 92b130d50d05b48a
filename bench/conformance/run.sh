#!/usr/bin/env bash
# `make conformance`: the Autobahn|Testsuite fuzzing client (0.8.2, Python 2.7) against
# `serve --conformance-echo`. Cases 1–10, then 12–13 against a server run with --deflate.
# Fails on any FAILED case except 2.10 and 2.11 (see docs/conformance.md for why those two).
set -euo pipefail
cd "$(dirname "$0")/../.."

PY2=${PY2:-$HOME/.pyenv/versions/2.7.18/bin/python}
BIN=${DIALOGUE_SERVER_BIN:-.build/debug/dialogue-server}
SITE=.build-autobahn/site
OUT=${CONFORMANCE_OUT:-.build-autobahn/reports}

if [ ! -x "$PY2" ]; then
  echo "conformance: no Python 2.7 interpreter at $PY2 (set PY2=…); the suite runs only on 2.7" >&2
  exit 2
fi
if [ ! -f "$SITE/autobahntestsuite/__init__.py" ]; then
  echo "conformance: installing autobahntestsuite 0.8.2 into $SITE"
  "$PY2" -m pip install -q --disable-pip-version-check --target "$SITE" autobahntestsuite==0.8.2
fi

run_suite() {  # $1 name, $2 cases JSON array, then extra serve flags
  local name=$1 cases=$2; shift 2
  local data; data=$(mktemp -d)
  "$BIN" serve --port 0 --data "$data" --agents Agents --conformance-echo --rate-limit off "$@" \
    >"$data/stdout" 2>"$data/stderr" &
  local pid=$!
  local url=""
  for _ in $(seq 1 100); do
    url=$(grep -m1 '^url:' "$data/stdout" 2>/dev/null | sed 's/^url: http/ws/; s/\/$//') || true
    [ -n "$url" ] && break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    echo "conformance: server did not start:" >&2; cat "$data/stderr" >&2; kill "$pid" 2>/dev/null; return 1
  fi
  mkdir -p "$OUT/$name"
  cat >"$data/spec.json" <<SPEC
{"outdir": "$PWD/$OUT/$name", "servers": [{"agent": "dialogue-server", "url": "$url/echo"}],
 "cases": $cases, "exclude-cases": [], "exclude-agent-cases": {}}
SPEC
  # site.addsitedir, not PYTHONPATH: the target folder's .pth files (zope's namespace) must run.
  local root=$PWD
  (cd "$data" && "$PY2" -c "import site, sys; site.addsitedir('$root/$SITE'); sys.argv = ['wstest', '-m', 'fuzzingclient', '-s', 'spec.json']; from autobahntestsuite.wstest import run; run()" \
    >"$data/wstest.log" 2>&1) || { tail -20 "$data/wstest.log" >&2; kill "$pid"; return 1; }
  kill -TERM "$pid"; wait "$pid" || true
  "$PY2" - "$OUT/$name/index.json" <<'PY'
import json, sys
allowed = {"2.10", "2.11"}  # lws 4.1 answers only the last of several pings in flight
index = json.load(open(sys.argv[1]))
counts, bad = {}, []
for agent, cases in index.items():
    for case, result in cases.items():
        for key in ("behavior", "behaviorClose"):
            counts[result[key]] = counts.get(result[key], 0) + 1
        if "FAILED" in (result["behavior"], result["behaviorClose"]) and case not in allowed:
            bad.append("%s (%s / %s)" % (case, result["behavior"], result["behaviorClose"]))
print("conformance %s: %d cases; %s" % (sys.argv[1], len(index.get("dialogue-server", {})),
      ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
if bad:
    print("FAILED: " + ", ".join(sorted(bad, key=lambda c: [int(x) for x in c.split()[0].split(".")])))
total = len(index.get("dialogue-server", {}))
print("conformance: %d passed, %d failed" % (total - len(bad), len(bad)))
sys.exit(1 if bad else 0)
PY
}

run_suite core '["1.*","2.*","3.*","4.*","5.*","6.*","7.*","9.*","10.*"]'
# 12–13 (permessage-deflate) take about 20 minutes with the Python 2.7 client: CI skips them.
if [ "${CONFORMANCE_DEFLATE:-1}" = 1 ]; then
  run_suite deflate '["12.*","13.*"]' --deflate
fi
echo "reports: $OUT" >&2
