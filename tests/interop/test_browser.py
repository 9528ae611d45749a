"""Debian's Chromium and Firefox ESR load /demo and see their own camera come back through mediamux's
SRTP echo. `make test` installs both; a missing browser fails here rather than passing unseen."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def run_in_loopback_namespace(script_name: str, *arguments: str, timeout: float) -> dict:
    """Runs a browser check in a new network namespace with only `lo`, and returns its JSON."""
    script = f"ip link set lo up && exec {sys.executable} {HERE / script_name} {' '.join(arguments)}"
    completed = subprocess.run(
        ["unshare", "--net", "sh", "-c", script], capture_output=True, text=True, timeout=timeout, cwd=HERE,
        env=dict(os.environ, PYTHONPATH=str(HERE)),
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("check", ["browser_check.py", "firefox_check.py"], ids=["chromium", "firefox"])
def test_demo_page_decodes_its_own_video_through_the_echo(check):
    result = run_in_loopback_namespace(check, "echo", "30", "40", timeout=150)
    stats = result["stats"]
    assert stats and not stats.get("error"), result
    assert stats["connectionState"] == "connected", result
    assert stats["video"]["framesDecoded"] >= 30, result
    assert stats["audio"]["packetsReceived"] > 0, result
    assert result["session"]["state"] == "connected", result
    assert result["handshakes"] == 1 and result["srtp_in"] > 0 and result["srtp_drops"] == 0, result
    assert result["exit_code"] == 0, result
