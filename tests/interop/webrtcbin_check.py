"""Runs GStreamer's webrtcbin as mediamux clients and reports, as JSON, what each decoded.

Run with the system python3 (PyGObject comes from Debian's python3-gi) inside a network namespace that has
only `lo` (test_webrtcbin.py does): libnice gathers candidates on every interface. mediamux is started in
the same namespace. Each peer sends VP8 and Opus, offers without trickle once gathering is complete,
gets its answer from the API, and counts the video frames and audio buffers it decodes from what comes back:
its own streams through `echo`, or the other peer's through `room`.
"""

import json
import sys
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

from mediamux_process import Mediamux, loopback_config  # noqa: E402

SOURCES = (
    "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=15/1 "
    "! vp8enc deadline=1 keyframe-max-dist=30 ! rtpvp8pay pt=96 "
    "! application/x-rtp,media=video,encoding-name=VP8,payload=96 ! webrtc. "
    "audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! opusenc ! rtpopuspay pt=111 "
    "! application/x-rtp,media=audio,encoding-name=OPUS,payload=111 ! webrtc. "
)


class Peer:
    def __init__(self, name, server, room, handler):
        self.name, self.server, self.room, self.handler = name, server, room, handler
        self.frames = 0
        self.audio_buffers = 0
        self.session = None
        self.error = None
        self.pipeline = Gst.parse_launch(f"webrtcbin name=webrtc bundle-policy=max-bundle {SOURCES}")
        self.webrtc = self.pipeline.get_by_name("webrtc")
        # libnice skips loopback unless told; keep the agent referenced (INTEROP.md).
        self.agent = self.webrtc.get_property("ice-agent")
        self.agent.emit("add-local-ip-address", "127.0.0.1")
        self.webrtc.connect("on-negotiation-needed", self.on_negotiation_needed)
        self.webrtc.connect("notify::ice-gathering-state", self.on_gathering)
        self.webrtc.connect("pad-added", self.on_pad_added)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message::error", self.on_error)
        self.offer_sent = False
        self.offer = None

    def start(self):
        self.pipeline.set_state(Gst.State.PLAYING)

    def stop(self):
        self.pipeline.set_state(Gst.State.NULL)

    def on_error(self, _bus, message):
        error, debug = message.parse_error()
        self.error = f"{error.message} ({debug})"

    def on_negotiation_needed(self, _element):
        promise = Gst.Promise.new_with_change_func(self.on_offer_created, None)
        self.webrtc.emit("create-offer", None, promise)

    def on_offer_created(self, promise, _data):
        reply = promise.get_reply()
        offer = reply.get_value("offer")
        self.webrtc.emit("set-local-description", offer, Gst.Promise.new())

    def on_gathering(self, _element, _spec):
        # Non-trickle: the offer goes out with its candidates once gathering is complete.
        if self.webrtc.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            GLib.idle_add(self.send_offer)

    def send_offer(self):
        if self.offer_sent:
            return False
        self.offer_sent = True
        text = self.webrtc.get_property("local-description").sdp.as_text()
        self.offer = text
        status, session = self.server.request(
            "POST", f"/v1/rooms/{self.room}/sessions", {"offer": text, "handler": self.handler, "user": self.name}
        )
        if status != 201:
            self.error = f"create: {status} {session}"
            return False
        self.session = session
        _, message = GstSdp.SDPMessage.new()
        GstSdp.sdp_message_parse_buffer(session["answer"].encode(), message)
        answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, message)
        self.webrtc.emit("set-remote-description", answer, Gst.Promise.new())
        return False

    def on_pad_added(self, _element, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        decode = Gst.ElementFactory.make("decodebin")
        decode.connect("pad-added", self.on_decoded_pad)
        self.pipeline.add(decode)
        decode.sync_state_with_parent()
        pad.link(decode.get_static_pad("sink"))

    def on_decoded_pad(self, _decode, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        kind = caps.get_structure(0).get_name()
        sink = Gst.ElementFactory.make("fakesink")
        sink.set_property("signal-handoffs", True)
        sink.set_property("sync", False)
        sink.connect("handoff", self.on_video_frame if kind.startswith("video") else self.on_audio_buffer)
        self.pipeline.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))

    def on_video_frame(self, *_args):
        self.frames += 1

    def on_audio_buffer(self, *_args):
        self.audio_buffers += 1


def main(handler: str, peers: int, seconds: float, consent: int) -> dict:
    Gst.init(None)
    server = Mediamux(loopback_config(session=f"consent_timeout: {consent}"))
    loop = GLib.MainLoop()
    clients = [Peer(f"peer{n}", server, "gst", handler) for n in range(peers)]
    started = time.monotonic()
    result = {"handler": handler, "seconds": seconds, "consent_timeout": consent}
    try:
        for client in clients:
            client.start()
        GLib.timeout_add(int(seconds * 1000), loop.quit)
        loop.run()
        result["peers"] = []
        for client in clients:
            entry = {"frames": client.frames, "audio_buffers": client.audio_buffers, "error": client.error, "offer": client.offer}
            if client.session:
                entry["session"] = server.session(client.session["id"])
            result["peers"].append(entry)
        result["elapsed"] = time.monotonic() - started
        result["srtp_drops"] = sum(server.metric("mediamux_media_dropped_total", reason=r) for r in ("srtp_auth", "srtp_replay"))
    finally:
        for client in clients:
            client.stop()
        result["exit_code"] = server.stop()
        result["log_tail"] = server.final_output[-1500:]
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]))))
