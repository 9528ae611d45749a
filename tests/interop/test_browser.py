"""Debian's Chromium and Firefox ESR load /demo and see their own camera come back through mediamux's
SRTP echo. `make test` installs both; a missing browser fails here rather than passing unseen."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


# nftables rules that drop every UDP datagram in the namespace, as a firewall that blocks UDP does: mediamux's
# UDP port is then unreachable, and only ICE-TCP is left.
BLOCK_UDP = (
    "nft add table inet block && "
    "nft 'add chain inet block out { type filter hook output priority 0; }' && "
    "nft add rule inet block out meta l4proto udp drop"
)


def run_in_loopback_namespace(script_name: str, *arguments: str, timeout: float, block_udp: bool = False) -> dict:
    """Runs a browser check in a new network namespace with only `lo` (and no UDP, if asked), and returns
    its JSON."""
    setup = "ip link set lo up" + (f" && {BLOCK_UDP}" if block_udp else "")
    script = f"{setup} && exec {sys.executable} {HERE / script_name} {' '.join(arguments)}"
    completed = subprocess.run(
        ["unshare", "--net", "sh", "-c", script], capture_output=True, text=True, timeout=timeout, cwd=HERE,
        env=dict(os.environ, PYTHONPATH=str(HERE)),
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def assert_decoded_through_the_echo(result, transport):
    """The page connected over `transport`, on both sides, and decoded its own media after one handshake."""
    stats = result["stats"]
    assert stats and not stats.get("error"), result
    assert stats["connectionState"] == "connected", result
    assert stats["transport"] == transport, result
    assert result["session"]["selected"]["transport"] == transport, result
    assert stats["video"]["framesDecoded"] >= 30, result
    assert stats["audio"]["packetsReceived"] > 0, result
    assert result["handshakes"] == 1 and result["srtp_in"] > 0 and result["srtp_drops"] == 0, result
    assert result["exit_code"] == 0, result


@pytest.mark.parametrize("check", ["browser_check.py", "firefox_check.py"], ids=["chromium", "firefox"])
def test_demo_page_decodes_its_own_video_through_the_echo(check):
    result = run_in_loopback_namespace(check, "echo", "30", "40", timeout=150)
    assert_decoded_through_the_echo(result, "udp")
    assert result["session"]["state"] == "connected", result


@pytest.mark.parametrize("check", ["browser_check.py", "firefox_check.py"], ids=["chromium", "firefox"])
def test_demo_page_runs_over_ice_tcp_where_udp_is_blocked(check):
    result = run_in_loopback_namespace(check, "echo", "30", "60", timeout=180, block_udp=True)
    assert_decoded_through_the_echo(result, "tcp")
    assert result["tcp_connections"] >= 1, result
