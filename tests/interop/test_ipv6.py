"""IPv6 with real peers (issue 10, item 6): aiortc and Firefox over ::1, through the same single port that
serves IPv4."""

import asyncio

import aioice.ice

from mediamux_process import Mediamux
from test_aiortc import ECHO_TIMEOUT, EchoCall, check_echoed_media, until
from test_browser import run_in_loopback_namespace

DUAL_STACK = """
udp:
  mode: single
  bind: ["127.0.0.1", "::1"]
  port: 0
api:
  host: 127.0.0.1
  port: 0
"""


def test_aiortc_echo_over_ipv6_loopback_on_the_single_port(monkeypatch):
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4=True, use_ipv6=True: ["::1"])
    server = Mediamux(DUAL_STACK)
    try:
        v4, v6 = sorted(server.udp, key=lambda address: address.startswith("["))
        assert v6.startswith("[::1]:") and v4.rsplit(":", 1)[1] == v6.rsplit(":", 1)[1], server.udp

        async def run():
            call = EchoCall()
            try:
                _, session = await call.join(server, "v6", "echo")
                await call.wait_for_echo()
                check_echoed_media(call)
                state = await until(
                    lambda: asyncio.to_thread(lambda: (s := server.session(session["id"]))["state"] == "connected" and s),
                    5, "the session connected",
                )
                assert state["selected"]["remote"].startswith("[::1]:"), state
                assert state["selected"]["local"] == v6, state
            finally:
                await call.close()

        asyncio.run(asyncio.wait_for(run(), ECHO_TIMEOUT + 15))
    finally:
        assert server.stop() == 0


def test_firefox_echo_over_ipv6_loopback():
    result = run_in_loopback_namespace("firefox_check.py", "echo", "30", "40", "::1", timeout=150)
    assert result["stats"]["connectionState"] == "connected", result
    assert result["stats"]["video"]["framesDecoded"] >= 30, result
    assert result["session"]["selected"]["remote"].startswith("[::1]:"), result
