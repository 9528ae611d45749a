"""Spoofed and flooding datagrams against live aiortc sessions, sent from raw sockets in the lo-only network
namespace that test_attack.py runs this in (`unshare --net`). Prints one JSON line: what each attack cost.

The victims are aiortc peers sending a tone to mediamux's echo. The attacker can forge any source address,
knows the victims' addresses and ufrags, and holds a valid session of its own.
"""

import asyncio
import json
import multiprocessing
import os
import random
import socket
import struct
import sys
import time

from aioice import stun
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from mediamux_process import Mediamux
from test_aiortc import ToneTrack, until

CONFIG = """
udp:
  mode: single
  bind: ["127.0.0.1"]
  port: 0
  receive_buffer_bytes: 4194304
api:
  host: 127.0.0.1
  port: 0
session:
  consent_timeout: 10
log:
  level: info
"""
VICTIMS = 3
FLOOD_SOURCES = 4096


class Victim:
    """An aiortc peer sending a 440 Hz tone to the echo, counting the frames it decodes back."""

    def __init__(self):
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.pc.addTrack(ToneTrack())
        self.frames = 0
        self.tasks = []
        self.pc.on("track", lambda track: self.tasks.append(asyncio.ensure_future(self._consume(track))))

    async def _consume(self, track):
        try:
            while True:
                await track.recv()
                self.frames += 1
        except MediaStreamError:
            pass

    async def connect(self, mediamux):
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await until(lambda: self.pc.iceGatheringState == "complete", 5, "ICE gathering")
        status, session = await asyncio.to_thread(
            mediamux.request, "POST", "/v1/rooms/victims/sessions", {"handler": "echo", "offer": self.pc.localDescription.sdp}
        )
        assert status == 201, session
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=session["answer"], type="answer"))
        await until(lambda: self.frames >= 10, 15, "echoed audio")
        self.id = session["id"]
        self.ufrag = session["ice"]["ufrag"]
        state = await asyncio.to_thread(mediamux.session, self.id)
        self.selected = state["selected"]["remote"]
        host, port = self.selected.rsplit(":", 1)
        self.address = (host, int(port))

    async def rtp_counts(self):
        """(RTP packets aiortc sent, RTP packets it received back) so far."""
        stats = (await self.pc.getStats()).values()
        sent = sum(s.packetsSent for s in stats if s.type == "outbound-rtp")
        received = sum(s.packetsReceived for s in stats if s.type == "inbound-rtp")
        return sent, received

    async def close(self):
        await self.pc.close()
        for task in self.tasks:
            task.cancel()


def spoofed(payload: bytes, source, destination) -> bytes:
    """An IPv4 datagram from `source` to `destination`; the kernel fills in the checksum."""
    udp = struct.pack("!HHHH", source[1], destination[1], 8 + len(payload), 0) + payload
    header = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, socket.IPPROTO_UDP, 0,
        socket.inet_aton(source[0]), socket.inet_aton(destination[0]),
    )
    return header + udp


def send_raw(packets, rate):
    """Sends prebuilt IPv4 datagrams through a raw socket, paced at `rate` per second."""
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    start = time.monotonic()
    for index, packet in enumerate(packets):
        if index % 256 == 0:
            ahead = start + index / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        try:
            raw.sendto(packet, ("127.0.0.1", 0))
        except OSError:
            pass  # ENOBUFS under load: the flood is only as full as the kernel takes it


def flood_sources(count):
    """`count` distinct (ip, port) sources in 127.1.0.0/16, none of them bound."""
    return [(f"127.1.{i // 256 % 256}.{i % 256 or 1}", 20000 + i % 256) for i in range(count)]


def check(ufrag, password, use_candidate=True):
    message = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
    message.attributes["USERNAME"] = f"{ufrag}:attacker"
    message.attributes["PRIORITY"] = 1853824767
    message.attributes["ICE-CONTROLLING"] = random.getrandbits(64)
    if use_candidate:
        message.attributes["USE-CANDIDATE"] = None
    message.add_message_integrity(password.encode())
    message.add_fingerprint()
    return bytes(message)


def dtls_record(content_type, epoch, body, sequence=7):
    return struct.pack("!BHH", content_type, 0xFEFD, epoch) + sequence.to_bytes(6, "big") + struct.pack("!H", len(body)) + body


# The shapes that closed connected sessions (an alert, a ChangeCipherSpec or short application data in the
# current epoch), then full-length forgeries and other epochs.
RECORD_SHAPES = (
    [dtls_record(21, 1, b"\x02\x28"), dtls_record(21, 1, b"\x01\x00"), dtls_record(20, 1, b"\x01")]
    + [dtls_record(23, 1, b"\x5a" * length) for length in range(1, 24)]
    + [dtls_record(23, 1, os.urandom(40)), dtls_record(21, 1, os.urandom(40)), dtls_record(21, 0, b"\x02\x28")]
)


class Attack:
    def __init__(self, mediamux, victims):
        self.mediamux = mediamux
        self.victims = victims
        host, port = mediamux.udp[0].rsplit(":", 1)
        self.server = (host, int(port))

    def metric(self, name, **labels):
        return self.mediamux.metric(name, **labels)

    async def measure(self, send, settle=1.5):
        """Runs `send` in a process of its own while the victims' media flows, then reports the victims'
        RTP loss over that time, whether they are still connected, and their selected tuples."""
        before = [await victim.rtp_counts() for victim in self.victims]
        started = time.monotonic()
        process = multiprocessing.Process(target=send)
        process.start()
        while process.is_alive():
            await asyncio.sleep(0.05)
        duration = time.monotonic() - started
        await asyncio.sleep(settle)
        after = [await victim.rtp_counts() for victim in self.victims]
        sent = sum(a[0] - b[0] for a, b in zip(after, before))
        received = sum(a[1] - b[1] for a, b in zip(after, before))
        states = [await asyncio.to_thread(self.mediamux.session, victim.id) for victim in self.victims]
        return {
            "duration": round(duration, 2),
            "rtp_sent": sent,
            "rtp_received": received,
            "connected": all(state["state"] == "connected" for state in states),
            "selected_kept": all(
                state["selected"] and state["selected"]["remote"] == victim.selected for state, victim in zip(states, self.victims)
            ),
            "close_reasons": [state.get("close_reason") for state in states],
        }

    async def forged_dtls_records(self):
        drops = lambda: sum(self.metric("mediamux_media_dropped_total", reason=r) for r in ("dtls_unauthenticated", "dtls_after_release"))
        dropped = drops()
        stranger = (self.victims[0].address[0], self.victims[0].address[1] ^ 1)
        packets = [spoofed(shape, victim.address, self.server) for victim in self.victims for shape in RECORD_SHAPES]
        packets += [spoofed(shape, stranger, self.server) for shape in RECORD_SHAPES]
        result = await self.measure(lambda: send_raw(packets, 5000))
        result["sent_from_victims"] = len(RECORD_SHAPES) * len(self.victims)
        result["dropped_dtls"] = drops() - dropped
        return result

    async def address_takeover(self):
        own = self.mediamux.create_session("attacker", handler="echo")
        conflicts = self.metric("mediamux_udp_dropped_total", reason="address_conflict")
        packets = [
            spoofed(check(own["ice"]["ufrag"], own["ice"]["pwd"], nominate), victim.address, self.server)
            for victim in self.victims for nominate in (False, True)
        ]
        result = await self.measure(lambda: send_raw(packets, 1000))
        result["sent"] = len(packets)
        result["address_conflicts"] = self.metric("mediamux_udp_dropped_total", reason="address_conflict") - conflicts
        result["attacker_tuples"] = len(self.mediamux.session(own["id"])["tuples"])
        return result

    async def wrong_password_flood(self, count=40000, rate=20000):
        counters = ("bad_integrity", "ufrag_rate_limited", "rate_limited")
        before = {reason: self.metric("mediamux_udp_dropped_total", reason=reason) for reason in counters}
        answers = self.metric("mediamux_udp_packets_total", direction="out", **{"class": "stun"})
        bytes_out = self.metric("mediamux_udp_bytes_total", direction="out")
        bytes_in = self.metric("mediamux_udp_bytes_total", direction="in")
        sources = flood_sources(FLOOD_SOURCES)
        # Every victim's ufrag, as a flood spread over many IPs, each under its per-IP budget.
        guesses = [check(victim.ufrag, "not-the-password-at-all", False) for victim in self.victims]
        packets = [spoofed(guesses[i % len(guesses)], sources[i % len(sources)], self.server) for i in range(count)]
        result = await self.measure(lambda: send_raw(packets, rate))
        result["sent"] = count
        result.update({reason: self.metric("mediamux_udp_dropped_total", reason=reason) - before[reason] for reason in counters})
        # What went out beyond the victims' own echo and consent answers, against what the flood sent.
        result["stun_out"] = self.metric("mediamux_udp_packets_total", direction="out", **{"class": "stun"}) - answers
        result["bytes_out"] = self.metric("mediamux_udp_bytes_total", direction="out") - bytes_out
        result["bytes_in"] = self.metric("mediamux_udp_bytes_total", direction="in") - bytes_in
        return result

    async def mixed_flood(self, count=40000, rate=20000):
        dropped = self.metric("mediamux_udp_dropped_total")
        sources = [(f"127.2.{i // 256 % 256}.{i % 256 or 1}", 30000 + (i * 7) % 256) for i in range(FLOOD_SOURCES * 4)]
        unknown = check("nobody", "whatever-whatever-whatever")
        shapes = [unknown, b"\x00\x01\x00\x00" + os.urandom(16), dtls_record(22, 0, os.urandom(60)), b"\x80\x6f" + os.urandom(170), os.urandom(50)]
        packets = [spoofed(shapes[i % len(shapes)], sources[i % len(sources)], self.server) for i in range(count)]
        result = await self.measure(lambda: send_raw(packets, rate))
        result["sent"] = count
        result["dropped"] = self.metric("mediamux_udp_dropped_total") - dropped
        return result


async def main():
    mediamux = Mediamux(CONFIG)
    victims = [Victim() for _ in range(VICTIMS)]
    report = {}
    try:
        for victim in victims:
            await victim.connect(mediamux)
        attack = Attack(mediamux, victims)
        for name in ("forged_dtls_records", "address_takeover", "wrong_password_flood", "mixed_flood"):
            report[name] = await getattr(attack, name)()
        report["kernel_drops"] = mediamux.metric("mediamux_socket_kernel_drops")
    finally:
        for victim in victims:
            await victim.close()
        report["exit_code"] = mediamux.stop()
    print(json.dumps(report))


if __name__ == "__main__":
    multiprocessing.set_start_method("fork")
    asyncio.run(asyncio.wait_for(main(), 180))
