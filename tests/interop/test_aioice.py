"""A real full ICE agent (aioice, controlling) against mediamux's ICE-lite port."""

import asyncio
import socket

import aioice
import aioice.ice
import pytest

from mediamux_process import wait_for

# aioice skips loopback on purpose; these tests run on loopback only.
aioice.ice.get_host_addresses = lambda use_ipv4=True, use_ipv6=True: ["127.0.0.1"]
# Consent checks every ~0.5 s instead of ~5 s, so a test can outlive the server's 3 s consent timeout quickly.
aioice.ice.CONSENT_INTERVAL = 0.5


async def connect_agent(session, password=None, timeout=5.0):
    agent = aioice.Connection(ice_controlling=True)
    await agent.gather_candidates()
    agent.remote_username = session["ice"]["ufrag"]
    agent.remote_password = password or session["ice"]["pwd"]
    for line in session["ice"]["candidates"]:
        await agent.add_remote_candidate(aioice.Candidate.from_sdp(line.removeprefix("candidate:")))
    await agent.add_remote_candidate(None)
    try:
        await asyncio.wait_for(agent.connect(), timeout)
    except BaseException:
        await agent.close()
        raise
    return agent


def test_aioice_connects_nominates_and_echoes(mediamux):
    session = mediamux.create_session(handler="datagram_echo")

    async def run():
        agent = await connect_agent(session)
        try:
            await agent.send(b"\x80\x60hello mediamux")
            return await asyncio.wait_for(agent.recv(), 3)
        finally:
            await agent.close()

    assert asyncio.run(run()) == b"\x80\x60hello mediamux"


def test_stays_connected_through_consent_checks_and_expires_without_them(mediamux):
    session = mediamux.create_session(handler="discard")

    async def run():
        agent = await connect_agent(session)
        state = mediamux.session(session["id"])
        assert state["state"] == "connected"
        assert state["selected"]["remote"].startswith("127.0.0.1:")
        answered = mediamux.metric("mediamux_udp_packets_total", direction="out", **{"class": "stun"})
        # Twice the 3 s consent timeout, in small steps, without waiting on wall-clock guesses.
        for _ in range(60):
            await asyncio.sleep(0.1)
            assert mediamux.session(session["id"])["state"] == "connected"
        assert mediamux.metric("mediamux_udp_packets_total", direction="out", **{"class": "stun"}) >= answered + 5
        await agent.close()

    asyncio.run(run())
    closed = wait_for(lambda: mediamux.session(session["id"])["state"] == "closed", timeout=6, message="consent expiry")
    assert closed
    assert mediamux.session(session["id"])["close_reason"] == "consent_expired"
    assert mediamux.metric("mediamux_session_closed_total", reason="consent_expired") == 1


def test_wrong_password_is_refused_binds_nothing_and_is_counted(mediamux):
    session = mediamux.create_session(handler="discard")
    with pytest.raises((ConnectionError, asyncio.TimeoutError)):
        asyncio.run(connect_agent(session, password="x" * 24, timeout=3))
    assert mediamux.session(session["id"])["tuples"] == []
    assert mediamux.metric("mediamux_udp_dropped_total", reason="bad_integrity") >= 1


def test_unknown_ufrag_and_garbage_are_dropped_silently_and_counted(mediamux):
    session = mediamux.create_session(handler="discard")
    stranger = dict(session, ice=dict(session["ice"], ufrag="nobody1"))
    with pytest.raises((ConnectionError, asyncio.TimeoutError)):
        asyncio.run(connect_agent(stranger, timeout=2))

    host, port = mediamux.udp[0].rsplit(":", 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:
        raw.settimeout(0.3)
        for payload in (b"\xff" * 40, b"\x80\x60" + b"\x00" * 30, b"\x00\x01\x00"):
            raw.sendto(payload, (host, int(port)))
        with pytest.raises(socket.timeout):
            raw.recvfrom(2048)

    for reason in ("unknown_ufrag", "unknown_class", "unknown_address", "malformed"):
        wait_for(lambda: mediamux.metric("mediamux_udp_dropped_total", reason=reason) >= 1, message=reason)
