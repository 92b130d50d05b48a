#!/usr/bin/env bash
# Retrieval benchmark (make bench-retrieval): builds retrieval-bench (release), indexes and
# searches the synthetic corpus with SearchIndex, runs the same questions through tantivy
# (PyPI, the high anchor) on the same tokens, and prints a summary with the ratios ours / tantivy.
#
#   bench/retrieval/run.sh
#   PASSAGES=20000 QUERIES=500 bench/retrieval/run.sh
#
# Environment: PASSAGES (100000), QUERIES (2000), SEED (42), PYTHON (python3, for the venv),
# OUT (.build-bench/retrieval/DATE-TIME/: both logs and the summary). tantivy is installed
# into .build-bench/venv when that venv cannot import it.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PASSAGES=${PASSAGES:-100000}
QUERIES=${QUERIES:-2000}
SEED=${SEED:-42}
PYTHON=${PYTHON:-python3}
OUT=${OUT:-$ROOT/.build-bench/retrieval/$(date -u +%Y%m%d-%H%M%S)}
CORPUS=$ROOT/.build-bench/retrieval-corpus.jsonl
QUESTIONS=$ROOT/.build-bench/retrieval-queries.jsonl
VENV=$ROOT/.build-bench/venv
mkdir -p "$OUT"

"${SWIFT:-swift}" build -c release --product retrieval-bench

if ! "$VENV/bin/python" -c "import tantivy" 2>/dev/null; then
  echo "installing tantivy into $VENV (PyPI)…" >&2
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  if ! "$VENV/bin/python" -m pip install -q tantivy >"$OUT/pip.log" 2>&1; then
    echo "pip install tantivy failed; its output:" >&2
    cat "$OUT/pip.log" >&2
    exit 1
  fi
fi

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average before: $(load)" | tee "$OUT/load.txt"
"$ROOT/.build/release/retrieval-bench" --passages "$PASSAGES" --queries "$QUERIES" --seed "$SEED" \
  --corpus-out "$CORPUS" --queries-out "$QUESTIONS" --results-out "$OUT/ours-results.jsonl" | tee "$OUT/ours.log"
echo "load average after ours: $(load)" | tee -a "$OUT/load.txt"
"$VENV/bin/python" "$ROOT/bench/retrieval/tantivy_anchor.py" --corpus "$CORPUS" --queries "$QUESTIONS" \
  --ours "$OUT/ours-results.jsonl" | tee "$OUT/tantivy.log"
echo "load average after tantivy: $(load)" | tee -a "$OUT/load.txt"

"$VENV/bin/python" - "$OUT" <<'EOF' | tee "$OUT/summary.txt"
import json, sys
out = sys.argv[1]
def results(name):
    rows = {}
    for line in open(f"{out}/{name}.log", encoding="utf-8"):
        if line.startswith("RESULT "):
            row = json.loads(line[7:])
            rows[row["name"]] = row
    return rows
ours, anchor = results("ours"), results("tantivy")
def cell(value, unit):
    return "-" if value is None else f"{value:.3f} {unit}" if unit == "ms" else f"{value:.1f} {unit}"
def ratio(a, b):
    return "-" if a is None or b in (None, 0) else f"{a / b:.1f}x"
rows = [
    ("build", ours.get("retrieval-build", {}).get("build_s"), anchor.get("tantivy-build", {}).get("build_s"), "s", "30 s"),
]
for label, mine, theirs, goal in [
    ("all questions", "retrieval-search", "tantivy-search", {"p50": "1 ms", "p99": "10 ms"}),
    ("frequent term (top 20)", "retrieval-search-frequent", "tantivy-search-frequent", {"p50": "1 ms", "p99": "10 ms"}),
    ("every term > 5 % cap", "retrieval-search-all-frequent", "tantivy-search-all-frequent", {}),
]:
    for stat in ("p50", "p99", "p999"):
        rows.append((f"{label} {stat}", ours.get(mine, {}).get(f"{stat}_ms"), anchor.get(theirs, {}).get(f"{stat}_ms"), "ms", goal.get(stat, "")))
print(f"retrieval benchmark: {ours.get('retrieval-build', {}).get('passages', '?')} passages, "
      f"{ours.get('retrieval-search', {}).get('count', '?')} questions (top 5); tantivy {anchor.get('tantivy-build', {}).get('tantivy', '?')}")
print(f"{'measure':34} {'ours':>12} {'tantivy':>12} {'ours/tantivy':>13} {'goal (ours)':>12}")
for label, mine, theirs, unit, goal in rows:
    print(f"{label:34} {cell(mine, unit):>12} {cell(theirs, unit):>12} {ratio(mine, theirs):>13} {goal:>12}")
overlap = anchor.get("tantivy-overlap", {}).get("overlap_at_5")
if overlap is not None:
    print(f"top-5 overlap with tantivy (same tokens; ours re-ranks numbers and language): {overlap:.2f}")
EOF
echo "logs: $OUT"
