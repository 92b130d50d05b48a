"""Tests of bench/flamegraph.py on a hand-written `perf script` sample.

    python3 -m pytest bench/test_flamegraph.py -q -p no:cacheprovider
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flamegraph as fg  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"

# The shape of `perf script -F comm,tid,ip,sym,dso` output: a "comm tid" line, the frames
# leaf first, a blank line. Two pool threads with different names, one kernel stack,
# frames without a symbol (named after their dso, if known), a symbol with an offset.
PERF_SCRIPT = """\
lws-service 28025 
\t          46d7c5 swift_beginAccess (/opt/swift/usr/lib/swift/linux/libswiftCore.so)
\t         118f6a1 $s9Transport15WebSocketServerC5heard33_C4F90A62CF1A061266FA8E779B0A6CEDLLyySvSgF (/work/main/.build/release/dialogue-server)
\t           2621e [unknown] (/usr/lib/x86_64-linux-gnu/libwebsockets.so.17)

lws-service 28025 
\t          46d7c5 swift_beginAccess (/opt/swift/usr/lib/swift/linux/libswiftCore.so)
\t         118f6a1 $s9Transport15WebSocketServerC5heard33_C4F90A62CF1A061266FA8E779B0A6CEDLLyySvSgF (/work/main/.build/release/dialogue-server)
\t           2621e [unknown] (/usr/lib/x86_64-linux-gnu/libwebsockets.so.17)

oot.default-qos 28015 
\t           96682 _int_free (/usr/lib/x86_64-linux-gnu/libc.so.6)
\t               0 [unknown] ([unknown])

-qos.overcommit 28016 
\t           96682 _int_free (/usr/lib/x86_64-linux-gnu/libc.so.6)
\t               0 [unknown] ([unknown])

group-commit 28024 
\tffffffff82248b73 schedule ([kernel.kallsyms])
\tffffffff8223c951 do_syscall_64 ([kernel.kallsyms])
\t          108f36 fdatasync (/usr/lib/x86_64-linux-gnu/libc.so.6)

group-commit 28024 
\t           a94b0 sqlite3OsShmBarrier+0x10 (/usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6)

"""

HEARD = "$s9Transport15WebSocketServerC5heard33_C4F90A62CF1A061266FA8E779B0A6CEDLLyySvSgF"

FOLDED_BY_THREAD = [
    "group-commit;fdatasync;do_syscall_64_[k];schedule_[k] 1",
    "group-commit;sqlite3OsShmBarrier 1",
    f"lws-service;[libwebsockets.so.17];{HEARD};swift_beginAccess 2",
    "swift-pool;[unknown];_int_free 2",
]


def test_folds_root_first_with_thread_names():
    stacks = fg.parse_perf_script(PERF_SCRIPT.splitlines(True), thread_names=True)
    assert fg.folded_lines(stacks) == FOLDED_BY_THREAD


def test_folds_without_thread_names():
    stacks = fg.parse_perf_script(PERF_SCRIPT.splitlines(True))
    assert fg.folded_lines(stacks) == [
        "[libwebsockets.so.17];" + HEARD + ";swift_beginAccess 2",
        "[unknown];_int_free 2",
        "fdatasync;do_syscall_64_[k];schedule_[k] 1",
        "sqlite3OsShmBarrier 1",
    ]


def test_folded_round_trip():
    stacks = fg.read_folded(FOLDED_BY_THREAD + ["not a folded line", ""])
    assert fg.folded_lines(stacks) == FOLDED_BY_THREAD


def test_pool_thread_names():
    for comm in ("oot.default-qos", "-qos.overcommit", "com.apple.root.", "t.user-initiated-qos"):
        assert fg.normalise_comm(comm) == "swift-pool"
    assert fg.normalise_comm("lws-service") == "lws-service"


def test_shorten():
    assert fg.shorten("specialized __RawDictionaryStorage.find<A>(_:)") == \
        "specialized __RawDictionaryStorage.find(_:)"
    assert fg.shorten("thunk for @callee_guaranteed () -> (@out A)") == \
        "thunk for @callee_guaranteed () -> (@out A)"
    assert fg.shorten("static Int.< infix(_:_:)") == "static Int.< infix(_:_:)"  # unbalanced: kept
    assert len(fg.shorten("x" * 500)) == fg.MAX_NAME


@pytest.mark.skipif(fg.find_swift() is None, reason="no swift toolchain")
def test_demangle():
    stacks = fg.parse_perf_script(PERF_SCRIPT.splitlines(True), thread_names=True)
    lines = fg.folded_lines(fg.demangle_stacks(stacks))
    assert "lws-service;[libwebsockets.so.17];WebSocketServer.heard(_:);swift_beginAccess 2" in lines


def test_svg_parses_with_titles_and_widths():
    stacks = fg.parse_perf_script(PERF_SCRIPT.splitlines(True), thread_names=True)
    svg = fg.render_svg(stacks, title="test <&> graph", width=1200, min_pct=0)
    root = ET.fromstring(svg)
    titles = [t.text for t in root.iter(SVG + "title")]
    for expected in ("all (6 samples, 100.00%)",
                     "swift-pool (2 samples, 33.33%)",
                     "lws-service (2 samples, 33.33%)",
                     "group-commit (2 samples, 33.33%)",
                     "schedule_[k] (1 sample, 16.67%)",
                     "[libwebsockets.so.17] (2 samples, 33.33%)",
                     f"{HEARD} (2 samples, 33.33%)"):
        assert expected in titles
    assert len(titles) == 13
    # Widths are proportional to samples: "all" spans the image less its margins.
    frames = {g.find(SVG + "title").text.split(" (")[0]: g for g in root.iter(SVG + "g")
              if g.get("class") == "f"}
    width = lambda name: float(frames[name].find(SVG + "rect").get("width"))  # noqa: E731
    assert width("all") == pytest.approx(1200 - 2 * fg.XPAD)
    assert width("group-commit") == pytest.approx(width("all") / 3, abs=0.01)
    # Kernel frames are orange (no blue), user frames from the hot palette.
    assert frames["schedule_[k]"].find(SVG + "rect").get("fill").endswith(",0)")
    assert "test &lt;&amp;&gt; graph" in svg


def test_min_pct_drops_narrow_frames():
    stacks = fg.parse_perf_script(PERF_SCRIPT.splitlines(True), thread_names=True)
    root = ET.fromstring(fg.render_svg(stacks, min_pct=20))  # 1 sample = 16.7 % goes
    titles = {t.text.split(" (")[0] for t in root.iter(SVG + "title")}
    assert "group-commit" in titles and "sqlite3OsShmBarrier" not in titles
    assert "schedule_[k]" not in titles


def test_cli_folded_and_svg(tmp_path):
    folded = tmp_path / "in.folded"
    folded.write_text("\n".join(FOLDED_BY_THREAD) + "\n")
    out = tmp_path / "out.folded"
    assert fg.main(["--from-folded", str(folded), "--folded", "-o", str(out)]) == 0
    assert out.read_text().splitlines() == FOLDED_BY_THREAD
    svg = tmp_path / "out.svg"
    assert fg.main(["--from-folded", str(folded), "-o", str(svg), "--title", "t"]) == 0
    ET.parse(svg)
