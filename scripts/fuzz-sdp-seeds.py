"""Writes the seeds of the SDP and API fuzz targets from offers that real clients made against mediamux:
aiortc, headless Chromium and Firefox ESR (the /demo page) and GStreamer's webrtcbin, each in an lo-only
network namespace as in the interop tests. FuzzSDP gets each offer as it is; FuzzAPI gets create-session
bodies that carry them, and the other fields the API reads.

Run with the interop venv after a debug build:
  MEDIAMUX_BUILD=.build/debug .venv-interop/bin/python scripts/fuzz-sdp-seeds.py Fuzz/Corpus
"""

import asyncio
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

INTEROP = Path(__file__).resolve().parents[1] / "tests" / "interop"
sys.path.insert(0, str(INTEROP))


def in_namespace(command: str) -> dict:
    completed = subprocess.run(
        ["unshare", "--net", "sh", "-c", f"ip link set lo up && exec {command}"], capture_output=True, text=True,
        timeout=180, cwd=INTEROP, env=dict(os.environ, PYTHONPATH=str(INTEROP)),
    )
    if completed.returncode != 0:
        raise SystemExit(completed.stderr[-2000:])
    return json.loads(completed.stdout.strip().splitlines()[-1])


async def aiortc_offer() -> str:
    import test_aiortc  # noqa: F401  (patches aioice to gather on loopback)
    from test_aiortc import EchoCall

    call = EchoCall()
    try:
        return await call.offer()
    finally:
        await call.close()


def write(directory: Path, content: bytes):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(content).hexdigest()).write_bytes(content)


def main(corpus: Path):
    offers = {"aiortc": asyncio.run(aiortc_offer())}
    offers["chromium"] = in_namespace(f"{sys.executable} browser_check.py echo 10 30")["offer"]
    offers["firefox"] = in_namespace(f"{sys.executable} firefox_check.py echo 10 30")["offer"]
    offers["webrtcbin"] = in_namespace("/usr/bin/python3 webrtcbin_check.py echo 1 3 5")["peers"][0]["offer"]
    fingerprint = ":".join(["AB"] * 32)
    for client, offer in offers.items():
        assert offer and offer.startswith("v=0"), f"{client}: {offer!r}"
        write(corpus / "FuzzSDP", offer.encode())
        for body in (
            {"offer": offer},
            {"offer": offer, "handler": "echo", "user": f"{client}-user"},
            {"offer": offer, "handler": "room"},
        ):
            write(corpus / "FuzzAPI", json.dumps(body).encode())
        print(f"{client}: {len(offer)} bytes")
    for body in (
        {},
        {"user": "ann", "handler": "discard"},
        {"remote": {"ufrag": "pTwJ", "pwd": "dykPZHQ8q2Syfe3hznuapl", "fingerprint": f"sha-256 {fingerprint}", "setup": "active"}},
        {"handler": "rtp", "rtp": {"sink": "127.0.0.1:5004"}},
        {"handler": "datagram_echo", "remote": {"setup": "passive"}},
    ):
        write(corpus / "FuzzAPI", json.dumps(body).encode())


if __name__ == "__main__":
    main(Path(sys.argv[1]))
