"""Loads mediamux's /demo page in headless Firefox ESR and reports what its getStats() saw, as JSON.

Run it inside a network namespace that has only `lo` (test_browser.py does), with mediamux started in the
same namespace. Firefox is driven over its built-in WebDriver BiDi (no geckodriver): it prints the
address it listens on, and `session.new`, `browsingContext.navigate` and `script.evaluate` do the rest.
"""

import json
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from websockets.sync.client import connect

from browser_check import session_report, stop_browser
from mediamux_process import TOKEN, Mediamux, loopback_config

FIREFOX = "/usr/lib/firefox-esr/firefox-esr"
# Fake camera and microphone without a prompt; candidates on loopback (INTEROP.md).
PREFS = {
    "media.navigator.streams.fake": True,
    "media.navigator.permission.disabled": True,
    "media.navigator.permission.fake": True,
    "media.peerconnection.ice.loopback": True,
    "media.autoplay.default": 0,
}


def firefox(profile: str) -> tuple[subprocess.Popen, str]:
    Path(profile, "user.js").write_text("".join(f'user_pref("{k}", {json.dumps(v)});\n' for k, v in PREFS.items()))
    browser = subprocess.Popen(
        [FIREFOX, "--headless", "--no-remote", "--profile", profile, "--remote-debugging-port", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in browser.stderr], daemon=True).start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if "WebDriver BiDi listening on " in line:
            return browser, line.split("WebDriver BiDi listening on ", 1)[1].strip()
    browser.kill()
    raise AssertionError("Firefox did not print its WebDriver BiDi address")


class BiDi:
    def __init__(self, socket):
        self.socket = socket
        self.next_id = 0

    def call(self, method: str, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == self.next_id:
                if message.get("type") == "error":
                    raise AssertionError(f"{method}: {message}")
                return message["result"]


def main(mode: str, frames: int, timeout: float, bind: str = "127.0.0.1") -> dict:
    server = Mediamux(loopback_config(bind))
    profile = tempfile.mkdtemp(prefix="mediamux-firefox-")
    browser, address = firefox(profile)
    result = {"stats": None}
    try:
        with connect(f"{address}/session", max_size=None) as socket:
            bidi = BiDi(socket)
            bidi.call("session.new", capabilities={})
            context = bidi.call("browsingContext.getTree")["contexts"][0]["context"]
            url = f"{server.api}/demo?autostart=1&mode={mode}&room=firefox&token={TOKEN}"
            bidi.call("browsingContext.navigate", context=context, url=url, wait="complete")
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                value = bidi.call(
                    "script.evaluate", expression="JSON.stringify(window.mediamuxStats || null)",
                    target={"context": context}, awaitPromise=False,
                )["result"].get("value")
                result["stats"] = json.loads(value) if value else None
                current = result["stats"] or {}
                if current.get("error") or (current.get("video", {}).get("framesDecoded") or 0) >= frames:
                    break
                time.sleep(0.25)
            result["offer"] = bidi.call(
                "script.evaluate", expression="pc && pc.localDescription && pc.localDescription.sdp",
                target={"context": context}, awaitPromise=False,
            )["result"].get("value")
        result.update(session_report(server))
    finally:
        stop_browser(browser)
        result["exit_code"] = server.stop()
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), *sys.argv[4:])))
