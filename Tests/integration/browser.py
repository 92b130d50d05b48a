"""Real-browser helpers: Debian's headless Chromium driven by Selenium, and a TCP proxy
whose connections can be cut and restored, to play a network drop between one browser and
the server while other clients keep talking.

Chromium and chromium-driver come from Debian (`make test-deps`), Selenium from PyPI.
The driver path is given explicitly so Selenium never tries to download one (the test
machines are offline).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Callable

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

DEFAULT_WAIT = 15.0


def chromium_paths() -> tuple[str, str]:
    """(browser, driver); a clear failure when `make test-deps` has not installed them."""
    browser = os.environ.get("CHROMIUM_BIN") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("CHROMEDRIVER_BIN") or shutil.which("chromedriver")
    if not browser or not driver:
        raise AssertionError(
            "the browser tests need Debian's chromium and chromium-driver: run `make test-deps`")
    return browser, driver


def new_browser(width: int = 1366, height: int = 900, language: str = "en") -> webdriver.Chrome:
    browser, driver = chromium_paths()
    os.environ.setdefault("SE_AVOID_STATS", "true")  # Selenium Manager must not phone home
    options = Options()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--no-first-run", "--disable-extensions", "--disable-background-networking",
                 f"--window-size={width},{height}", f"--lang={language}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def wait_until(predicate: Callable[[], object], timeout: float = DEFAULT_WAIT, what: str = "condition",
               browser: webdriver.Chrome | None = None):
    """Polls `predicate` until it returns something truthy; stale elements just retry."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except (StaleElementReferenceException, WebDriverException) as error:
            last_error = error
        time.sleep(0.1)
    detail = f" (last error: {last_error})" if last_error else ""
    if browser is not None:
        detail += f"\nlog: {console_errors(browser)}"
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{detail}")


def element(browser, css: str, timeout: float = DEFAULT_WAIT):
    """The first visible element matching `css`."""
    def find():
        for found in browser.find_elements(By.CSS_SELECTOR, css):
            if found.is_displayed():
                return found
        return None
    return wait_until(find, timeout, f"visible {css}", browser)


def join_meeting(b, server, code: str):
    """The investor page of invite `code`, joined: the join button pressed, the connection live."""
    b.get(server.url + "join#" + code)
    element(b, "#join-button").click()
    element(b, '#conn[data-state="live"]', timeout=20)


def console_errors(browser, ignore: tuple[str, ...] = ()) -> list[str]:
    """SEVERE entries of the page's console since the last call, minus the ignored ones."""
    entries = browser.get_log("browser")
    return [e["message"] for e in entries
            if e.get("level") == "SEVERE" and not any(text in e["message"] for text in ignore)]


def screenshot(browser, name: str) -> Path:
    """Saves a PNG under SCREENSHOT_DIR (default: a temporary folder of the test run)."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or "/tmp/dialogue-browser-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    browser.save_screenshot(str(path))
    return path


class CuttableProxy:
    """A loopback TCP proxy in front of the server. `cut()` drops every connection through
    it and refuses new ones, as a lost network would; `restore()` lets them through again."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                self._drop(client)
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                self._drop(client)
                continue
            with self.lock:
                self.connections += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    @staticmethod
    def _drop(s: socket.socket):
        # An abortive close (RST), like a connection torn down by the network. shutdown()
        # first: it wakes the pump thread blocked in recv(), which close() alone would not.
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            s.close()
        except OSError:
            pass

    def cut(self):
        self.up = False
        with self.lock:
            connections, self.connections = self.connections, []
        for s in connections:
            self._drop(s)

    def restore(self):
        self.up = True

    def close(self):
        self.closed = True
        self.cut()
        try:
            self.listener.close()
        except OSError:
            pass
