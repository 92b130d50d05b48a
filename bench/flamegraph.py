#!/usr/bin/env python3
"""Turns Linux `perf` samples into an interactive SVG flame graph (standard library only).

    perf record -g --call-graph=fp -e cpu-clock -p PID -o prof.data -- sleep 8
    python3 bench/flamegraph.py prof.data -o prof.svg --thread-names --demangle
    python3 bench/flamegraph.py prof.data --folded > prof.folded
    python3 bench/flamegraph.py --from-folded prof.folded -o prof.svg --title "..."

Written because the benchmark machine has neither FlameGraph (flamegraph.pl) nor inferno.
The pipeline is the same as theirs: `perf script` -> folded stacks ("root;...;leaf N") ->
SVG, where each frame is a rectangle as wide as its share of the samples, the root at the
bottom. The SVG carries a small script: click a frame to zoom to it, "Reset zoom" to go
back, "Search" to highlight the frames matching a regular expression (in purple) and see
their share of all samples.

With --thread-names the thread name is the root frame, so the lws-service thread, the
group-commit writer and the Swift cooperative pool (whose threads, named
com.apple.root.*-qos[.overcommit] and cut to 15 characters by the kernel, are all
reported as "swift-pool") stand as separate towers.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from collections import Counter
from typing import Iterable

Stacks = Counter  # Counter[tuple[str, ...]]: root-first frame names -> samples

# ---------------------------------------------------------------------------------------
# perf script -> folded stacks
# ---------------------------------------------------------------------------------------

# "comm tid" (or "comm pid/tid"); comm may itself contain spaces, so tid is the last token.
_HEADER = re.compile(r"^(?P<comm>.*?)\s+(?P<tid>\d+(?:/\d+)?)\s*$")
# A sample recorded without a call graph has its single frame on the header line.
_HEADER_WITH_FRAME = re.compile(r"^(?P<comm>.*?)\s+(?P<tid>\d+(?:/\d+)?)\s+(?P<frame>[0-9a-fA-F]+\s+.*)$")
# "ip sym (dso)"; the dso is the last parenthesised group, since C++ symbols may hold
# parentheses of their own. perf adds "+0x1f" to sym when asked for symoff.
_FRAME = re.compile(r"^\s*(?P<ip>[0-9a-fA-F]+)\s+(?P<sym>.*?)(?:\s+\((?P<dso>[^()]*)\))?\s*$")
_SYMOFF = re.compile(r"\+0x[0-9a-fA-F]+$")

# x86-64 kernel addresses live in the upper half; catches kernel frames whose dso perf
# could not name.
_KERNEL_IP = 0xFFFF800000000000


def normalise_comm(comm: str) -> str:
    """One name for the Swift/libdispatch pool threads, whatever their QoS.

    Their names are "com.apple.root.default-qos", "...default-qos.overcommit" etc., which
    the kernel cuts to their first 15 bytes ("com.apple.root.") or perf to the last
    ("oot.default-qos", "-qos.overcommit"): split up they would hide how much the pool
    does as a whole.
    """
    comm = comm.strip()
    if comm.startswith("com.apple.root") or "qos" in comm or comm.endswith("overcommit"):
        return "swift-pool"
    return comm or "[unknown]"


def frame_name(ip: str, sym: str, dso: str) -> str:
    """The folded name of one frame, flamegraph.pl style.

    An unknown symbol is named after the basename of its dso, in brackets ("[libsqlite3.so]"),
    which is more use than a wall of "[unknown]"; kernel frames get the "_[k]" suffix so
    that they can be coloured apart (and searched for).
    """
    sym = _SYMOFF.sub("", sym.strip()) or "[unknown]"
    dso = (dso or "").strip()
    if sym == "[unknown]" and dso and dso != "[unknown]":
        sym = "[" + os.path.basename(dso.strip("[]")) + "]"
    # ';' separates frames in the folded format and control characters are not allowed
    # in XML.
    sym = re.sub(r"[\x00-\x1f]", "", sym.replace(";", ":"))
    try:
        kernel_ip = int(ip, 16) >= _KERNEL_IP
    except ValueError:
        kernel_ip = False
    if dso.startswith("[kernel") or dso.startswith("[guest.kernel") or kernel_ip:
        sym += "_[k]"
    return sym


def parse_perf_script(lines: Iterable[str], thread_names: bool = False) -> Stacks:
    """Folds `perf script -F comm,tid,ip,sym,dso` output into root-first stacks.

    perf prints a sample as a "comm tid" line followed by its frames, leaf first, one per
    indented line, and a blank line after it.
    """
    stacks: Stacks = Counter()
    comm: str | None = None
    frames: list[str] = []

    def flush() -> None:
        if comm is None:
            return
        stack = frames[::-1]  # perf gives leaf first; folded stacks are root first
        if thread_names:
            stack.insert(0, normalise_comm(comm))
        if stack:
            stacks[tuple(stack)] += 1

    for raw in lines:
        line = raw.rstrip("\n")
        if not line.strip():
            flush()
            comm, frames = None, []
            continue
        if line[0] in " \t":
            m = _FRAME.match(line)
            if m and comm is not None:
                frames.append(frame_name(m["ip"], m["sym"], m["dso"] or ""))
            continue
        # A header without a blank line before it still starts a new sample.
        flush()
        frames = []
        m = _HEADER.match(line)
        if m:
            comm = m["comm"]
            continue
        m = _HEADER_WITH_FRAME.match(line)
        if m:
            comm = m["comm"]
            f = _FRAME.match(m["frame"])
            if f:
                frames.append(frame_name(f["ip"], f["sym"], f["dso"] or ""))
            continue
        comm = None  # not a sample line (e.g. a perf warning): skip until the next blank
    flush()
    return stacks


def run_perf_script(data_file: str, thread_names: bool) -> Stacks:
    """Runs perf script on a recording and folds its output as it streams in."""
    perf = shutil.which("perf")
    if perf is None:
        sys.exit("flamegraph: perf is not in PATH")
    cmd = [perf, "script", "-i", data_file, "-F", "comm,tid,ip,sym,dso"]
    # stderr to a file, not a pipe: perf can warn a lot and an unread pipe would stall it.
    with tempfile.TemporaryFile() as err:
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True,
                              errors="replace") as proc:
            assert proc.stdout is not None
            stacks = parse_perf_script(proc.stdout, thread_names)
        if proc.returncode != 0:
            err.seek(0)
            sys.stderr.write(err.read().decode(errors="replace"))
            sys.exit(f"flamegraph: {' '.join(cmd)} exited with {proc.returncode}")
    return stacks


def read_folded(lines: Iterable[str]) -> Stacks:
    """Reads "a;b;c N" lines (flamegraph.pl's input format); the count is the last token."""
    stacks: Stacks = Counter()
    for line in lines:
        line = line.strip()
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        try:
            n = int(count)
        except ValueError:
            continue  # not a folded line
        if stack and n > 0:
            stacks[tuple(stack.split(";"))] += n
    return stacks


def folded_lines(stacks: Stacks) -> list[str]:
    """Sorted like stackcollapse output, so that two runs diff cleanly."""
    return [f"{';'.join(stack)} {n}" for stack, n in sorted(stacks.items())]


# ---------------------------------------------------------------------------------------
# Swift demangling
# ---------------------------------------------------------------------------------------

# Swift 4+ ($s, $S, $e embedded) and Swift 3 (_T0) manglings, with or without the ELF "_".
_MANGLED = re.compile(r"^_?(\$[sSe]|_T0)")
MAX_NAME = 120


def find_swift() -> str | None:
    return shutil.which("swift") or (
        "/opt/swift/usr/bin/swift" if os.access("/opt/swift/usr/bin/swift", os.X_OK) else None)


def strip_generics(name: str) -> str:
    """Drops "<...>" generic parameter lists ("find<A>(_:)" -> "find(_:)").

    The "->" of function types is not a bracket; if the brackets do not balance (an
    operator such as "<" or ">>" in the name) the name is returned untouched.
    """
    out, depth, i = [], 0, 0
    while i < len(name):
        c = name[i]
        if c == "-" and name.startswith("->", i):
            if depth == 0:
                out.append("->")
            i += 2
            continue
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
            if depth < 0:
                return name
        elif depth == 0:
            out.append(c)
        i += 1
    return name if depth else "".join(out)


def shorten(name: str, limit: int = MAX_NAME) -> str:
    """Keeps demangled names readable: no generic parameter lists, at most `limit` chars."""
    name = strip_generics(name)
    if len(name) > limit:
        name = name[: limit - 3] + "..."
    return name


def demangle_names(names: Iterable[str], swift: str | None = None) -> dict[str, str]:
    """Frame name -> readable name, the Swift ones demangled by one `swift demangle` call.

    Every name is shortened, including the C++ ones perf demangled itself
    ("swift::RefCounts<...>::doDecrementSlow<...>"). Kernel frames keep their "_[k]"
    suffix. Without a swift toolchain Swift names stay mangled (but shortened).
    """
    split = {}
    for name in names:
        split[name] = (name[:-4], "_[k]") if name.endswith("_[k]") else (name, "")
    readable = {base: base for base, _ in split.values()}
    mangled = sorted(base for base in readable if _MANGLED.match(base))
    if mangled:
        readable.update(swift_demangle(mangled, swift))
    out = {}
    for name, (base, suffix) in split.items():
        new = shorten(readable[base].replace(";", ":")) + suffix
        if new != name:
            out[name] = new
    return out


def swift_demangle(symbols: list[str], swift: str | None = None) -> dict[str, str]:
    """Mangled -> demangled, all in one subprocess; {} (names stay mangled) if that fails."""
    swift = swift or find_swift()
    if swift is None:
        print("flamegraph: swift not found, keeping mangled names", file=sys.stderr)
        return {}
    try:
        out = subprocess.run([swift, "demangle", "--simplified"], input="\n".join(symbols) + "\n",
                             capture_output=True, text=True, timeout=300, check=True).stdout
    except (OSError, subprocess.SubprocessError) as e:
        print(f"flamegraph: swift demangle failed ({e}), keeping mangled names", file=sys.stderr)
        return {}
    demangled = out.splitlines()
    if len(demangled) != len(symbols):  # one line in, one line out; anything else is unsafe
        print("flamegraph: swift demangle output did not line up, keeping mangled names",
              file=sys.stderr)
        return {}
    return dict(zip(symbols, demangled))


def demangle_stacks(stacks: Stacks, swift: str | None = None) -> Stacks:
    """Renames frames; stacks that now read the same (thunks, merged functions) add up."""
    mapping = demangle_names({f for stack in stacks for f in stack}, swift)
    if not mapping:
        return stacks
    out: Stacks = Counter()
    for stack, n in stacks.items():
        out[tuple(mapping.get(f, f) for f in stack)] += n
    return out


# ---------------------------------------------------------------------------------------
# Folded stacks -> SVG
# ---------------------------------------------------------------------------------------

class Node:
    __slots__ = ("name", "count", "children")

    def __init__(self, name: str):
        self.name = name
        self.count = 0
        self.children: dict[str, Node] = {}


def build_tree(stacks: Stacks) -> Node:
    root = Node("all")
    for stack, n in stacks.items():
        root.count += n
        node = root
        for f in stack:
            node = node.children.setdefault(f, Node(f))
            node.count += n
    return root


def colour(name: str) -> str:
    """flamegraph.pl's palettes: "hot" (red-yellow) for user code, orange for the kernel.

    The shade comes from a hash of the name, so a function has the same colour in every
    graph and neighbouring frames of different functions differ.
    """
    h = zlib.crc32(name.encode())
    v1, v2, v3 = (h & 0xFF) / 255, ((h >> 8) & 0xFF) / 255, ((h >> 16) & 0xFF) / 255
    if name.endswith("_[k]"):
        return f"rgb({190 + int(65 * v1)},{90 + int(65 * v1)},0)"
    return f"rgb({205 + int(50 * v3)},{int(230 * v1)},{int(55 * v2)})"


FONT_SIZE = 12
FONT_WIDTH = 0.59  # average glyph width of Verdana, in font sizes (as flamegraph.pl)
FRAME_HEIGHT = 16
XPAD = 10
TOP = 3 * FONT_SIZE + 12     # title and the controls line
BOTTOM = 2 * FONT_SIZE + 6   # the line showing the frame under the mouse


def fit_label(name: str, width: float) -> str:
    """As much of the name as fits in the rectangle, ".." marking a cut (mirrored in JS)."""
    chars = int((width - 6) / (FONT_SIZE * FONT_WIDTH))
    if chars < 3:
        return ""
    return name if len(name) <= chars else name[: chars - 2] + ".."


# The script only rescales what Python laid out: each frame's <g> carries its first
# sample (data-s), its samples (data-c) and its depth (data-d).
_SCRIPT = r"""
var frames = [], root = null, details, matched, resetBtn, lastSearch = "";
function init(evt) {
  details = document.getElementById("details");
  matched = document.getElementById("matched");
  resetBtn = document.getElementById("reset");
  var gs = document.getElementsByClassName("f");
  for (var i = 0; i < gs.length; i++) {
    var g = gs[i];
    var t = g.getElementsByTagName("title")[0].textContent;
    g.info = t;
    g.fname = t.replace(/ \(\d+ samples?, [\d.]+%\)$/, "");
    g.s = +g.getAttribute("data-s"); g.c = +g.getAttribute("data-c"); g.d = +g.getAttribute("data-d");
    g.rect = g.getElementsByTagName("rect")[0];
    g.text = g.getElementsByTagName("text")[0];
    g.fill = g.rect.getAttribute("fill");
    g.onclick = function () { zoom(this); };
    g.onmouseover = function () { details.textContent = this.info; };
    g.onmouseout = function () { details.textContent = " "; };
    if (g.d === 0) root = g;
    frames.push(g);
  }
}
function fit(g, x, w) {
  var chars = Math.floor((w - 6) / (FONT_SIZE * FONT_WIDTH)), n = g.fname;
  g.text.setAttribute("x", x + 3);
  g.text.textContent = chars < 3 ? "" : (n.length <= chars ? n : n.slice(0, chars - 2) + "..");
}
// Show z at full width: frames outside its samples disappear, its ancestors are cut to
// its width (and faded), its descendants are stretched with it.
function zoom(z) {
  var zs = z.s, ze = z.s + z.c, scale = (WIDTH - 2 * XPAD) / z.c;
  for (var i = 0; i < frames.length; i++) {
    var g = frames[i], s = Math.max(g.s, zs), e = Math.min(g.s + g.c, ze);
    if (e <= s) { g.style.display = "none"; continue; }
    g.style.display = "";
    g.style.opacity = g.d < z.d ? "0.5" : "";
    var x = XPAD + (s - zs) * scale, w = (e - s) * scale;
    g.rect.setAttribute("x", x); g.rect.setAttribute("width", w);
    fit(g, x, w);
  }
  resetBtn.style.opacity = z === root ? "0.1" : "1";
}
function unzoom() { zoom(root); }
// Highlight the frames whose name matches; the matched share counts each sample once,
// however many matching frames stand on it (a frame and its matching callee overlap).
function search() {
  var term = prompt("Search for (regular expression; empty clears)", lastSearch);
  if (term === null) return;
  lastSearch = term;
  var re = null;
  if (term !== "") {
    try { re = new RegExp(term); } catch (e) { alert("Bad regular expression: " + e.message); return; }
  }
  var spans = [];
  for (var i = 0; i < frames.length; i++) {
    var g = frames[i], hit = re !== null && re.test(g.fname);
    g.rect.setAttribute("fill", hit ? "rgb(230,0,230)" : g.fill);
    if (hit) spans.push([g.s, g.s + g.c]);
  }
  if (re === null) { matched.textContent = " "; return; }
  spans.sort(function (a, b) { return a[0] - b[0]; });
  var total = 0, end = -1;
  for (var j = 0; j < spans.length; j++) {
    var a = Math.max(spans[j][0], end), b = spans[j][1];
    if (b > a) { total += b - a; end = b; }
  }
  matched.textContent = "Matched: " + (100 * total / TOTAL).toFixed(2) + "%";
}
"""


def render_svg(stacks: Stacks, title: str = "Flame Graph", width: int = 1800,
               min_pct: float = 0.05) -> str:
    root = build_tree(stacks)
    total = root.count
    if total == 0:
        raise ValueError("no samples")
    min_count = total * min_pct / 100
    scale = (width - 2 * XPAD) / total

    # Lay out depth-first, children in name order (as flamegraph.pl) so that one
    # function's callees are always in the same place; narrow frames go, with their callees.
    laid: list[tuple[Node, int, int]] = []  # (node, first sample, depth)
    todo = [(root, 0, 0)]
    while todo:
        node, start, depth = todo.pop()
        laid.append((node, start, depth))
        x = start
        kids = []
        for name in sorted(node.children):
            child = node.children[name]
            if child.count >= min_count:
                kids.append((child, x, depth + 1))
            x += child.count
        todo.extend(reversed(kids))
    max_depth = max(d for _, _, d in laid)
    height = TOP + (max_depth + 1) * FRAME_HEIGHT + BOTTOM

    def attr(s: str) -> str:
        return html.escape(s, quote=True)

    out = [
        '<?xml version="1.0" standalone="no"?>',
        f'<svg version="1.1" width="{width}" height="{height}" onload="init(evt)" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        "<defs><linearGradient id=\"bg\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">"
        "<stop stop-color=\"#eeeeee\" offset=\"5%\"/><stop stop-color=\"#eeeeb0\" offset=\"95%\"/>"
        "</linearGradient></defs>",
        "<style type=\"text/css\">"
        "text { font-family: Verdana, sans-serif; font-size: %dpx; fill: rgb(0,0,0); }"
        " .f { cursor: pointer; } .f:hover rect { stroke: black; stroke-width: 0.5; }"
        " #title { font-size: 17px; } .btn { cursor: pointer; }"
        "</style>" % FONT_SIZE,
        "<script type=\"text/ecmascript\"><![CDATA[",
        f"var WIDTH = {width}, XPAD = {XPAD}, FONT_SIZE = {FONT_SIZE}, "
        f"FONT_WIDTH = {FONT_WIDTH}, TOTAL = {total};",
        _SCRIPT.replace("]]>", "]]]]><![CDATA[>"),
        "]]></script>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="url(#bg)"/>',
        f'<text id="title" x="{width / 2:.1f}" y="{FONT_SIZE + 12}" text-anchor="middle">'
        f"{attr(title)}</text>",
        f'<text id="reset" class="btn" x="{XPAD}" y="{2 * FONT_SIZE + 12}" '
        f'style="opacity:0.1" onclick="unzoom()">Reset zoom</text>',
        f'<text id="search" class="btn" x="{width - XPAD - 100}" y="{2 * FONT_SIZE + 12}" '
        f'onclick="search()">Search</text>',
        f'<text id="matched" x="{width - XPAD - 100}" y="{height - FONT_SIZE}" '
        f'text-anchor="end"> </text>',
        f'<text id="details" x="{XPAD}" y="{height - FONT_SIZE}"> </text>',
        f'<text x="{width - XPAD}" y="{height - FONT_SIZE}" text-anchor="end">'
        f"{total} samples</text>",
        '<g id="frames">',
    ]
    for node, start, depth in laid:
        x = XPAD + start * scale
        w = node.count * scale
        y = TOP + (max_depth - depth) * FRAME_HEIGHT  # root at the bottom
        pct = 100 * node.count / total
        samples = "sample" if node.count == 1 else "samples"
        out.append(
            f'<g class="f" data-s="{start}" data-c="{node.count}" data-d="{depth}">'
            f"<title>{attr(node.name)} ({node.count} {samples}, {pct:.2f}%)</title>"
            f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{FRAME_HEIGHT - 1}" '
            f'fill="{colour(node.name)}" rx="2" ry="2"/>'
            f'<text x="{x + 3:.2f}" y="{y + FRAME_HEIGHT - 4}">'
            f"{attr(fit_label(node.name, w))}</text></g>")
    out += ["</g>", "</svg>", ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("perf_data", nargs="?", help="perf.data recorded with -g --call-graph=fp")
    p.add_argument("-o", "--output", help="output file (default: standard output)")
    p.add_argument("--title", default="Flame Graph")
    p.add_argument("--width", type=int, default=1800, help="image width in pixels (1800)")
    p.add_argument("--min-pct", type=float, default=0.05,
                   help="drop frames with less than this percentage of all samples (0.05)")
    p.add_argument("--thread-names", action="store_true",
                   help="thread name as the root frame (Swift pool threads as swift-pool)")
    p.add_argument("--demangle", action="store_true",
                   help="demangle Swift symbols (swift demangle --simplified), shorten names")
    p.add_argument("--folded", action="store_true",
                   help='print folded stacks ("a;b;c N" lines) instead of the SVG')
    p.add_argument("--from-folded", metavar="FILE",
                   help="read folded stacks from FILE ('-' for stdin) instead of perf data")
    args = p.parse_args(argv)

    if args.from_folded:
        if args.from_folded == "-":
            stacks = read_folded(sys.stdin)
        else:
            with open(args.from_folded, encoding="utf-8", errors="replace") as f:
                stacks = read_folded(f)
    elif args.perf_data:
        stacks = run_perf_script(args.perf_data, args.thread_names)
    else:
        p.error("give a perf data file or --from-folded FILE")
    if not stacks:
        sys.exit("flamegraph: no samples with stacks found")
    if args.demangle:
        stacks = demangle_stacks(stacks)

    if args.folded:
        text = "\n".join(folded_lines(stacks)) + "\n"
    else:
        text = render_svg(stacks, args.title, args.width, args.min_pct)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
