"""A local, API-shaped stand-in for translation and LLM providers, for tests: it speaks the
request/response shapes of LibreTranslate (`POST /translate`) and of an OpenAI-compatible
chat-completions API (`POST /v1/chat/completions`) — it does not translate; it prefixes the
text with `[target]`. `mode` makes it slow, failing, or glossary-breaking (markers dropped).
Asked to answer from passages (the assistant's prompt), it quotes the first sentence of
passage [1] and cites it — or, with `answer_mode`, invents a figure or cites a passage it
was not given, which the server must refuse.

To use a real provider instead, start the server with
`--translator libretranslate:http://HOST:5000` (LibreTranslate) or
`--translator openai:http://HOST:8080 --translator-model MODEL` (llama.cpp server, vLLM, Ollama),
and `--llm openai:http://HOST:8080 --llm-model MODEL` for answers.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StandIn:
    def __init__(self):
        self.mode = "ok"          # ok | slow | fail | break
        # ok | two (two sentences of passage [1], each citing it) | invent (a figure no passage
        # holds) | badcite (a passage not given) | obey (adds what the question tells it to) |
        # uncited (a sentence citing nothing) | promise (a cited sentence no passage says) |
        # name, phone (a name or phone number no passage holds)
        self.answer_mode = "ok"
        self.delay = 2.0
        self.requests: list[dict] = []
        self.in_flight = 0        # requests being answered now, and the most at once
        self.max_in_flight = 0
        lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                with lock:
                    stand_in.in_flight += 1
                    stand_in.max_in_flight = max(stand_in.max_in_flight, stand_in.in_flight)
                try:
                    self.answer()
                finally:
                    with lock:
                        stand_in.in_flight -= 1

            def answer(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                stand_in.requests.append({"path": self.path, "body": body})
                if stand_in.mode == "fail":
                    self.send_response(500); self.end_headers(); self.wfile.write(b"{}"); return
                if stand_in.mode == "slow":
                    time.sleep(stand_in.delay)
                if self.path == "/v1/chat/completions" and body["messages"][0]["content"].startswith("You answer"):
                    user = body["messages"][-1]["content"]
                    first = user.split("[1] ", 1)[1].split("\n\n", 1)[0].split("\n", 1)[1]
                    sentences = [p.rstrip(".") + "." for p in first.split(". ")]
                    sentence = sentences[0]
                    # The question as the model sees it: a JSON string between fence lines
                    # (older prompts: the text after "Question: ").
                    lines = user.split("\n")
                    question = (json.loads(lines[lines.index("BEGIN QUESTION") + 1]) if "BEGIN QUESTION" in lines
                                else user.rsplit("Question: ", 1)[-1])
                    # "obey": a model that follows instructions found in the question.
                    injected = question[question.find("Ignore"):] if "Ignore" in question else ""
                    out = {"ok": f"{sentence} [1]", "invent": "The land rent is 99.5 USD per square metre [1].",
                           "badcite": f"{sentence} [9]",
                           "two": " ".join(f"{x} [1]" for x in sentences[:2]),
                           "obey": f"{sentence} [1] {injected}.",
                           "uncited": f"{sentence} [1] We can also promise the licence within a week.",
                           "promise": f"{sentence} [1] We promise you the licence within a week [1].",
                           "name": f"{sentence} [1] Your personal contact is Nguyen Van Fake [1].",
                           "phone": f"{sentence} [1] Call 0912 345 678 for a fast licence [1].",
                           }[stand_in.answer_mode]
                    data = json.dumps({"choices": [{"message": {"role": "assistant", "content": out}}]}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if self.path == "/translate":
                    text, target = body["q"], body["target"]
                elif self.path == "/v1/chat/completions":
                    text = body["messages"][-1]["content"]
                    target = re.search(r" to ([\w-]+)\.", body["messages"][0]["content"]).group(1)
                else:
                    self.send_response(404); self.end_headers(); return
                out = f"[{target}] {text}"
                if stand_in.mode == "break":
                    out = re.sub(r"⟦\d+⟧", "", out)
                answer = ({"translatedText": out} if self.path == "/translate"
                          else {"choices": [{"message": {"role": "assistant", "content": out}}]})
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self):
        self.server.shutdown()
