"""Three mediamux nodes on loopback sharing one PostgreSQL store (Debian's server, started here): caps hold
across the cluster under concurrent creations on every node, a killed node's reservations are released
when its lease runs out, and while the store is down creations are refused and live sessions keep flowing."""

import asyncio
import os
import signal
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from cluster_node import LEASE_SECONDS, node_config
from mediamux_process import TOKEN, Mediamux, wait_for
from postgres_server import PostgresServer
from test_aioice import connect_agent


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()
    yield server
    server.close()


class Cluster:
    def __init__(self, postgres: PostgresServer, count=3, **limits):
        self.postgres = postgres
        self.store = postgres.create_database()
        self.nodes = {}
        for index in range(count):
            name = f"node-{'abc'[index]}"
            self.nodes[name] = Mediamux(node_config(self.store, name, **limits))
            # A burst queues on the store's locks; on this 2-core machine, with debug builds, an answer can
            # take seconds. What the tests check is which answers come, not how fast.
            self.nodes[name].request_timeout = 30
        for name, node in self.nodes.items():
            wait_for(lambda: self.state(node, name) == "up", timeout=15, message=f"{name} joining the cluster")

    @staticmethod
    def state(node: Mediamux, name: str):
        status, body = node.request("GET", "/v1/cluster/nodes")
        if status != 200:
            return None
        return next((entry["state"] for entry in body["nodes"] if entry["id"] == name), None)

    def create_everywhere(self, count: int, room=lambda i: "shared", user=lambda i: None) -> list:
        """`count` creations at once, spread round-robin over the nodes: their (status, body)."""
        nodes = list(self.nodes.values())

        def create(index):
            body = {} if user(index) is None else {"user": user(index)}
            return nodes[index % len(nodes)].request("POST", f"/v1/rooms/{room(index)}/sessions", body)

        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(create, range(count)))

    def close(self):
        for node in self.nodes.values():
            running = node.process.poll() is None
            code = node.stop()  # also removes the folder of a node a test killed or stopped
            assert not running or code == 0, node.final_output[-3000:]


@pytest.fixture
def cluster(postgres):
    made = []

    def make(**options):
        made.append(Cluster(postgres, **options))
        return made[-1]

    yield make
    for each in made:
        each.close()


def codes(results):
    return sorted(body.get("error", {}).get("code", "created") if status != 201 else "created" for status, body in results)


def test_sixty_parallel_creations_on_three_nodes_admit_exactly_the_room_cap(cluster):
    nodes = cluster()
    results = nodes.create_everywhere(60)
    assert codes(results).count("created") == 10, codes(results)
    assert set(codes(results)) == {"created", "room_full"}, codes(results)
    # Every node admitted some: the cap was shared, not reached by one node alone.
    listed = nodes.nodes["node-a"].request("GET", "/v1/cluster/nodes")[1]["nodes"]
    assert [entry["id"] for entry in listed] == ["node-a", "node-b", "node-c"]
    assert sum(entry["sessions"] for entry in listed) == 10 and all(entry["state"] == "up" for entry in listed), listed


def test_the_user_cap_and_each_nodes_capacity_hold_across_the_cluster(cluster):
    nodes = cluster(user_cap=5, total=4)
    by_user = nodes.create_everywhere(30, room=lambda i: f"room-{i}", user=lambda i: "ann")
    assert codes(by_user).count("created") == 5, codes(by_user)
    assert set(codes(by_user)) == {"created", "user_limit"}
    # Each node's capacity is its own max_sessions_total (4): 3 nodes, 12 at most, whatever the spread.
    by_total = nodes.create_everywhere(60, room=lambda i: f"other-{i}", user=lambda i: f"user-{i}")
    # Each node gets 20 of the 60 and fills up to 4, counting the 5 it may already hold for ann.
    assert codes(by_total).count("created") == 12 - 5, codes(by_total)
    assert set(codes(by_total)) == {"created", "capacity"}
    listed = nodes.nodes["node-b"].request("GET", "/v1/cluster/nodes")[1]["nodes"]
    assert [entry["sessions"] for entry in listed] == [4, 4, 4], listed


def test_a_killed_nodes_reservations_are_released_within_its_lease(cluster):
    nodes = cluster(room_cap=6)
    results = nodes.create_everywhere(6, room=lambda i: "call")
    assert codes(results).count("created") == 6
    a = nodes.nodes["node-a"]
    # The room was placed on one node, which holds all six, whichever node each creation reached.
    held = holder_of(a)
    owner = next(name for name, count in held.items() if count == 6)
    survivor = next(node for name, node in nodes.nodes.items() if name != owner)
    assert survivor.request("POST", "/v1/rooms/call/sessions", {})[1]["error"]["code"] == "room_full"
    victim = nodes.nodes[owner]
    os.kill(victim.process.pid, signal.SIGKILL)
    victim.process.wait()
    # Once its lease runs out its six stop counting, and the room, placed again, takes six more.
    wait_for(lambda: Cluster.state(survivor, owner) == "dead", timeout=LEASE_SECONDS * 3, message=f"{owner} dead")
    assert [survivor.request("POST", "/v1/rooms/call/sessions", {})[0] for _ in range(7)] == [201] * 6 + [409]
    assert holder_of(survivor)[owner] == 0


def test_creations_are_refused_while_the_store_is_down_and_live_sessions_keep_flowing(cluster, postgres):
    nodes = cluster(count=1, store_timeout=2)
    node = nodes.nodes["node-a"]
    status, session = node.request("POST", "/v1/rooms/live/sessions", {"handler": "datagram_echo"})
    assert status == 201, session

    async def echo_through_outage():
        agent = await connect_agent(session)
        try:
            await agent.send(b"\x80\x60before")
            assert await asyncio.wait_for(agent.recv(), 3) == b"\x80\x60before"
            await asyncio.to_thread(postgres.stop)
            try:
                status, body = await asyncio.to_thread(node.request, "POST", "/v1/rooms/live/sessions", {})
                assert (status, body["error"]["code"]) == (503, "admission_unavailable"), body
                await agent.send(b"\x80\x60during")
                assert await asyncio.wait_for(agent.recv(), 3) == b"\x80\x60during"
            finally:
                await asyncio.to_thread(postgres.start)
            # The pool reconnects: creations work again.
            created = await asyncio.to_thread(
                wait_for, lambda: node.request("POST", "/v1/rooms/live/sessions", {})[0] == 201, 15, 0.2, "creations again")
            assert created
            await agent.send(b"\x80\x60after")
            assert await asyncio.wait_for(agent.recv(), 3) == b"\x80\x60after"
        finally:
            await agent.close()

    asyncio.run(asyncio.wait_for(echo_through_outage(), 40))
    assert node.session(session["id"])["state"] == "connected"


def holder_of(via: Mediamux) -> dict:
    """Sessions per node id, as the store counts them."""
    return {entry["id"]: entry["sessions"] for entry in via.request("GET", "/v1/cluster/nodes")[1]["nodes"]}


def answering_node(via: Mediamux, path: str) -> str:
    """The `Mediamux-Node` of a GET through `via`: the node that answered, forwarded or not."""
    request = urllib.request.Request(via.api + path, headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["Mediamux-Node"]


def test_two_aiortc_peers_created_through_different_nodes_hear_each_other(cluster):
    from aiortc import RTCBundlePolicy

    from test_aiortc import ECHO_TIMEOUT, EchoCall

    nodes = cluster()
    a, b = nodes.nodes["node-a"], nodes.nodes["node-b"]

    def assert_both_on_the_rooms_node(alice_session, bob_session):
        """Both sessions on the room's node, whichever node each creation reached, and each read through
        every node answered by that node. While the calls are up: a closed session leaves the store, and
        then only its own node can read it (docs/cluster.md)."""
        held = holder_of(a)
        assert sorted(held.values()) == [0, 0, 2], held
        owner = next(name for name, count in held.items() if count == 2)
        for node in nodes.nodes.values():
            status, body = node.request("GET", f"/v1/sessions/{alice_session['id']}")
            assert status == 200 and body["room"] == "call", (node.api, status, body)
            assert answering_node(node, f"/v1/sessions/{bob_session['id']}") == owner, node.api

    async def run():
        alice, bob = EchoCall(RTCBundlePolicy.MAX_BUNDLE), EchoCall(RTCBundlePolicy.MAX_BUNDLE)
        try:
            _, alice_session = await alice.join(a, "call", "room")
            _, bob_session = await bob.join(b, "call", "room")
            await alice.wait_for_echo()
            await bob.wait_for_echo()
            heard_by_alice, heard_by_bob = await alice.ssrcs(), await bob.ssrcs()
            for kind in ("audio", "video"):
                assert heard_by_bob[kind][0] in heard_by_alice[kind][1], (kind, heard_by_alice, heard_by_bob)
                assert heard_by_alice[kind][0] in heard_by_bob[kind][1], (kind, heard_by_alice, heard_by_bob)
            # Off the event loop, so the peers keep sending media and consent checks meanwhile.
            await asyncio.to_thread(assert_both_on_the_rooms_node, alice_session, bob_session)
        finally:
            await alice.close()
            await bob.close()

    asyncio.run(asyncio.wait_for(run(), ECHO_TIMEOUT + 20))


def test_reads_and_deletions_work_from_any_node_and_a_dead_nodes_rooms_are_placed_again(cluster):
    nodes = cluster()
    a = nodes.nodes["node-a"]
    status, session = a.request("POST", "/v1/rooms/moving/sessions", {})
    assert status == 201, session
    owner = next(name for name, count in holder_of(a).items() if count == 1)
    others = [node for name, node in nodes.nodes.items() if name != owner]
    assert others[0].request("GET", f"/v1/sessions/{session['id']}")[1]["id"] == session["id"]
    assert others[1].request("DELETE", f"/v1/sessions/{session['id']}")[0] == 204
    assert holder_of(others[0])[owner] == 0

    assert others[0].request("POST", "/v1/rooms/moving/sessions", {})[0] == 201
    assert holder_of(others[0])[owner] == 1, "the room stays on its node while that node lives"
    victim = nodes.nodes[owner]
    os.kill(victim.process.pid, signal.SIGKILL)
    victim.process.wait()
    wait_for(lambda: Cluster.state(others[0], owner) == "dead", timeout=LEASE_SECONDS * 3, message=f"{owner} dead")
    status, moved = others[1].request("POST", "/v1/rooms/moving/sessions", {})
    assert status == 201, moved
    held = holder_of(others[0])
    assert held[owner] == 0 and sum(held.values()) == 1, held


def test_a_draining_node_gets_no_new_rooms_and_its_sessions_end_with_close_notify(cluster):
    from aiortc import RTCBundlePolicy

    from test_aiortc import EchoCall

    nodes = cluster(count=2, drain=2)
    a = nodes.nodes["node-a"]

    async def run():
        call = EchoCall(RTCBundlePolicy.MAX_BUNDLE)
        try:
            _, session = await call.join(a, "drained", "echo")
            await call.wait_for_echo()
            owner = next(name for name, count in holder_of(a).items() if count == 1)
            other = next(name for name in nodes.nodes if name != owner)
            # Asked of the other node, which forwards it.
            status, body = await asyncio.to_thread(
                nodes.nodes[other].request, "POST", f"/v1/cluster/nodes/{owner}/drain", {})
            assert (status, body["state"]) == (202, "draining"), body
            assert nodes.nodes[owner].request("GET", "/healthz") == (503, {"status": "draining"})
            await asyncio.to_thread(
                wait_for, lambda: Cluster.state(a, owner) == "draining", 5, 0.1, f"{owner} draining")
            # A new room goes to the other node, even when asked of the draining one.
            assert nodes.nodes[owner].request("POST", "/v1/rooms/fresh/sessions", {})[0] == 201
            assert holder_of(a)[other] == 1
            # The session goes on until the deadline, then ends with a close_notify the peer sees at once.
            assert call.pc.connectionState == "connected"
            await until_closed(call, timeout=8)
            return session, owner
        finally:
            await call.close()

    session, owner = asyncio.run(asyncio.wait_for(run(), 40))
    ended = nodes.nodes[owner].session(session["id"])
    assert (ended["state"], ended["close_reason"]) == ("closed", "shutdown"), ended
    assert nodes.nodes[owner].process.poll() is None, "a drained node stays up until it is stopped"


def test_sigterm_drains_a_cluster_node_before_it_stops(cluster):
    from aiortc import RTCBundlePolicy

    from test_aiortc import EchoCall

    nodes = cluster(count=2, drain=2)
    a = nodes.nodes["node-a"]

    async def run():
        call = EchoCall(RTCBundlePolicy.MAX_BUNDLE)
        try:
            _, session = await call.join(a, "leaving", "echo")
            await call.wait_for_echo()
            owner = next(name for name, count in holder_of(a).items() if count == 1)
            other = nodes.nodes[next(name for name in nodes.nodes if name != owner)]
            stopping = nodes.nodes[owner]
            stopping.process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(
                wait_for, lambda: Cluster.state(other, owner) == "draining", 5, 0.1, f"{owner} draining")
            # Still serving while it drains, so probes see it leave and requests are not cut off.
            assert stopping.request("GET", "/healthz") == (503, {"status": "draining"})
            assert call.pc.connectionState == "connected"
            await until_closed(call, timeout=8)
            return owner, other
        finally:
            await call.close()

    owner, other = asyncio.run(asyncio.wait_for(run(), 40))
    stopping = nodes.nodes[owner]
    assert stopping.process.wait(timeout=10) == 0, stopping.output()[-3000:]
    assert holder_of(other).get(owner, 0) == 0, "its reservation was released before it stopped"


async def until_closed(call, timeout):
    deadline = asyncio.get_running_loop().time() + timeout
    while call.pc.connectionState != "closed":
        assert asyncio.get_running_loop().time() < deadline, f"aiortc still {call.pc.connectionState}"
        await asyncio.sleep(0.05)
