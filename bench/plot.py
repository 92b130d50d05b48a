#!/usr/bin/env python3
"""Plots latency percentiles against offered load from loadgen RESULT lines.

    SCENARIOS=sweep bench/run.sh | tee sweep.log
    python3 bench/plot.py sweep.log docs/latency-vs-load.png

Reads every `RESULT {...}` line of mode `fanout` in the given logs (files or folders of
logs); the x axis is the offered load in deliveries/s (rate × (members − 0)), the y axis
the send → receiver latency percentiles, log scale, with the 50 ms goal drawn.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def results(paths):
    for path in paths:
        p = Path(path)
        files = sorted(p.rglob("*")) if p.is_dir() else [p]
        for f in files:
            if not f.is_file():
                continue
            for line in f.read_text(errors="replace").splitlines():
                if line.startswith("RESULT "):
                    r = json.loads(line[len("RESULT "):])
                    if r.get("mode") == "fanout":
                        yield r


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    *inputs, output = sys.argv[1:]
    rows = {}
    for r in results(inputs):
        offered = r["rate"] * (r["expected"] / max(1, r["sent"]))  # deliveries per message
        rows[round(offered)] = r
    if not rows:
        sys.exit("no fanout RESULT lines found")
    xs = sorted(rows)
    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    for key, label in (("p50", "p50"), ("p99", "p99"), ("p999", "p99.9")):
        ax.plot(xs, [rows[x]["latency_ms"][key] for x in xs], marker="o", label=label)
    ax.axhline(50, color="grey", linestyle="--", linewidth=1, label="goal p99 ≤ 50 ms")
    ax.set_yscale("log")
    ax.set_xlabel("offered load (deliveries/s)")
    ax.set_ylabel("send → receiver latency (ms)")
    first = rows[xs[0]]
    ax.set_title(f"dialogue-server fan-out, {first['sessions']} sessions × {first['members']} members, durable")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    for x in xs:
        ax.annotate(f"{rows[x]['server_cpu_us_per_delivery']:.0f} µs", (x, rows[x]["latency_ms"]["p50"]),
                    textcoords="offset points", xytext=(0, -14), ha="center", fontsize=7)
    fig.tight_layout()
    fig.savefig(output)
    print(f"wrote {output} ({len(xs)} loads)")


if __name__ == "__main__":
    main()
