#!/usr/bin/env python3
"""The flood scenarios of docs/benchmarks.md: 100 live echo sessions (mediamux-loadgen: real ICE, DTLS and
SRTP) while Benchmarks/flooder sends spoofed datagrams from 4,096 IPs at its full rate, each scenario on a
fresh release mediamux with one packet thread. Raw sockets forge the sources, so it runs itself in an
lo-only network namespace (`unshare --net`). Rewrites the flood block of docs/benchmarks.md.

    scripts/flood_bench.py [--quick] [--document docs/benchmarks.md]
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import (  # noqa: E402
    CONFIG, OUT, ROOT, TOKEN, Mediamux, build_c_loop, check_srtp_backend, loadgen, replace_block,
)

FLOOD_BLOCK = ("<!-- flood-benchmark:begin -->", "<!-- flood-benchmark:end -->")
SESSIONS = 100
LOSS_TARGET = 0.1  # percent


def in_namespace():
    """Re-runs this script in a new network namespace with only `lo`, unless it already is in one."""
    if os.environ.get("MEDIAMUX_FLOOD_NAMESPACE"):
        return
    script = f"ip link set lo up && exec {sys.executable} {Path(__file__).resolve()} {' '.join(sys.argv[1:])}"
    os.environ["MEDIAMUX_FLOOD_NAMESPACE"] = "1"
    sys.exit(subprocess.run(["unshare", "--net", "sh", "-c", script]).returncode)


def build_flooder():
    return build_c_loop("flooder", ROOT / "Benchmarks" / "flooder" / "flooder.c")


def scenario(flooder, mode, seconds, pinned):
    """One run: the sessions connect, then traffic flows for `seconds`, with the flood for all but the last 2.
    `pinned`: mediamux has core 0 to itself, the generator and the flooder share core 1, as a flood from
    elsewhere costs the server its kernel's receive path but not a sender spinning on its cores; otherwise
    the scheduler places all three."""
    server = Mediamux(CONFIG.format(threads=1))  # udp.receive_buffer_bytes: the default 4 MiB
    try:
        check_srtp_backend(server)
        pin = ["taskset", "-c", "1"] if pinned else []
        if pinned:
            for thread in os.listdir(f"/proc/{server.process.pid}/task"):
                os.sched_setaffinity(int(thread), {0})
        arguments = [
            *pin, str(ROOT / ".build" / "release" / "mediamux-loadgen"), "--json", "--quiet", "--api", server.api,
            "--sessions", SESSIONS, "--rate", 50, "--size", 200, "--duration", seconds, "--setup-rate", 200,
            "--setup-concurrency", 8, "--server-pid", server.process.pid,
        ]
        generator = subprocess.Popen(
            list(map(str, arguments)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=dict(os.environ, MEDIAMUX_API_TOKEN=TOKEN),
        )
        deadline = time.monotonic() + 60
        while server.metric("mediamux_sessions", state="connected") < SESSIONS:
            if time.monotonic() > deadline or generator.poll() is not None:
                raise SystemExit(f"the sessions did not connect: {generator.communicate()}")
            time.sleep(0.1)
        flood = None
        if mode != "none":
            listed = server.request("GET", "/v1/rooms/lg-echo-0/sessions")[1]["sessions"]
            ufrags = [session["ice"]["ufrag"] for session in listed]
            host, port = server.udp[0].rsplit(":", 1)
            flood = subprocess.run(
                [*pin, str(flooder), host, port, mode, str(seconds - 2), *ufrags], capture_output=True, text=True, check=True
            )
        output, errors = generator.communicate(timeout=seconds + 60)
        if generator.returncode != 0:
            raise SystemExit(f"loadgen failed: {errors}")
        report = json.loads(output)
        drops = {
            reason: server.metric("mediamux_udp_dropped_total", reason=reason)
            for reason in ("bad_integrity", "ufrag_rate_limited", "unknown_ufrag", "rate_limited", "malformed", "unknown_address", "unknown_class")
        }
        result = {
            "mode": mode,
            "pinned": pinned,
            "flood": json.loads(flood.stdout) if flood else None,
            "loss_percent": report["traffic"]["loss_percent"],
            "sent": report["traffic"]["sent"],
            "p99_us": report["traffic"]["latency_microseconds"].get("p99", 0.0),
            "kernel_drops": server.metric("mediamux_socket_kernel_drops"),
            "stun_out": server.metric("mediamux_udp_packets_total", direction="out", **{"class": "stun"}),
            "bytes_in": server.metric("mediamux_udp_bytes_total", direction="in"),
            "bytes_out": server.metric("mediamux_udp_bytes_total", direction="out"),
            "drops": drops,
            "cpu_percent": (report.get("server") or {}).get("cpu_percent"),
        }
        (OUT / f"flood-{mode}-{'pinned' if pinned else 'shared'}.json").write_text(json.dumps({"result": result, "loadgen": report}, indent=2))
        return result
    finally:
        server.stop()


def table(results):
    lines = [
        "| Cores | Flood | Flood rate (pps) | Live RTP sent | Loss | p99 round trip | Kernel drops | STUN answers | Bytes out / in | mediamux CPU |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        flood = result["flood"]
        verdict = "met" if result["loss_percent"] < LOSS_TARGET else "missed"
        lines.append(
            f"| {'mediamux alone on one' if result['pinned'] else 'shared by all'} | {result['mode']} | {flood['rate'] if flood else 0:,.0f} | {result['sent']:,} | "
            f"{result['loss_percent']:.3f} % ({verdict}) | {result['p99_us'] / 1000:.1f} ms | {result['kernel_drops']:,.0f} | "
            f"{result['stun_out']:,.0f} | {result['bytes_out'] / max(result['bytes_in'], 1):.3f} | {result['cpu_percent'] or 0:.0f} % |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter runs, for a smoke test")
    parser.add_argument("--document", default=str(ROOT / "docs" / "benchmarks.md"))
    arguments = parser.parse_args()
    in_namespace()
    OUT.mkdir(parents=True, exist_ok=True)
    flooder = build_flooder()
    seconds = 6 if arguments.quick else 15
    results = [
        scenario(flooder, mode, seconds, pinned) for pinned in (True, False) for mode in ("none", "wrong-password", "mixed")
    ]
    text = table(results)
    print(text)
    replace_block(Path(arguments.document), FLOOD_BLOCK, text)


if __name__ == "__main__":
    main()
