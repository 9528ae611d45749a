"""ICE-TCP with a real WebRTC stack in one room with a UDP peer: aiortc's own ICE, DTLS and SRTP reach mediamux
over a TCP connection, and both peers decode each other's audio and video.

aioice speaks ICE over UDP only, so the TCP peer's datagrams pass through a small shim: each datagram from
aiortc becomes one RFC 4571 frame on a TCP connection to mediamux's passive candidate, and each frame back a
datagram. mediamux sees an ICE-TCP client; aiortc sees a UDP candidate, the shim's.
"""

import asyncio

from aiortc import RTCBundlePolicy

from test_aiortc import ECHO_TIMEOUT, EchoCall


class DatagramToStreamShim(asyncio.DatagramProtocol):
    """Frames one UDP peer's datagrams onto a TCP connection to `server`, and the frames back into datagrams."""

    def __init__(self, server: tuple[str, int]):
        self.server = server
        self.udp = None
        self.peer = None
        self.writer = None
        self.pending = []
        self.frames_each_way = [0, 0]

    def connection_made(self, transport):
        self.udp = transport

    def datagram_received(self, data, address):
        if self.peer is None:
            self.peer = address
            asyncio.ensure_future(self._connect())
        framed = len(data).to_bytes(2, "big") + data
        self.frames_each_way[0] += 1
        if self.writer is None:
            self.pending.append(framed)
        else:
            self.writer.write(framed)

    async def _connect(self):
        reader, self.writer = await asyncio.open_connection(*self.server)
        for framed in self.pending:
            self.writer.write(framed)
        self.pending.clear()
        try:
            while True:
                length = int.from_bytes(await reader.readexactly(2), "big")
                self.udp.sendto(await reader.readexactly(length), self.peer)
                self.frames_each_way[1] += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass

    def close(self):
        if self.writer:
            self.writer.close()
        self.udp.close()


def candidate(answer: str, transport: str) -> tuple[str, int]:
    for line in answer.splitlines():
        if line.startswith("a=candidate:") and line.split()[2] == transport:
            return line.split()[4], int(line.split()[5])
    raise AssertionError(f"no {transport} candidate in the answer:\n{answer}")


def through_shim(answer: str, shim_port: int) -> str:
    """The answer with its candidates replaced by the shim's, so aiortc sends every datagram to it."""
    lines = [line for line in answer.splitlines() if not line.startswith("a=candidate:")]
    out = []
    for line in lines:
        out.append(line)
        if line.startswith("a=ice-pwd:"):
            out.append(f"a=candidate:1 1 udp 2130706431 127.0.0.1 {shim_port} typ host")
    return "\r\n".join(out) + "\r\n"


def test_a_udp_peer_and_a_tcp_peer_in_one_room_hear_each_other(mediamux):
    async def run():
        udp_peer, tcp_peer = EchoCall(RTCBundlePolicy.MAX_BUNDLE), EchoCall(RTCBundlePolicy.MAX_BUNDLE)
        shim = None
        try:
            _, udp_session = await udp_peer.join(mediamux, "mixed", "room")

            offer = await tcp_peer.offer()
            status, tcp_session = await asyncio.to_thread(
                mediamux.request, "POST", "/v1/rooms/mixed/sessions", {"handler": "room", "offer": offer}
            )
            assert status == 201, tcp_session
            loop = asyncio.get_running_loop()
            transport, shim = await loop.create_datagram_endpoint(
                lambda: DatagramToStreamShim(candidate(tcp_session["answer"], "tcp")), local_addr=("127.0.0.1", 0)
            )
            await tcp_peer.accept(through_shim(tcp_session["answer"], transport.get_extra_info("sockname")[1]))

            await udp_peer.wait_for_echo()
            await tcp_peer.wait_for_echo()
            heard_by_udp, heard_by_tcp = await udp_peer.ssrcs(), await tcp_peer.ssrcs()
            for kind in ("audio", "video"):
                assert heard_by_tcp[kind][0] in heard_by_udp[kind][1], (kind, heard_by_udp, heard_by_tcp)
                assert heard_by_udp[kind][0] in heard_by_tcp[kind][1], (kind, heard_by_udp, heard_by_tcp)
            assert min(shim.frames_each_way) > 0, shim.frames_each_way
            for session, transport in ((udp_session, "udp"), (tcp_session, "tcp")):
                selected = (await asyncio.to_thread(mediamux.session, session["id"]))["selected"]
                assert selected["transport"] == transport, selected
        finally:
            await udp_peer.close()
            await tcp_peer.close()
            if shim:
                shim.close()

    asyncio.run(asyncio.wait_for(run(), ECHO_TIMEOUT + 20))
    assert mediamux.metric("mediamux_tcp_frames_total", direction="in", **{"class": "rtp"}) > 0
    assert mediamux.metric("mediamux_tcp_frames_total", direction="out", **{"class": "rtp"}) > 0
    assert mediamux.metric("mediamux_dtls_handshakes_total", result="completed") == 2
