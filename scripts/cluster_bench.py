#!/usr/bin/env python3
"""The cluster scenario of docs/benchmarks.md: session creations per second through one node and through
three nodes sharing one PostgreSQL store (Debian's server, started here as the tests start it), and what
forwarding adds to a creation's latency. Release binaries; rewrites the cluster block of docs/benchmarks.md.

    scripts/cluster_bench.py [--quick] [--document docs/benchmarks.md]
"""

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "interop"))
from bench import ROOT, Mediamux, replace_block, wait_for  # noqa: E402
from cluster_node import node_config  # noqa: E402
from postgres_server import PostgresServer  # noqa: E402

CLUSTER_BLOCK = ("<!-- cluster-benchmark:begin -->", "<!-- cluster-benchmark:end -->")
# Caps out of the way, and the product's own lease and store timeout.
NODE_SETTINGS = dict(room_cap=100000, user_cap=100000, total=100000, drain=0, store_timeout=3, lease_seconds=10,
                     handler="discard", creates_per_second=100000, log_level="warning")


def start_nodes(store, count):
    nodes = [Mediamux(node_config(store, f"node-{index}", **NODE_SETTINGS)) for index in range(count)]
    for index, node in enumerate(nodes):
        wait_for(lambda: any(entry["id"] == f"node-{index}" and entry["state"] == "up"
                             for entry in node.request("GET", "/v1/cluster/nodes")[1].get("nodes", [])),
                 timeout=15, message="node up")
    return nodes


def creation_rate(nodes, count, workers):
    """`count` creations, each in a room of its own, spread round-robin over `nodes`: creations per second."""
    def create(index):
        status, _ = nodes[index % len(nodes)].request("POST", f"/v1/rooms/bench-{index}/sessions", {})
        return status

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        statuses = list(pool.map(create, range(count)))
    seconds = time.monotonic() - start
    return count / seconds, statuses.count(201)


def create_latency(node, room, count):
    """Median and p90 of one creation at a time in `room` through `node`, in milliseconds."""
    times = []
    for _ in range(count):
        start = time.monotonic()
        status, _ = node.request("POST", f"/v1/rooms/{room}/sessions", {})
        times.append((time.monotonic() - start) * 1000)
        assert status == 201
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--document", default=str(ROOT / "docs" / "benchmarks.md"))
    options = parser.parse_args()
    count, workers, samples = (300, 16, 30) if options.quick else (2000, 32, 200)
    postgres = PostgresServer()
    lines = []
    try:
        rates = {}
        for size in (1, 3):
            nodes = start_nodes(postgres.create_database(), size)
            try:
                creation_rate(nodes, 50, workers)  # warm the pools
                rates[size] = creation_rate(nodes, count, workers)
            finally:
                for node in nodes:
                    node.stop()
        # On an empty store, the room's first creation places it; the node that then holds a session owns it.
        nodes = start_nodes(postgres.create_database(), 3)
        try:
            assert nodes[0].request("POST", "/v1/rooms/latency/sessions", {})[0] == 201
            held = {entry["id"]: entry["sessions"] for entry in nodes[0].request("GET", "/v1/cluster/nodes")[1]["nodes"]}
            owner = next(index for index in range(3) if held[f"node-{index}"] == 1)
            direct = create_latency(nodes[owner], "latency", samples)
            forwarded = create_latency(nodes[(owner + 1) % 3], "latency", samples)
        finally:
            for node in nodes:
                node.stop()
        lines += [
            f"### Session creations through a cluster: {count} creations, {workers} at once, one room each",
            "",
            "| nodes | creations/s | admitted |",
            "|---:|---:|---:|",
            f"| 1 | {rates[1][0]:.0f} | {rates[1][1]} |",
            f"| 3 | {rates[3][0]:.0f} | {rates[3][1]} |",
            "",
            f"Three nodes / one: **{rates[3][0] / rates[1][0]:.2f}**.",
            "",
            f"### A creation's latency, one at a time ({samples} each), on the room's node and forwarded to it",
            "",
            "| asked of | median (ms) | p90 (ms) |",
            "|---|---:|---:|",
            f"| the room's node | {direct[0]:.2f} | {direct[1]:.2f} |",
            f"| another node (forwarded) | {forwarded[0]:.2f} | {forwarded[1]:.2f} |",
            "",
            f"Forwarding adds **{forwarded[0] - direct[0]:.2f} ms** at the median.",
            "",
            f"Measured {time.strftime('%Y-%m-%d')} on this machine (2 cores shared by PostgreSQL, the nodes and the "
            f"client){' (--quick)' if options.quick else ''}.",
        ]
    finally:
        postgres.close()
    block = "\n".join(lines)
    print(block)
    replace_block(Path(options.document), CLUSTER_BLOCK, block)


if __name__ == "__main__":
    main()
