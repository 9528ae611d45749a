"""mediamux-loadgen against the real binary and against the reference forwarder: sessions are set up
through the API with real ICE checks and DTLS handshakes, and SRTP probes come back (echo) or reach the
room partner. Small and short, so it checks the tools work; `make bench` runs them at load."""

import json
import os
import signal
import subprocess
import tempfile
from pathlib import Path

from mediamux_process import ROOT, TOKEN, wait_for

BUILD = Path(os.environ.get("MEDIAMUX_BUILD", ROOT / ".build" / "debug"))
LOADGEN = BUILD / "mediamux-loadgen"
REFERENCE = BUILD / "mediamux-reference"


def run_loadgen(*args, timeout=60):
    result = subprocess.run(
        [str(LOADGEN), "--json", "--quiet", *args], capture_output=True, text=True, timeout=timeout,
        env=dict(os.environ, MEDIAMUX_API_TOKEN=TOKEN),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    return json.loads(result.stdout)


def test_echo_sessions_connect_and_get_every_probe_back(mediamux):
    report = run_loadgen(
        "--api", mediamux.api, "--sessions", "6", "--rate", "50", "--size", "1200", "--duration", "2",
        "--server-pid", str(mediamux.process.pid),
    )
    assert report["setup"]["connected"] == 6, report["setup"]
    traffic = report["traffic"]
    assert traffic["sent"] >= 6 * 50 * 2 * 0.9
    assert traffic["received"] == traffic["sent"], traffic
    assert traffic["srtp_failures"] == 0 and traffic["unexpected"] == 0
    assert traffic["latency_kind"] == "round-trip" and traffic["latency_microseconds"]["p50"] > 0
    assert report["server"]["resident_bytes_connected"] > 0
    # The loadgen deletes its sessions at the end.
    assert wait_for(lambda: mediamux.request("GET", "/v1/rooms")[1]["rooms"] == [], message="sessions deleted")
    assert mediamux.metric("mediamux_dtls_handshakes_total", result="completed") == 6


def test_room_pairs_hear_their_partner_one_way(mediamux_io_threads):
    report = run_loadgen(
        "--api", mediamux_io_threads.api, "--mode", "room", "--sessions", "8", "--rate", "50", "--duration", "2"
    )
    assert report["setup"]["connected"] == 8
    traffic = report["traffic"]
    assert traffic["latency_kind"] == "one-way"
    assert traffic["received"] == traffic["sent"] and traffic["unexpected"] == 0, traffic


def test_consent_checks_keep_idle_sessions_alive(mediamux):
    # consent_timeout is 3 s in the test config: without answered checks the sessions would close.
    report = run_loadgen("--api", mediamux.api, "--sessions", "3", "--rate", "0", "--duration", "4", "--consent-interval", "1")
    traffic = report["traffic"]
    assert traffic["consent_checks"] >= 9
    assert traffic["consent_answers"] == traffic["consent_checks"]
    assert mediamux.metric("mediamux_session_closed_total", reason="consent_expired") == 0


def test_reference_forwarder_echoes_with_fixed_keys():
    with tempfile.TemporaryDirectory() as directory:
        ready = Path(directory) / "ready.json"
        process = subprocess.Popen(
            [str(REFERENCE), "--bind", "127.0.0.1", "--port", "0", "--ready-file", str(ready)], stderr=subprocess.PIPE, text=True
        )
        try:
            address = wait_for(lambda: ready.exists() and json.loads(ready.read_text() or "{}").get("udp"), message="reference ready")
            report = run_loadgen("--reference", address, "--sessions", "4", "--rate", "100", "--size", "1200", "--duration", "1")
            assert report["traffic"]["sent"] >= 4 * 100 * 0.9
            assert report["traffic"]["received"] == report["traffic"]["sent"]
        finally:
            process.send_signal(signal.SIGTERM)
            _, errors = process.communicate(timeout=5)
        assert process.returncode == 0
        assert "dropped 0" in errors
