"""Loads mediamux's /demo page in headless Chromium and reports what its getStats() saw, as JSON.

Run it inside a network namespace that has only `lo` (test_browser.py does), with mediamux started in the
same namespace: a browser gathers candidates on every interface, and there it can reach nothing else.
Chromium is driven over the DevTools protocol; the page publishes its numbers in window.mediamuxStats.
"""

import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from websockets.sync.client import connect

from mediamux_process import TOKEN, Mediamux, loopback_config, wait_for

CHROMIUM = "/usr/lib/chromium/chromium"


def chromium(url: str, profile: str) -> subprocess.Popen:
    flags = [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        "--autoplay-policy=no-user-gesture-required", "--allow-loopback-in-peer-connection",
        "--disable-features=WebRtcHideLocalIpsWithMdns", f"--user-data-dir={profile}", "--remote-debugging-port=0",
    ]
    return subprocess.Popen([CHROMIUM, *flags, url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def page_socket(profile: str) -> str:
    port_file = Path(profile) / "DevToolsActivePort"
    port = wait_for(lambda: port_file.exists() and port_file.read_text().split("\n")[0], timeout=30, message="DevTools port")
    targets = wait_for(
        lambda: [t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list")) if t["type"] == "page"],
        timeout=30, message="a page target",
    )
    return targets[0]["webSocketDebuggerUrl"]


def evaluate(socket, expression: str, ident=[0]):
    ident[0] += 1
    socket.send(json.dumps({"id": ident[0], "method": "Runtime.evaluate", "params": {"expression": expression, "returnByValue": True}}))
    while True:
        message = json.loads(socket.recv(timeout=10))
        if message.get("id") == ident[0]:
            return message.get("result", {}).get("result", {}).get("value")


def session_report(server) -> dict:
    """The page's session as the API shows it, and the server's DTLS and SRTP counters."""
    rooms = server.request("GET", "/v1/rooms")[1]
    session_id = None
    for room in rooms.get("rooms", []):
        listed = server.request("GET", f"/v1/rooms/{room['room']}/sessions")[1]
        session_id = listed["sessions"][0]["id"] if listed["sessions"] else None
    return {
        "rooms": rooms,
        "session": server.session(session_id) if session_id else None,
        "handshakes": server.metric("mediamux_dtls_handshakes_total", result="completed"),
        "srtp_in": server.metric("mediamux_srtp_packets_total", direction="in"),
        "srtp_drops": sum(server.metric("mediamux_media_dropped_total", reason=r) for r in ("srtp_auth", "srtp_replay")),
        "tcp_connections": server.metric("mediamux_tcp_connections_opened_total"),
    }


def main(mode: str, frames: int, timeout: float) -> dict:
    server = Mediamux(loopback_config())
    profile = tempfile.mkdtemp(prefix="mediamux-chromium-")
    browser = chromium(f"{server.api}/demo?autostart=1&mode={mode}&room=browser&token={TOKEN}", profile)
    result = {"stats": None}
    try:
        with connect(page_socket(profile), max_size=None) as socket:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                stats = evaluate(socket, "JSON.stringify(window.mediamuxStats || null)")
                result["stats"] = json.loads(stats) if stats else None
                current = result["stats"] or {}
                if current.get("error") or (current.get("video", {}).get("framesDecoded") or 0) >= frames:
                    break
                time.sleep(0.25)
            result["offer"] = evaluate(socket, "pc && pc.localDescription && pc.localDescription.sdp")
        result.update(session_report(server))
    finally:
        stop_browser(browser)
        result["exit_code"] = server.stop()
    return result


def stop_browser(browser: subprocess.Popen):
    """Asks the browser to quit, and kills it if it has not within 10 s."""
    browser.terminate()
    try:
        browser.wait(timeout=10)
    except subprocess.TimeoutExpired:
        browser.kill()


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))))
