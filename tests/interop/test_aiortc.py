"""A full WebRTC stack nobody here wrote (aiortc) against mediamux's SDP answer, DTLS-SRTP and echo handler.

aiortc offers an audio track (a 440 Hz tone) and a video track (frames of changing colour), mediamux answers
as an ICE-lite, DTLS-passive endpoint, and the echo handler sends every RTP and RTCP packet back re-encrypted
with the same payload type, under SSRCs of its own that the answer announces. aiortc must then decode its own
tone and its own frames.
"""

import array
import asyncio
import fractions
import math

import aioice.ice
import av
import pytest
from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack

# aioice skips loopback on purpose; these tests run on loopback only.
aioice.ice.get_host_addresses = lambda use_ipv4=True, use_ipv6=True: ["127.0.0.1"]

SAMPLE_RATE = 48000
AUDIO_SAMPLES = SAMPLE_RATE // 50  # 20 ms
TONE_HZ = 440
TONE_AMPLITUDE = 8000
VIDEO_SIZE = (320, 240)
AUDIO_FRAMES = 25  # 0.5 s of 20 ms frames
VIDEO_FRAMES = 10  # 0.33 s at 30 fps
ECHO_TIMEOUT = 15.0


class ToneTrack(AudioStreamTrack):
    """A 440 Hz sine, s16 mono at 48 kHz, in 20 ms frames paced in real time."""

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        loop = asyncio.get_running_loop()
        if hasattr(self, "_timestamp"):
            self._timestamp += AUDIO_SAMPLES
            await asyncio.sleep(self._start + self._timestamp / SAMPLE_RATE - loop.time())
        else:
            self._start = loop.time()
            self._timestamp = 0
        samples = array.array(
            "h",
            (
                int(TONE_AMPLITUDE * math.sin(2 * math.pi * TONE_HZ * (self._timestamp + i) / SAMPLE_RATE))
                for i in range(AUDIO_SAMPLES)
            ),
        )
        frame = av.AudioFrame(format="s16", layout="mono", samples=AUDIO_SAMPLES)
        frame.planes[0].update(samples.tobytes())
        frame.pts = self._timestamp
        frame.sample_rate = SAMPLE_RATE
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE)
        return frame


class ColourTrack(VideoStreamTrack):
    """320x240 yuv420p frames at 30 fps whose colour changes every frame."""

    count = 0

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        self.count += 1
        frame = av.VideoFrame(width=VIDEO_SIZE[0], height=VIDEO_SIZE[1], format="yuv420p")
        for plane, value in zip(frame.planes, ((self.count * 7) % 220 + 16, (self.count * 3) % 256, 128)):
            plane.update(bytes([value]) * plane.buffer_size)
        frame.pts = pts
        frame.time_base = time_base
        return frame


def peak(frame) -> int:
    """The largest absolute sample of a decoded s16 audio frame."""
    assert frame.format.name in ("s16", "s16p"), frame.format.name
    samples = array.array("h", bytes(frame.planes[0]))
    return max((abs(s) for s in samples), default=0)


async def until(condition, timeout, message):
    """Polls `condition()` (sync or async) every 50 ms until truthy; fails after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        await asyncio.sleep(0.05)


def check_answer_shape(offer: str, answer: str):
    """What aiortc and browsers need from an ICE-lite, single-port answer, checked up front so a bad answer
    fails here with a reason instead of as a silent timeout later."""
    session, *sections = answer.replace("\r\n", "\n").split("\nm=")
    offered = offer.count("\nm=")
    assert len(sections) == offered, f"{offered} m-sections offered, {len(sections)} answered:\n{answer}"
    assert "\na=ice-lite" in "\n" + session, f"no session-level a=ice-lite:\n{answer}"
    bundle = next((line for line in session.split("\n") if line.startswith("a=group:BUNDLE ")), None)
    assert bundle, f"no a=group:BUNDLE:\n{answer}"
    for section in sections:
        lines = section.split("\n")
        mid = next((line.removeprefix("a=mid:") for line in lines if line.startswith("a=mid:")), None)
        assert mid and mid in bundle.split()[1:], f"m-section {lines[0]!r} mid {mid!r} not in {bundle!r}"
        # aiortc with max-bundle reads candidates from the last bundled m-section, with balanced from the first.
        assert any(line.startswith("a=candidate:") for line in lines), f"no candidate in m={lines[0]}"
        assert "a=end-of-candidates" in lines, f"no a=end-of-candidates in m={lines[0]}"
        assert "a=rtcp-mux" in lines, f"no a=rtcp-mux in m={lines[0]}"
        # actpass offer, passive answer: aiortc is the DTLS client.
        assert "a=setup:passive" in lines, f"m={lines[0]} is not a=setup:passive"
        assert any(line.startswith("a=fingerprint:sha-256 ") for line in lines), f"no sha-256 fingerprint in m={lines[0]}"


class EchoCall:
    """One aiortc peer that sends a tone and coloured frames, and counts what it receives back decoded."""

    def __init__(self, bundle_policy=RTCBundlePolicy.BALANCED):
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[], bundlePolicy=bundle_policy))
        self.audio = ToneTrack()
        self.video = ColourTrack()
        self.pc.addTrack(self.audio)
        self.pc.addTrack(self.video)
        self.received = {"audio": [], "video": []}
        self.errors = []
        self.tasks = []
        self.pc.on("track", self._on_track)

    def _on_track(self, track):
        self.tasks.append(asyncio.ensure_future(self._consume(track)))

    async def _consume(self, track):
        try:
            while True:
                frame = await track.recv()
                frames = self.received[track.kind]
                if len(frames) < 200:
                    frames.append(frame)
        except MediaStreamError:
            pass
        except Exception as error:  # surfaced by wait_for_echo
            self.errors.append(f"{track.kind}: {error!r}")

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await until(lambda: self.pc.iceGatheringState == "complete", 5, "ICE gathering")
        return self.pc.localDescription.sdp

    async def accept(self, answer: str):
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))

    async def join(self, server, room: str, handler: str) -> tuple[str, dict]:
        """Offers, creates a session for the offer in `room`, and accepts its answer: (offer, session)."""
        offer = await self.offer()
        status, session = await asyncio.to_thread(
            server.request, "POST", f"/v1/rooms/{room}/sessions", {"handler": handler, "offer": offer}
        )
        assert status == 201, session
        assert session.get("answer"), f"no answer in {session}"
        await self.accept(session["answer"])
        return offer, session

    async def wait_for_echo(self, audio=AUDIO_FRAMES, video=VIDEO_FRAMES, timeout=ECHO_TIMEOUT):
        def enough():
            assert not self.errors, self.errors
            assert self.pc.connectionState != "failed", "aiortc connectionState failed"
            return (
                self.pc.connectionState == "connected"
                and len(self.received["audio"]) >= audio
                and len(self.received["video"]) >= video
            )

        try:
            await until(enough, timeout, f"{audio} audio and {video} video frames echoed")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{await self.describe()}") from None

    async def describe(self) -> str:
        stats = await self.pc.getStats()
        rtp = sorted(
            f"{s.type} {s.kind} ssrc={s.ssrc} "
            + (f"sent={s.packetsSent}" if s.type == "outbound-rtp" else f"received={s.packetsReceived}")
            for s in stats.values()
            if s.type in ("inbound-rtp", "outbound-rtp")
        )
        return (
            f"connectionState={self.pc.connectionState} iceConnectionState={self.pc.iceConnectionState} "
            f"decoded audio={len(self.received['audio'])} video={len(self.received['video'])} "
            f"errors={self.errors}\n" + "\n".join(rtp)
        )

    async def ssrcs(self):
        """{kind: (sent SSRC, SSRCs received in the last 10 s)} for each transceiver."""
        result = {}
        for transceiver in self.pc.getTransceivers():
            stats = await transceiver.sender.getStats()
            sent = next(s.ssrc for s in stats.values() if s.type == "outbound-rtp")
            received = {s.source for s in transceiver.receiver.getSynchronizationSources()}
            result[transceiver.kind] = (sent, received)
        return result

    async def close(self):
        await self.pc.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def check_echoed_media(call: EchoCall):
    """The frames that came back are the ones sent: the tone is audible, the frames have the size sent."""
    # Opus needs a few frames to ramp up. aiortc sends the mono tone as stereo at -3 dB, so it comes back
    # peaking near 0.7 * TONE_AMPLITUDE (5,700 seen peer to peer); silence decodes to 0.
    loudest = max(peak(frame) for frame in call.received["audio"][5:])
    assert loudest > TONE_AMPLITUDE // 4, f"echoed audio peaks at {loudest}, the tone at {TONE_AMPLITUDE}"
    sizes = {(frame.width, frame.height) for frame in call.received["video"]}
    assert sizes == {VIDEO_SIZE}, sizes


@pytest.mark.parametrize("bundle_policy", [RTCBundlePolicy.BALANCED, RTCBundlePolicy.MAX_BUNDLE], ids=lambda p: p.value)
def test_aiortc_echo_returns_audio_and_video(mediamux, bundle_policy):
    async def run():
        call = EchoCall(bundle_policy)
        try:
            offer, session = await call.join(mediamux, "aiortc", "echo")
            answer = session["answer"]
            check_answer_shape(offer, answer)

            await call.wait_for_echo()
            assert call.pc.connectionState == "connected"
            check_echoed_media(call)
            # The echo sends under SSRCs of its own, announced in the answer: never the sender's own.
            announced = {int(line.split()[0].split(":")[1]) for line in answer.splitlines() if line.startswith("a=ssrc:")}
            for kind, (sent, received) in (await call.ssrcs()).items():
                assert sent not in received, f"{kind}: the echo came back under the sender's own SSRC {sent}"
                assert received and received <= announced, f"{kind}: received {received}, announced {announced}"

            def session_flowing():
                state = mediamux.session(session["id"])
                counters = state["counters"]
                return state["state"] == "connected" and counters["packets_in"] > 0 and counters["packets_out"] > 0 and state

            state = await until(lambda: asyncio.to_thread(session_flowing), 5, "mediamux session connected with traffic")
            assert state["selected"]["remote"].startswith("127.0.0.1:"), state
            # At least every echoed frame's packets went in and came out again.
            assert state["counters"]["packets_out"] >= AUDIO_FRAMES + VIDEO_FRAMES, state
        finally:
            await call.close()

    asyncio.run(asyncio.wait_for(run(), ECHO_TIMEOUT + 15))

    metrics = mediamux.request("GET", "/metrics")[1]
    for reason in ("srtp_auth", "srtp_replay"):
        assert f'mediamux_media_dropped_total{{reason="{reason}"}}' in metrics, f"no {reason} series"
        assert mediamux.metric("mediamux_media_dropped_total", reason=reason) == 0, reason


def test_two_aiortc_peers_in_a_room_receive_each_other(mediamux_io_threads):
    async def run():
        alice, bob = EchoCall(RTCBundlePolicy.MAX_BUNDLE), EchoCall(RTCBundlePolicy.MAX_BUNDLE)
        try:
            for call in (alice, bob):
                await call.join(mediamux_io_threads, "call", "room")
            await alice.wait_for_echo()
            await bob.wait_for_echo()
            heard_by_alice, heard_by_bob = await alice.ssrcs(), await bob.ssrcs()
            for kind in ("audio", "video"):
                alice_sent, alice_heard = heard_by_alice[kind]
                bob_sent, bob_heard = heard_by_bob[kind]
                assert bob_sent in alice_heard and alice_sent not in alice_heard, (kind, heard_by_alice, heard_by_bob)
                assert alice_sent in bob_heard and bob_sent not in bob_heard, (kind, heard_by_alice, heard_by_bob)
        finally:
            await alice.close()
            await bob.close()

    asyncio.run(asyncio.wait_for(run(), ECHO_TIMEOUT + 20))
    assert mediamux_io_threads.metric("mediamux_dtls_handshakes_total", result="completed") == 2
