"""GStreamer's webrtcbin (libnice, its own DTLS and SRTP) as a client of `echo` and `room`, for longer than
the consent timeout, with libnice's default keepalives: Binding indications, never consent checks."""

import json
import os
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"  # PyGObject is Debian's python3-gi, not in the venv
CONSENT_TIMEOUT = 5
SECONDS = 12


def run_webrtcbin(handler: str, peers: int) -> dict:
    script = f"ip link set lo up && exec {SYSTEM_PYTHON} webrtcbin_check.py {handler} {peers} {SECONDS} {CONSENT_TIMEOUT}"
    completed = subprocess.run(
        ["unshare", "--net", "sh", "-c", script], capture_output=True, text=True, timeout=90, cwd=HERE,
        env=dict(os.environ, PYTHONPATH=str(HERE)),
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def assert_flowing(result: dict, peers: int):
    assert len(result["peers"]) == peers, result
    for peer in result["peers"]:
        assert peer["error"] is None, result
        # More than twice the consent timeout, and still connected: authenticated SRTP kept it.
        assert peer["session"]["state"] == "connected", result
        assert peer["frames"] >= 60, result
        assert peer["audio_buffers"] > 0, result
    assert result["srtp_drops"] == 0, result
    assert result["exit_code"] == 0, result


def test_webrtcbin_decodes_its_own_vp8_and_opus_through_the_echo():
    assert_flowing(run_webrtcbin("echo", 1), 1)


def test_two_webrtcbin_peers_decode_each_other_through_a_room():
    assert_flowing(run_webrtcbin("room", 2), 2)
