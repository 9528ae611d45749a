"""The rtp bridge between a WebRTC peer (aiortc) and a plain RTP tool nobody here wrote (GStreamer).

aiortc sends VP8 video through DTLS-SRTP; mediamux decrypts it and sends plain RTP to GStreamer, which
depayloads and decodes it. GStreamer sends plain VP8 RTP to the session's local port; mediamux encrypts it
and aiortc decodes the frames.
"""

import asyncio
import shutil
import socket
import subprocess
import threading

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from mediamux_process import wait_for
from test_aiortc import ColourTrack, until

GST = shutil.which("gst-launch-1.0")
VP8_PAYLOAD = 97  # aiortc's VP8 payload type, kept by the answer


def port_is_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DecodedFrameCounter:
    """GStreamer receiving plain VP8 RTP on `port`, counting decoded frames as fakesink reports them."""

    def __init__(self, port: int):
        caps = f"application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload={VP8_PAYLOAD}"
        self.process = subprocess.Popen(
            [GST, "-v", "udpsrc", f"port={port}", f"caps={caps}", "!", "rtpvp8depay", "!", "vp8dec", "!",
             "fakesink", "silent=false", "sync=false"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.frames = 0
        threading.Thread(target=self._count, daemon=True).start()
        # aiortc sends one keyframe at the start: GStreamer must be listening before media flows.
        wait_for(lambda: port_is_taken(port), timeout=10, message=f"GStreamer listening on {port}")

    def _count(self):
        for line in self.process.stdout:
            if "fakesink0: last-message = chain" in line:
                self.frames += 1

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def send_vp8(port: int) -> subprocess.Popen:
    """GStreamer sending 10 s of test pattern as plain VP8 RTP to `port`."""
    return subprocess.Popen(
        [GST, "-q", "videotestsrc", "num-buffers=300", "is-live=true", "!",
         "video/x-raw,width=320,height=240,framerate=30/1", "!", "vp8enc", "deadline=1", "keyframe-max-dist=30", "!",
         "rtpvp8pay", f"pt={VP8_PAYLOAD}", "!", "udpsink", "host=127.0.0.1", f"port={port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


@pytest.mark.skipif(GST is None, reason="needs GStreamer (gstreamer1.0-tools, -plugins-good)")
def test_rtp_bridge_carries_video_both_ways_between_aiortc_and_gstreamer(mediamux):
    sink_port = free_udp_port()
    receiver = DecodedFrameCounter(sink_port)
    sender = None

    async def run():
        nonlocal sender
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTrack(ColourTrack())
        received = []

        async def consume(track):
            try:
                while True:
                    received.append(await track.recv())
            except MediaStreamError:
                pass

        pc.on("track", lambda track: asyncio.ensure_future(consume(track)))
        try:
            await pc.setLocalDescription(await pc.createOffer())
            await until(lambda: pc.iceGatheringState == "complete", 5, "ICE gathering")
            status, session = await asyncio.to_thread(
                mediamux.request, "POST", "/v1/rooms/bridge/sessions",
                {"handler": "rtp", "offer": pc.localDescription.sdp, "rtp": {"sink": f"127.0.0.1:{sink_port}"}},
            )
            assert status == 201, session
            assert session["rtp"]["sink"] == f"127.0.0.1:{sink_port}"
            await pc.setRemoteDescription(RTCSessionDescription(sdp=session["answer"], type="answer"))
            await until(lambda: pc.connectionState == "connected", 10, "aiortc connected")

            await until(lambda: receiver.frames >= 10, 15, "GStreamer decoding aiortc's video from the sink")
            local_port = int(session["rtp"]["local"].rsplit(":", 1)[1])
            sender = send_vp8(local_port)
            await until(lambda: len(received) >= 10, 15, "aiortc decoding GStreamer's video")
            assert {(frame.width, frame.height) for frame in received} == {(320, 240)}

            # Only the sink's host may inject media: a datagram from another loopback address is counted
            # and dropped.
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stranger:
                stranger.bind(("127.0.0.2", 0))
                stranger.sendto(b"\x80" + bytes(40), ("127.0.0.1", local_port))
            await until(
                lambda: mediamux.metric("mediamux_udp_dropped_total", socket="rtp_bridge", reason="foreign_source")
                == 1, 5, "the stranger's datagram counted as dropped")
        finally:
            await pc.close()

    try:
        asyncio.run(asyncio.wait_for(run(), 45))
    finally:
        receiver.stop()
        if sender:
            sender.terminate()
            sender.wait(timeout=10)
    assert mediamux.metric("mediamux_media_dropped_total", reason="srtp_auth") == 0
    # The plain port's traffic, both ways, on its own socket label.
    for direction in ("in", "out"):
        assert mediamux.metric(
            "mediamux_udp_packets_total", socket="rtp_bridge", direction=direction, **{"class": "rtp"}) >= 10
    # GStreamer's packets relayed to the peer were held for a measured time.
    assert mediamux.metric("mediamux_packet_residence_seconds_count", handler="rtp") >= 10


def test_rtp_sinks_outside_the_allowed_ranges_are_refused(mediamux):
    status, body = mediamux.request("POST", "/v1/rooms/r/sessions", {"handler": "rtp", "rtp": {"sink": "192.0.2.1:5004"}})
    assert status == 400 and "rtp.allowed_sinks" in body["error"]["message"], body
    status, body = mediamux.request("POST", "/v1/rooms/r/sessions", {"handler": "rtp"})
    assert status == 400 and "rtp.sink" in body["error"]["message"], body
