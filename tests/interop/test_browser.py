"""Debian's Chromium loads /demo and sees its own camera come back through mediamux's SRTP echo."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/lib/chromium/chromium"


def run_in_loopback_namespace(*arguments: str, timeout: float) -> dict:
    """Runs browser_check.py in a new network namespace with only `lo`, and returns its JSON."""
    script = f"ip link set lo up && exec {sys.executable} {HERE / 'browser_check.py'} {' '.join(arguments)}"
    completed = subprocess.run(
        ["unshare", "--net", "sh", "-c", script], capture_output=True, text=True, timeout=timeout, cwd=HERE,
        env=dict(os.environ, PYTHONPATH=str(HERE)),
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not Path(CHROMIUM).exists() or shutil.which("unshare") is None, reason="needs Debian's chromium and unshare")
def test_chromium_demo_page_decodes_its_own_video_through_the_echo():
    result = run_in_loopback_namespace("echo", "30", "40", timeout=120)
    stats = result["stats"]
    assert stats and not stats.get("error"), result
    assert stats["connectionState"] == "connected", result
    assert stats["video"]["framesDecoded"] >= 30, result
    assert stats["audio"]["packetsReceived"] > 0, result
    assert result["session"]["state"] == "connected", result
    assert result["handshakes"] == 1 and result["srtp_in"] > 0 and result["srtp_drops"] == 0, result
    assert result["exit_code"] == 0, result
