"""Reconnect chaos in a real browser: the investor page's network is cut and restored again
and again while an officer keeps talking and the investor keeps writing — also while
offline. At the end the page must show every stored event an investor may see exactly once,
in seq order, and every message the investor wrote must be stored exactly once.

A few cuts run in `make test` (test_browser.py), hundreds in `make soak` (Tests/soak).
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from websockets.sync.client import connect as ws_connect

from browser import CuttableProxy, console_errors, element, new_browser, wait_until
from harness import http_request

# Kinds the investor page renders as items (status updates a question in place).
SHOWN_KINDS = {"message", "question", "answer", "joined", "left", "moderation", "ended"}
NETWORK_DOWN_NOISE = ("WebSocket connection to",)


class OfficerTalker:
    """An officer streaming `say` frames from a thread of its own until stopped."""

    def __init__(self, server, session_id: str, interval: float):
        self.server, self.session_id, self.interval = server, session_id, interval
        self.sent: dict[str, str] = {}
        self.acked: dict[str, int] = {}
        self.stop_flag = threading.Event()
        self.ws = ws_connect(f"ws://127.0.0.1:{server.port}/v1/ws", open_timeout=10, proxy=None, legacy=True)
        self.ws.send(json.dumps({"type": "hello", "token": server.officer_token, "language": "vi"}))
        self.ws.send(json.dumps({"type": "join", "session": session_id}))
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.writer = threading.Thread(target=self._write, daemon=True)
        self.reader.start()
        self.writer.start()

    def _read(self):
        try:
            for raw in self.ws:
                frame = json.loads(raw)
                if frame.get("type") == "ack":
                    self.acked[frame["clientId"]] = frame["seq"]
        except Exception:
            pass

    def _write(self):
        n = 0
        while not self.stop_flag.is_set():
            n += 1
            client_id = f"chaos-{uuid.uuid4().hex[:10]}"
            text = f"Cập nhật số {n} về khu công nghiệp Đầm Nhà Mạc."
            self.sent[client_id] = text
            self.ws.send(json.dumps({"type": "say", "session": self.session_id, "text": text,
                                     "clientId": client_id, "language": "vi"}))
            time.sleep(self.interval)

    def stop(self, timeout: float = 15.0):
        self.stop_flag.set()
        self.writer.join()
        deadline = time.monotonic() + timeout
        while len(self.acked) < len(self.sent) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.ws.close()
        assert len(self.acked) == len(self.sent), f"{len(self.sent) - len(self.acked)} officer messages unacked"


def run_browser_chaos(server, cuts: int, seed: int = 7, interval: float = 0.15) -> dict:
    """`interval`: seconds between the officer's messages (0.15 stays under the default
    rate limit of 10 frames/s)."""
    rng = random.Random(seed)
    st, session, _ = http_request(server.url, "POST", "/v1/sessions", server.officer_token,
                                  {"title": f"Reconnect chaos {uuid.uuid4().hex[:6]}", "assistant": "off"})
    assert st == 201, session
    st, invite, _ = http_request(server.url, "POST", f"/v1/sessions/{session['id']}/invites", server.officer_token,
                                 {"name": "Yamada Ken", "language": "ja"})
    assert st == 201, invite
    proxy = CuttableProxy(server.port)
    browser = new_browser(1200, 900, "ja")
    talker = None
    written: list[str] = []
    try:
        browser.get(proxy.url + "/join#" + invite["code"])
        element(browser, "#join-button").click()
        element(browser, "#composer-text")
        talker = OfficerTalker(server, session["id"], interval)

        def write(text: str):
            box = browser.find_element(By.ID, "composer-text")
            box.send_keys(text)
            box.send_keys(Keys.ENTER)
            written.append(text)

        for cut in range(cuts):
            time.sleep(rng.uniform(0.3, 1.5))
            if rng.random() < 0.5:
                write(f"接続中のメッセージ {cut}")
            proxy.cut()
            time.sleep(rng.uniform(0.2, 2.5))
            if rng.random() < 0.5:
                write(f"オフライン中のメッセージ {cut}")  # waits as "sending…" until the reconnect
            proxy.restore()
            element(browser, '#conn[data-state="live"]', timeout=40)
        talker.stop()
        talker = None

        # Everything settles: the outbox empties, the page catches up with the store.
        wait_until(lambda: not browser.find_elements(By.CSS_SELECTOR, "#outbox li"), timeout=30,
                   what="the investor's outbox to empty", browser=browser)
        st, transcript, _ = http_request(server.url, "GET", f"/v1/sessions/{session['id']}/transcript?format=json",
                                         server.officer_token)
        assert st == 200
        expected = [e["seq"] for e in transcript["events"] if e["kind"] in SHOWN_KINDS]

        def shown() -> list[int]:
            seqs = [int(e.get_attribute("data-seq"))
                    for e in browser.find_elements(By.CSS_SELECTOR, "#events > [data-seq]")]
            assert len(seqs) == len(set(seqs)), "an event is shown twice"
            return seqs

        wait_until(lambda: shown() == expected, timeout=30, what="the page to show exactly the stored events",
                   browser=browser)
        # What the investor wrote is stored once each, online or not.
        stored = [e.get("text") for e in transcript["events"]
                  if e["kind"] == "message" and e["from"]["id"] == invite["id"]]
        assert sorted(stored) == sorted(written), (len(stored), len(written))
        assert console_errors(browser, ignore=NETWORK_DOWN_NOISE) == []
        return {"cuts": cuts, "events": len(expected), "investor_messages": len(written)}
    finally:
        if talker is not None:
            talker.stop_flag.set()
        browser.quit()
        proxy.close()
