"""A small driver for Debian's headless Chromium over the DevTools protocol (no Selenium,
no downloaded browser): open a page, run JavaScript in it, wait for a condition, take a
screenshot. What the UI and dashboard tests need, nothing more."""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import requests
from websockets.sync.client import connect

CHROMIUM = shutil.which("chromium")


class Page:
    def __init__(self, websocket_url: str) -> None:
        self._ws = connect(websocket_url, max_size=64 * 1024 * 1024)
        self._ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        self._ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self._ws.recv(timeout=60))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def navigate(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, *, timeout: float = 60, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except RuntimeError:
                value = None
            if value:
                return value
            time.sleep(0.5)
        text = self.evaluate("document.body ? document.body.innerText.slice(0, 2000) : ''")
        raise AssertionError(f"timed out waiting for {what or expression}; the page shows:\n{text}")

    def click(self, selector: str, text: str, *, timeout: float = 30) -> None:
        """Click, with the mouse, the first element matching ``selector`` whose text is ``text``."""
        x, y = self.wait_for(f"""(() => {{
            const e = [...document.querySelectorAll({json.dumps(selector)})]
                .find(e => e.innerText.trim() === {json.dumps(text)});
            if (!e) return null;
            e.scrollIntoView({{block: 'center'}});
            const r = e.getBoundingClientRect();
            return [r.x + r.width / 2, r.y + r.height / 2];
        }})()""", timeout=timeout, what=f"{selector} {text!r}")
        for event in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=event, x=x, y=y, button="left", clickCount=1)

    def type_into(self, selector: str, text: str, *, timeout: float = 30) -> None:
        """Type ``text`` into the input matching ``selector``, as keystrokes would (React sees it)."""
        self.wait_for(f"""(() => {{
            const e = document.querySelector({json.dumps(selector)});
            if (!e) return false;
            e.focus();
            return true;
        }})()""", timeout=timeout, what=selector)
        self.call("Input.insertText", text=text)

    def press(self, key: str, code: str, key_code: int, *, ctrl: bool = False) -> None:
        """Press and release one key (``ctrl``: with Control held), as a keyboard would."""
        for event in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=event, key=key, code=code, windowsVirtualKeyCode=key_code,
                      modifiers=2 if ctrl else 0)

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))
        return path

    def close(self) -> None:
        self._ws.close()


class HeadlessChromium:
    """``with HeadlessChromium(tmp_path) as browser: page = browser.open(url)``."""

    def __init__(self, profile_dir: Path, *, window: str = "1400,1000") -> None:
        self.profile_dir = profile_dir
        self.window = window

    def __enter__(self) -> HeadlessChromium:
        if CHROMIUM is None:
            raise RuntimeError("chromium is not installed (apt-get install chromium)")
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--window-size={self.window}", "--remote-debugging-port=0", f"--user-data-dir={self.profile_dir}",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = self.profile_dir / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline:
                raise RuntimeError("chromium did not start its DevTools endpoint")
            time.sleep(0.2)
        self.endpoint = f"http://127.0.0.1:{port_file.read_text().split()[0]}"
        return self

    def open(self, url: str) -> Page:
        response = requests.put(f"{self.endpoint}/json/new?{url}", timeout=30)
        response.raise_for_status()
        return Page(response.json()["webSocketDebuggerUrl"])

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
