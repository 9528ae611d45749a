#!/usr/bin/env python3
"""Runs the load scenarios of docs/benchmarks.md with the release binaries and rewrites their block there.

Each scenario starts a fresh mediamux (or mediamux-reference) on loopback, drives it with mediamux-loadgen,
and keeps the JSON reports in .build/bench/. The reference forwarder is measured in the same run, so the
echo figures are ratios to what this machine can do, not absolute numbers from a noisy machine.

    scripts/bench.py [--quick] [--document docs/benchmarks.md]
"""

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RELEASE = Path(os.environ.get("MEDIAMUX_BUILD", ROOT / ".build" / "release"))
os.environ.setdefault("MEDIAMUX_BIN", str(RELEASE / "mediamux"))
sys.path.insert(0, str(ROOT / "tests" / "interop"))
from mediamux_process import TOKEN, Mediamux, wait_for  # noqa: E402

OUT = ROOT / ".build" / "bench"
LOAD_BLOCK = ("<!-- load-benchmark:begin -->", "<!-- load-benchmark:end -->")
MICRO_BLOCK = ("<!-- micro-benchmark:begin -->", "<!-- micro-benchmark:end -->")
TCP_BLOCK = ("<!-- tcp-benchmark:begin -->", "<!-- tcp-benchmark:end -->")
THREADS_BLOCK = ("<!-- threads-benchmark:begin -->", "<!-- threads-benchmark:end -->")
LOSS_LIMIT = 0.1  # percent

CONFIG = """
udp:
  bind: ["127.0.0.1"]
  port: 0
  io_threads: {threads}
api:
  host: 127.0.0.1
  port: 0
  max_creates_per_second: 100000
limits:
  max_sessions_per_room: 1000
  max_sessions_per_user: 5
  max_sessions_total: 20000
session:
  connect_timeout: 30
  consent_timeout: 30
log:
  level: warning
"""


def loadgen(name, *args):
    """Runs the load generator, keeps its JSON report as OUT/name.json and returns it."""
    command = [str(RELEASE / "mediamux-loadgen"), "--json", "--quiet", *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, MEDIAMUX_API_TOKEN=TOKEN))
    if result.returncode != 0:
        raise SystemExit(f"loadgen {name} failed ({result.returncode}):\n{result.stderr}\n{result.stdout}")
    report = json.loads(result.stdout)
    (OUT / f"{name}.json").write_text(json.dumps(report, indent=2))
    return report


def paced_load(name, server, *args):
    """A load generator run against mediamux `server`, its sessions set up at the pace of every traffic scenario
    (2,000 a second, 16 at once), with the server's CPU measured."""
    return loadgen(
        name, "--api", server.api, "--setup-rate", 2000, "--setup-concurrency", 16, "--server-pid", server.process.pid,
        *args,
    )


class Reference:
    def __init__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="mediamux-reference-")
        ready = Path(self.dir.name) / "ready.json"
        self.process = subprocess.Popen(
            [str(RELEASE / "mediamux-reference"), "--bind", "127.0.0.1", "--port", "0", "--ready-file", str(ready)],
            stderr=subprocess.DEVNULL,
        )
        self.udp = wait_for(lambda: ready.exists() and json.loads(ready.read_text() or "{}").get("udp"), message="reference")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)
        self.dir.cleanup()


# Which libsrtp2 the binaries must be built on: the Makefile says (its OpenSSL build, unless SRTP=system).
EXPECTED_SRTP_BACKEND = os.environ.get("MEDIAMUX_EXPECT_SRTP_BACKEND", "openssl")


def check_srtp_backend(server=None):
    """Refuses to measure binaries on another libsrtp2 than expected. A `swift build` without
    MEDIAMUX_SRTP_PREFIX links Debian's NSS-based one without a word, and then NSS is what gets measured."""
    if server is not None and server.metric("mediamux_build_info", srtp_backend=EXPECTED_SRTP_BACKEND) != 1:
        raise SystemExit(f"mediamux is not built on the {EXPECTED_SRTP_BACKEND} libsrtp2: build it with `make release`")
    if EXPECTED_SRTP_BACKEND != "openssl":
        return
    # The OpenSSL build is linked statically; a shared libsrtp2 is the system's.
    for binary in ("mediamux-loadgen", "mediamux-reference"):
        linked = subprocess.run(["ldd", str(RELEASE / binary)], capture_output=True, text=True).stdout
        if "libsrtp2.so" in linked:
            raise SystemExit(f"{binary} links the system's libsrtp2 (NSS): build it with `make bench`")


def with_mediamux(body, threads=1):
    server = Mediamux(CONFIG.format(threads=threads))
    try:
        check_srtp_backend(server)
        return body(server)
    finally:
        server.stop()


def echo_probe(target, rate, sessions, seconds, name):
    """One fixed-rate echo run of 1200-byte SRTP; returns the report."""
    args = ["--sessions", sessions, "--rate", rate / sessions, "--size", 1200, "--duration", seconds, "--drain", 0.5]
    if isinstance(target, Reference):
        return loadgen(name, "--reference", target.udp, *args)
    return loadgen(name, "--api", target.api, "--server-pid", target.process.pid, *args)


def highest_clean_rate(target, label, sessions, seconds, ceiling):
    """The highest total rate (packets/s) held with < 0.1 % loss: doubling, then bisecting."""
    good, bad, rate, best = 0, None, 10_000, None
    while rate <= ceiling:
        report = echo_probe(target, rate, sessions, seconds, f"max-{label}-{rate}")
        if report["traffic"]["loss_percent"] < LOSS_LIMIT and report["traffic"]["offered_packets_per_second"] > 0.95 * rate:
            good, best = rate, report
            rate *= 2
        else:
            bad = rate
            break
    for _ in range(4 if bad else 0):
        rate = (good + bad) // 2
        report = echo_probe(target, rate, sessions, seconds, f"max-{label}-{rate}")
        if report["traffic"]["loss_percent"] < LOSS_LIMIT and report["traffic"]["offered_packets_per_second"] > 0.95 * rate:
            good, best = rate, report
        else:
            bad = rate
    return good, best


def percentile(report, key):
    return report["traffic"]["latency_microseconds"].get(key, 0.0)


def build_c_loop(name, *arguments, required=True):
    """Compiles one of Benchmarks/'s C loops with `cc -O2` (`arguments`: sources, flags, libraries) to OUT/name
    and returns its path; None when it does not build and is not `required` (a library missing)."""
    binary = OUT / name
    result = subprocess.run(["cc", "-O2", "-o", str(binary), *map(str, arguments)], capture_output=True, text=True)
    if result.returncode == 0:
        return binary
    if required:
        raise SystemExit(f"cannot build {name}:\n{result.stderr}")
    return None


def run_c_loop(binary, *arguments):
    """Runs a C loop that prints one JSON object, and returns it."""
    output = subprocess.run([str(binary), *map(str, arguments)], capture_output=True, text=True, check=True)
    return json.loads(output.stdout)


def srtp_alone(session_counts):
    """Benchmarks/srtp-streams built against the OpenSSL libsrtp2 of the build and the system's (NSS on Debian),
    each run round-robin over N sessions: the dependency measured without mediamux."""
    source = ROOT / "Benchmarks" / "srtp-streams" / "srtp_streams.c"
    prefix = Path(os.environ.get("MEDIAMUX_SRTP_PREFIX") or ROOT / ".build" / "libsrtp2-openssl")
    builds = {
        "openssl": ["-I", str(prefix / "include"), str(source), str(prefix / "lib" / "libsrtp2.a"), "-lcrypto"],
        "system": [str(source), "-lsrtp2"],
    }
    results = {}
    for name, arguments in builds.items():
        binary = build_c_loop(f"srtp-streams-{name}", *arguments, required=False)
        if binary is None:
            continue
        for sessions in session_counts:
            # Enough rounds for about a second on the slow library, and at least one per session.
            rounds = max(sessions * 4, 200_000 if name == "openssl" or sessions <= 100 else 20_000)
            report = run_c_loop(binary, sessions, rounds)
            results[(name, sessions)] = (report["backend"], report["ns_per_round_trip"])
    backends = {name: next((backend for (n, _), (backend, _) in results.items() if n == name), None) for name in builds}
    lines = [
        "### libsrtp2 alone: protect + unprotect of 1200 bytes (AEAD_AES_128_GCM), round-robin over N sessions",
        "",
        "| sessions | " + " | ".join(f"{backends[name] or name} (ns)" for name in builds) + " |",
        "|---:|" + "---:|" * len(builds),
    ]
    for sessions in session_counts:
        cells = [f"{results[(name, sessions)][1]:.0f}" if (name, sessions) in results else "not built" for name in builds]
        lines.append(f"| {sessions} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "The same source package, the same C loop; only the crypto library under libsrtp2 differs. `system` is",
        "Debian's libsrtp2 (libsrtp2-dev), which `make bench` installs for this table only.",
        "",
    ]
    return lines


def cpu_per_packet(report):
    """Server CPU in microseconds per packet delivered."""
    return report["server"]["cpu_percent"] / 100 * 1e6 / max(1.0, report["traffic"]["delivered_packets_per_second"])


def cpu_seconds(pid):
    """User and system CPU time of a process so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def residence_quantile(metrics, handler, quantile):
    """A quantile of mediamux_packet_residence_seconds for one handler, summed over the packet threads and
    interpolated within its bucket as Prometheus's histogram_quantile does."""
    counts = {}
    for line in metrics.splitlines():
        if line.startswith("mediamux_packet_residence_seconds_bucket{") and f'handler="{handler}"' in line:
            le = line.split('le="', 1)[1].split('"', 1)[0]
            upper = float("inf") if le == "+Inf" else float(le)
            counts[upper] = counts.get(upper, 0.0) + float(line.rsplit(" ", 1)[1])
    buckets = sorted(counts.items())
    if not buckets or buckets[-1][1] == 0:
        return 0.0
    rank = quantile * buckets[-1][1]
    lower, below = 0.0, 0.0
    for upper, count in buckets:
        if count >= rank:
            if upper == float("inf"):
                return lower
            return lower + (upper - lower) * (rank - below) / max(1.0, count - below)
        lower, below = upper, count
    return lower


def row(name, report):
    traffic = report["traffic"]
    return (
        f"| {name} | {traffic['offered_packets_per_second']:.0f} of {traffic['target_packets_per_second']:.0f} "
        f"| {traffic['delivered_packets_per_second']:.0f} | {traffic['loss_percent']:.3f} % | {percentile(report, 'p50'):.0f} "
        f"| {percentile(report, 'p99'):.0f} | {percentile(report, 'p99.9'):.0f} | {report['server']['cpu_percent']:.0f} "
        f"| {cpu_per_packet(report):.1f} |"
    )


def tcp_against_udp(quick):
    """Echo over ICE-TCP against the same echo over UDP, both against mediamux in this run: the same sessions,
    rate and size, the runs interleaved (UDP, TCP, UDP, TCP) so a change of machine speed hits both."""
    # A rate where the packet thread works in batches (as under real load), not one wake-up per packet.
    sessions, rate, seconds, rounds = (100, 100, 3, 1) if quick else (100, 300, 6, 3)
    runs = {"udp": [], "tcp": []}
    for round_index in range(rounds):
        for transport in ("udp", "tcp"):
            runs[transport].append(with_mediamux(lambda server: paced_load(
                f"echo-{transport}-{round_index}", server, "--sessions", sessions, "--rate", rate, "--size", 200,
                "--duration", seconds, "--transport", transport,
            )))

    def median(transport, value):
        values = sorted(value(report) for report in runs[transport])
        return values[len(values) // 2]

    cost = {transport: median(transport, cpu_per_packet) for transport in runs}
    p50 = {transport: median(transport, lambda report: percentile(report, "p50")) for transport in runs}
    p99 = {transport: median(transport, lambda report: percentile(report, "p99")) for transport in runs}
    lines = [
        f"### Echo over ICE-TCP against UDP: {sessions} sessions, {rate} packets/s x 200 bytes each, one packet thread",
        "",
        "| transport | run | offered packets/s | delivered | loss | p50 (us) | p99 (us) | p99.9 (us) | server CPU (% of a core) | CPU per packet (us) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for transport in runs:
        for index, report in enumerate(runs[transport]):
            cells = row(transport, report).split(" | ", 1)
            lines.append(f"{cells[0]} | {index + 1} | {cells[1]}")
    lines += [
        "",
        f"TCP / UDP, median of the runs: CPU per echoed packet **{cost['tcp'] / cost['udp'] if cost['udp'] else 0:.2f}**, "
        f"p50 round trip **{p50['tcp'] / p50['udp'] if p50['udp'] else 0:.2f}**, p99 **{p99['tcp'] / p99['udp'] if p99['udp'] else 0:.2f}**.",
        "",
    ]
    return lines


def threads_against_one(quick):
    """Two packet threads against one, at rising load: echo and room pairs at the room scenario's rate, then
    room pairs faster, up to where one thread loses packets. The runs are interleaved (one, two, one, two) so
    a change of machine speed hits both. Echo keeps each session's packets on one thread, and in room pairs
    about half the pairs relay across the threads, so the two show whether crossing threads costs anything.
    Then the cost of a wake-up alone (`wake_alone`), which is what the second thread adds."""
    sessions, seconds, rounds = (200, 3, 1) if quick else (1000, 10, 2)
    loads = [("echo", 50), ("room", 50), ("room", 65), ("room", 80)]
    runs = {}
    for round_index in range(rounds):
        for mode, rate in loads:
            for threads in (1, 2):
                runs.setdefault((mode, rate, threads), []).append(with_mediamux(lambda server: paced_load(
                    f"threads-{mode}-{rate}-{threads}-{round_index}", server, "--mode", mode, "--sessions", sessions,
                    "--rate", rate, "--size", 200, "--duration", seconds,
                ), threads=threads))

    def cost(reports):
        return sum(cpu_per_packet(report) for report in reports) / len(reports)

    def loss(reports):
        return max(report["traffic"]["loss_percent"] for report in reports)

    lines = [
        f"### Two packet threads against one: {sessions} sessions, 200 bytes, mean of {rounds} interleaved runs each",
        "",
        "| handler | packets/s per session | packets/s in all | one thread: CPU per packet (us) | worst loss "
        "| two threads: CPU per packet (us) | worst loss | two / one |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for mode, rate in loads:
        one, two = runs[(mode, rate, 1)], runs[(mode, rate, 2)]
        lines.append(
            f"| {mode} | {rate} | {sessions * rate} | {cost(one):.2f} | {loss(one):.3f} % | {cost(two):.2f} "
            f"| {loss(two):.3f} % | {cost(two) / cost(one) if cost(one) else 0:.3f} |"
        )
    return lines + [""] + wake_alone()


def wake_alone(rates=(12_500, 25_000, 50_000), seconds=4):
    """Benchmarks/wake-cost: what a thread that sleeps in epoll_wait pays per wake-up, against the system calls
    of a wake-up alone; the kernel's part of the second packet thread, measured without mediamux."""
    binary = build_c_loop("wake-cost", "-pthread", ROOT / "Benchmarks" / "wake-cost" / "wake_cost.c")
    reports = [run_c_loop(binary, rate, seconds) for rate in rates]
    lines = [
        "### A wake-up alone: one thread in epoll_wait, 200-byte datagrams paced one at a time",
        "",
        "| datagrams/s | datagrams per wake-up | thread CPU per wake-up (us) | epoll_wait, nothing ready (us) "
        "| recvmmsg, nothing queued (us) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for report in reports:
        lines.append(
            f"| {report['rate']} | {report['datagrams_per_wake']:.2f} | {report['us_per_wake']:.2f} "
            f"| {report['epoll_wait_empty_ns'] / 1000:.2f} | {report['recvmmsg_empty_ns'] / 1000:.2f} |"
        )
    return lines + [""]


# What `--only` runs: a scenario and the block of docs/benchmarks.md it rewrites.
SCENARIOS = {"tcp": (tcp_against_udp, TCP_BLOCK), "threads": (threads_against_one, THREADS_BLOCK)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter runs and fewer sessions, for a smoke test")
    parser.add_argument("--document", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--micro", help="Markdown tables of the micro benchmarks to put in their block")
    parser.add_argument("--only", choices=sorted(SCENARIOS), help="run only this scenario and rewrite only its block")
    options = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    quick = options.quick
    if options.only:
        check_srtp_backend()
        scenario, markers = SCENARIOS[options.only]
        block = "\n".join(scenario(quick) + [measured_on(quick)])
        print(block)
        replace_block(Path(options.document), markers, block)
        return
    seconds = 2 if quick else 4
    lines = []

    # 1. Echo throughput against the reference, one I/O thread, 1200-byte SRTP (AEAD_AES_128_GCM).
    reference = Reference()
    try:
        reference_rate, reference_report = highest_clean_rate(reference, "reference", 20, seconds, 1_280_000)
    finally:
        reference.stop()
    mux_rate, mux_report = with_mediamux(lambda server: highest_clean_rate(server, "mediamux", 20, seconds, 1_280_000))
    ratio = mux_rate / reference_rate if reference_rate else 0.0
    lines += [
        "### Echo throughput: highest rate with < 0.1 % loss (20 sessions, 1200-byte SRTP, AEAD_AES_128_GCM, one I/O thread)",
        "",
        "| target | packets/s | p50 round trip (us) | p99 (us) | server CPU (% of a core) |",
        "|---|---:|---:|---:|---:|",
        f"| mediamux-reference | {reference_rate} | {percentile(reference_report, 'p50'):.0f} | {percentile(reference_report, 'p99'):.0f} | |"
        if reference_report else "| mediamux-reference | 0 | | | |",
        f"| mediamux | {mux_rate} | {percentile(mux_report, 'p50'):.0f} | {percentile(mux_report, 'p99'):.0f} | {mux_report['server']['cpu_percent']:.0f} |"
        if mux_report else "| mediamux | 0 | | | |",
        "",
        f"mediamux / reference: **{ratio:.2f}** (target: at least 0.90).",
        "",
    ]

    # 2. Session setup rate: API, ICE and DTLS as fast as they go, and what each setup cost the server.
    setup_sessions = 300 if quick else 3000

    def run_setup(server):
        before = cpu_seconds(server.process.pid)
        report = loadgen(
            "setup", "--api", server.api, "--sessions", setup_sessions, "--rate", 0, "--duration", 1,
            "--setup-rate", 100_000, "--setup-concurrency", 32, "--server-pid", server.process.pid,
        )
        return report, cpu_seconds(server.process.pid) - before

    setup_report, setup_cpu = with_mediamux(run_setup)
    setup = setup_report["setup"]
    failed = sum(setup["failed"].values())
    lines += [
        "### Session setup (API + ICE + DTLS 1.2 handshake), 32 at once",
        "",
        "| sessions | connected | failed | sessions/s | server CPU per setup (us) |",
        "|---:|---:|---:|---:|---:|",
        f"| {setup['requested']} | {setup['connected']} | {failed} | {setup['sessions_per_second']:.0f} "
        f"| {setup_cpu * 1e6 / max(1, setup['connected']):.0f} |",
        "",
        "Target: at least 1,000 sessions/s with no failure. The server's CPU per setup covers the whole run",
        "(creation, checks, handshake, deletion); where the load generator saturates first, that column is the figure.",
        "",
    ]

    # 3. Rooms: 1,000 sessions in pairs, 50 packets/s x 200 bytes each way, against the reference echoing the
    # same packet rate (one unprotect and one protect per packet, as a pair's relay does).
    room_sessions = 200 if quick else 1000
    room_seconds = 3 if quick else 10

    def run_room(server, name="room-pairs"):
        report = paced_load(
            name, server, "--mode", "room", "--sessions", room_sessions, "--rate", 50, "--size", 200,
            "--duration", room_seconds,
        )
        return report, residence_quantile(server.request("GET", "/metrics")[1], "room", 0.99)

    room, residence_p99 = with_mediamux(run_room)
    # The same with two packet threads: the pairs' tuples hash to either, so about half of the relays cross over.
    room_two, _ = with_mediamux(lambda server: run_room(server, "room-pairs-two-threads"), threads=2)
    reference = Reference()
    try:
        room_reference = loadgen(
            "room-reference", "--reference", reference.udp, "--server-pid", reference.process.pid, "--sessions", room_sessions,
            "--rate", 50, "--size", 200, "--duration", room_seconds,
        )
    finally:
        reference.stop()
    traffic = room["traffic"]
    room_cost = cpu_per_packet(room)
    reference_cost = cpu_per_packet(room_reference)
    lines += [
        f"### Rooms: {room_sessions} sessions in pairs, 50 packets/s x 200 bytes each",
        "",
        "| target | offered packets/s | delivered | loss | p50 (us) | p99 (us) | p99.9 (us) | server CPU (% of a core) | CPU per packet (us) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        row("mediamux, room pairs (one way)", room),
        row("mediamux, room pairs, two packet threads", room_two),
        row("mediamux-reference, echo (round trip)", room_reference),
        "",
        f"mediamux's residence p99 (`mediamux_packet_residence_seconds{{handler=\"room\"}}`): **{residence_p99 * 1e6:.0f} us**.",
        f"CPU per forwarded packet, mediamux / reference: **{room_cost / reference_cost if reference_cost else 0:.2f}**;",
        f"two packet threads / one: **{cpu_per_packet(room_two) / room_cost if room_cost else 0:.2f}**.",
        "",
        "Targets: < 0.1 % loss, residence p99 under 1 ms, CPU per forwarded packet at most 1.3 times the reference's,",
        "and with two packet threads not above that with one.",
        "The one-way time includes both SRTP passes of the load generator, so it bounds what mediamux adds from above.",
        "",
    ]

    # 4. Cost against the number of sessions: echo at 5 packets/s x 200 bytes; the largest run also gives memory.
    lines += [
        "### Cost against sessions: echo, 5 packets/s x 200 bytes per session",
        "",
        "| sessions | offered packets/s | delivered | loss | server CPU (% of a core) | CPU per packet (us) | resident per session after traffic (KiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    largest = None
    for sessions in ([100, 1000] if quick else [100, 1000, 5000, 10000]):
        report = with_mediamux(lambda server: paced_load(
            f"scale-{sessions}", server, "--sessions", sessions, "--rate", 5, "--size", 200,
            "--duration", seconds if sessions < 10000 else 10,
        ))
        traffic, cpu = report["traffic"], report["server"]["cpu_percent"]
        lines.append(
            f"| {sessions} | {traffic['offered_packets_per_second']:.0f} of {traffic['target_packets_per_second']:.0f} "
            f"| {traffic['delivered_packets_per_second']:.0f} | {traffic['loss_percent']:.3f} % | {cpu:.1f} "
            f"| {cpu_per_packet(report):.1f} | {report['server']['resident_bytes_per_session_after_traffic'] / 1024:.1f} |"
        )
        largest = report
    server = largest["server"]
    lines += [
        "",
        "Linear cost means a flat CPU-per-packet column.",
        "",
        f"### Memory: {largest['setup']['connected']} connected sessions with traffic",
        "",
        "| resident before (MiB) | all connected (MiB) | after the traffic (MiB) | per session connected (KiB) | per session after the traffic (KiB) |",
        "|---:|---:|---:|---:|---:|",
        f"| {server['resident_bytes_before'] / 2**20:.1f} | {server['resident_bytes_connected'] / 2**20:.1f} "
        f"| {server['resident_bytes_after_traffic'] / 2**20:.1f} | {server['resident_bytes_per_session'] / 1024:.1f} "
        f"| {server['resident_bytes_per_session_after_traffic'] / 1024:.1f} |",
        "",
        "Target: under 16 KiB per session with media flowing. A session frees its DTLS association on the first of",
        "its peer's SRTP or SRTCP packets at least 2 s after the handshake; the load generator's peers send SRTCP",
        "when DTLS is done and with every consent check (5 s) while the others are set up, as browsers send RTCP.",
        "",
    ]

    # 5. libsrtp2 alone, on each crypto library, against the number of sessions.
    lines += srtp_alone([100, 1000] if quick else [100, 1000, 5000, 10000])

    lines.append(measured_on(quick))
    block = "\n".join(lines)
    print(block)
    document = Path(options.document)
    replace_block(document, LOAD_BLOCK, block)
    for scenario, markers in SCENARIOS.values():
        scenario_block = "\n".join(scenario(quick) + [measured_on(quick)])
        print(scenario_block)
        replace_block(document, markers, scenario_block)
    if options.micro:
        micro = micro_table(Path(options.micro).read_text())
        print(micro)
        replace_block(document, MICRO_BLOCK, micro)


def measured_on(quick):
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return (f"Measured {time.strftime('%Y-%m-%d')} on {cpu}, {os.cpu_count()} cores, load generator on the same machine"
            f"{' (--quick)' if quick else ''}; reports in .build/bench/.")


def micro_table(markdown):
    """Condenses ordo-one/benchmark's Markdown (a table per benchmark) to one row each: p50 time and allocations."""
    rows, name = {}, None
    for line in markdown.splitlines():
        if line.startswith("### "):
            name = line[4:].strip()
        elif name and line.startswith("| Time (wall clock)"):
            rows.setdefault(name, {})["ns"] = float(line.split("|")[4].replace(",", ""))
        elif name and line.startswith("| Malloc (total)"):
            rows.setdefault(name, {})["mallocs"] = float(line.split("|")[4].replace(",", ""))
    reference = rows.get("Reference-classify-lookup", {}).get("ns")
    lines = [
        "| benchmark | p50 ns per operation | ratio to the reference | allocations per operation |",
        "|---|---:|---:|---:|",
    ]
    for name, row in rows.items():
        ratio = f"{row['ns'] / reference:.2f}" if reference and name.startswith(("Reference", "Route")) else ""
        lines.append(f"| {name} | {row.get('ns', 0):.0f} | {ratio} | {row.get('mallocs', 0):.0f} |")
    return "\n".join(lines)


def replace_block(document, markers, content):
    """Puts `content` between the two markers of `document`; the prose around them is kept by hand."""
    begin, end = markers
    text = document.read_text()
    if begin not in text or end not in text:
        raise SystemExit(f"{document} has no {begin} ... {end} block")
    head, rest = text.split(begin, 1)
    document.write_text(f"{head}{begin}\n{content}\n{end}{rest.split(end, 1)[1]}")


if __name__ == "__main__":
    main()
