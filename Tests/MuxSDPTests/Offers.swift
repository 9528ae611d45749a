/// Offers captured from real WebRTC implementations, and the answers MuxSDP must write for them.
///
/// The literals hold LF line ends (Swift normalizes them); `crlf` restores the CRLF that SDP puts on the wire.
enum Offers {
    /// aiortc 1.16.0 (`RTCPeerConnection` with an `AudioStreamTrack` and a `VideoStreamTrack`, host candidates
    /// limited to 127.0.0.1), printed from `localDescription.sdp` after `setLocalDescription(createOffer())`. Note
    /// three fingerprints (sha-256, sha-384, sha-512) and candidates inside each m-section.
    static let aiortc = crlf(
        """
        v=0
        o=- 4004346112 4004346112 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=group:BUNDLE 0 1
        a=msid-semantic:WMS *
        m=audio 38465 UDP/TLS/RTP/SAVPF 96 9 0 8
        c=IN IP4 127.0.0.1
        a=sendrecv
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=mid:0
        a=msid:66984eca-7f99-421a-96e9-f2afa04c9077 4faa5bdb-b47c-4f0c-a3c2-98e46c0b9ab2
        a=rtcp:9 IN IP4 0.0.0.0
        a=rtcp-mux
        a=ssrc:1124270461 cname:5ea0977a-f9e4-4939-8a2f-70f005500885
        a=rtpmap:96 opus/48000/2
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=candidate:16572de626da4e5384a0ce2d0d93678a 1 udp 2130706431 127.0.0.1 38465 typ host
        a=end-of-candidates
        a=ice-ufrag:pTwJ
        a=ice-pwd:dykPZHQ8q2Syfe3hznuapl
        a=fingerprint:sha-256 DF:BC:35:8A:0F:F5:8C:18:C2:BC:CB:24:9C:7C:01:B8:D9:FD:1E:E7:7D:97:05:91:19:B7:EC:D3:B6:4C\
        :37:A5
        a=fingerprint:sha-384 03:D2:AC:A7:D0:49:5D:70:ED:CC:B2:D0:42:E6:57:32:BE:2C:A1:F2:F9:2F:D6:1D:34:9C:C6:E8:0F:5B\
        :9F:6A:D0:9F:3F:C7:63:6C:9D:B2:4F:3A:2C:C6:1F:A5:26:2F
        a=fingerprint:sha-512 5B:10:1C:20:66:2D:18:AC:FE:48:9F:47:A2:79:C2:E8:F5:87:98:93:75:31:15:34:3C:D5:04:52:40:9B\
        :FA:BC:D7:55:42:2B:F4:EC:FF:02:0C:13:30:A5:45:E5:C2:5E:6A:49:9E:27:31:80:40:28:5F:70:16:38:88:1E:48:86
        a=setup:actpass
        m=video 34566 UDP/TLS/RTP/SAVPF 97 98 99 100 101 102
        c=IN IP4 127.0.0.1
        a=sendrecv
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=mid:1
        a=msid:66984eca-7f99-421a-96e9-f2afa04c9077 1408917f-df11-4e6a-8bcf-d46c50ede538
        a=rtcp:9 IN IP4 0.0.0.0
        a=rtcp-mux
        a=ssrc-group:FID 3993055194 1984375815
        a=ssrc:3993055194 cname:5ea0977a-f9e4-4939-8a2f-70f005500885
        a=ssrc:1984375815 cname:5ea0977a-f9e4-4939-8a2f-70f005500885
        a=rtpmap:97 VP8/90000
        a=rtcp-fb:97 nack
        a=rtcp-fb:97 nack pli
        a=rtcp-fb:97 goog-remb
        a=rtpmap:98 rtx/90000
        a=fmtp:98 apt=97
        a=rtpmap:99 H264/90000
        a=rtcp-fb:99 nack
        a=rtcp-fb:99 nack pli
        a=rtcp-fb:99 goog-remb
        a=fmtp:99 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
        a=rtpmap:100 rtx/90000
        a=fmtp:100 apt=99
        a=rtpmap:101 H264/90000
        a=rtcp-fb:101 nack
        a=rtcp-fb:101 nack pli
        a=rtcp-fb:101 goog-remb
        a=fmtp:101 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:102 rtx/90000
        a=fmtp:102 apt=101
        a=candidate:16572de626da4e5384a0ce2d0d93678a 1 udp 2130706431 127.0.0.1 34566 typ host
        a=end-of-candidates
        a=ice-ufrag:pTwJ
        a=ice-pwd:dykPZHQ8q2Syfe3hznuapl
        a=fingerprint:sha-256 DF:BC:35:8A:0F:F5:8C:18:C2:BC:CB:24:9C:7C:01:B8:D9:FD:1E:E7:7D:97:05:91:19:B7:EC:D3:B6:4C\
        :37:A5
        a=fingerprint:sha-384 03:D2:AC:A7:D0:49:5D:70:ED:CC:B2:D0:42:E6:57:32:BE:2C:A1:F2:F9:2F:D6:1D:34:9C:C6:E8:0F:5B\
        :9F:6A:D0:9F:3F:C7:63:6C:9D:B2:4F:3A:2C:C6:1F:A5:26:2F
        a=fingerprint:sha-512 5B:10:1C:20:66:2D:18:AC:FE:48:9F:47:A2:79:C2:E8:F5:87:98:93:75:31:15:34:3C:D5:04:52:40:9B\
        :FA:BC:D7:55:42:2B:F4:EC:FF:02:0C:13:30:A5:45:E5:C2:5E:6A:49:9E:27:31:80:40:28:5F:70:16:38:88:1E:48:86
        a=setup:actpass
        """
    )

    /// The same, with a data channel (`createDataChannel("chat")`): a third, `application` m-section.
    static let aiortcWithDataChannel = crlf(
        """
        v=0
        o=- 4004346120 4004346120 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=group:BUNDLE 0 1 2
        a=msid-semantic:WMS *
        m=audio 58053 UDP/TLS/RTP/SAVPF 96 9 0 8
        c=IN IP4 127.0.0.1
        a=sendrecv
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=mid:0
        a=msid:2722683f-42d1-40ff-9373-5f4e5ddf99fd 1c736853-87c8-4de5-a84d-6075fd5b7369
        a=rtcp:9 IN IP4 0.0.0.0
        a=rtcp-mux
        a=ssrc:41569943 cname:ef009ae8-9e08-42e7-aea1-ef60fd1814a6
        a=rtpmap:96 opus/48000/2
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=candidate:16572de626da4e5384a0ce2d0d93678a 1 udp 2130706431 127.0.0.1 58053 typ host
        a=end-of-candidates
        a=ice-ufrag:yUFI
        a=ice-pwd:AeWuXyehD0xTXjoWbqRLOf
        a=fingerprint:sha-256 83:A1:A8:58:45:28:E6:64:A7:30:31:EE:E2:C6:A5:86:6A:A7:A7:74:A1:F7:18:A0:AD:72:26:79:30:10\
        :AC:7C
        a=fingerprint:sha-384 31:24:85:1A:C6:51:A0:41:30:E8:40:30:07:D3:F4:97:AF:96:B3:57:58:B8:88:4F:F3:8A:85:12:B0:22\
        :A9:E7:EE:AB:53:DC:B6:8F:67:9E:B5:CE:A0:27:59:09:36:2F
        a=fingerprint:sha-512 73:8E:F1:0F:9D:CD:0A:B7:12:A2:46:2E:5C:A1:83:44:0E:D9:8F:1E:97:32:B8:96:B7:4C:FA:0F:7C:E5\
        :70:C3:CC:D3:8B:59:B2:ED:59:F6:F6:C3:B7:C6:4B:45:56:DE:D9:A2:8A:99:A7:95:FF:F4:D6:C1:40:81:AD:8A:3D:A0
        a=setup:actpass
        m=video 39849 UDP/TLS/RTP/SAVPF 97 98 99 100 101 102
        c=IN IP4 127.0.0.1
        a=sendrecv
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=mid:1
        a=msid:2722683f-42d1-40ff-9373-5f4e5ddf99fd cd148ceb-b62a-4071-96ac-f33be4623a23
        a=rtcp:9 IN IP4 0.0.0.0
        a=rtcp-mux
        a=ssrc-group:FID 2337418777 3882385830
        a=ssrc:2337418777 cname:ef009ae8-9e08-42e7-aea1-ef60fd1814a6
        a=ssrc:3882385830 cname:ef009ae8-9e08-42e7-aea1-ef60fd1814a6
        a=rtpmap:97 VP8/90000
        a=rtcp-fb:97 nack
        a=rtcp-fb:97 nack pli
        a=rtcp-fb:97 goog-remb
        a=rtpmap:98 rtx/90000
        a=fmtp:98 apt=97
        a=rtpmap:99 H264/90000
        a=rtcp-fb:99 nack
        a=rtcp-fb:99 nack pli
        a=rtcp-fb:99 goog-remb
        a=fmtp:99 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
        a=rtpmap:100 rtx/90000
        a=fmtp:100 apt=99
        a=rtpmap:101 H264/90000
        a=rtcp-fb:101 nack
        a=rtcp-fb:101 nack pli
        a=rtcp-fb:101 goog-remb
        a=fmtp:101 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:102 rtx/90000
        a=fmtp:102 apt=101
        a=candidate:16572de626da4e5384a0ce2d0d93678a 1 udp 2130706431 127.0.0.1 39849 typ host
        a=end-of-candidates
        a=ice-ufrag:yUFI
        a=ice-pwd:AeWuXyehD0xTXjoWbqRLOf
        a=fingerprint:sha-256 83:A1:A8:58:45:28:E6:64:A7:30:31:EE:E2:C6:A5:86:6A:A7:A7:74:A1:F7:18:A0:AD:72:26:79:30:10\
        :AC:7C
        a=fingerprint:sha-384 31:24:85:1A:C6:51:A0:41:30:E8:40:30:07:D3:F4:97:AF:96:B3:57:58:B8:88:4F:F3:8A:85:12:B0:22\
        :A9:E7:EE:AB:53:DC:B6:8F:67:9E:B5:CE:A0:27:59:09:36:2F
        a=fingerprint:sha-512 73:8E:F1:0F:9D:CD:0A:B7:12:A2:46:2E:5C:A1:83:44:0E:D9:8F:1E:97:32:B8:96:B7:4C:FA:0F:7C:E5\
        :70:C3:CC:D3:8B:59:B2:ED:59:F6:F6:C3:B7:C6:4B:45:56:DE:D9:A2:8A:99:A7:95:FF:F4:D6:C1:40:81:AD:8A:3D:A0
        a=setup:actpass
        m=application 60783 UDP/DTLS/SCTP webrtc-datachannel
        c=IN IP4 127.0.0.1
        a=mid:2
        a=sctp-port:5000
        a=max-message-size:262144
        a=candidate:16572de626da4e5384a0ce2d0d93678a 1 udp 2130706431 127.0.0.1 60783 typ host
        a=end-of-candidates
        a=ice-ufrag:yUFI
        a=ice-pwd:AeWuXyehD0xTXjoWbqRLOf
        a=fingerprint:sha-256 83:A1:A8:58:45:28:E6:64:A7:30:31:EE:E2:C6:A5:86:6A:A7:A7:74:A1:F7:18:A0:AD:72:26:79:30:10\
        :AC:7C
        a=fingerprint:sha-384 31:24:85:1A:C6:51:A0:41:30:E8:40:30:07:D3:F4:97:AF:96:B3:57:58:B8:88:4F:F3:8A:85:12:B0:22\
        :A9:E7:EE:AB:53:DC:B6:8F:67:9E:B5:CE:A0:27:59:09:36:2F
        a=fingerprint:sha-512 73:8E:F1:0F:9D:CD:0A:B7:12:A2:46:2E:5C:A1:83:44:0E:D9:8F:1E:97:32:B8:96:B7:4C:FA:0F:7C:E5\
        :70:C3:CC:D3:8B:59:B2:ED:59:F6:F6:C3:B7:C6:4B:45:56:DE:D9:A2:8A:99:A7:95:FF:F4:D6:C1:40:81:AD:8A:3D:A0
        a=setup:actpass
        """
    )

    /// A Chrome offer (audio and video, BUNDLE, extmap-allow-mixed, RED, RTX, ULPFEC, AV1 and H265, ssrc-group
    /// FID, host, TCP and srflx candidates) as Chrome's `createOffer` produced it, copied verbatim from a
    /// signaling log published in a public repository (a Dart sdp_transform example). Chrome itself could not be run
    /// where this module was written.
    static let chrome = crlf(
        """
        v=0
        o=- 3822856948944450794 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0 1
        a=extmap-allow-mixed
        a=msid-semantic: WMS 84f453ca-0dbd-4d92-8eec-6b671c88f990
        m=audio 51584 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
        c=IN IP4 102.67.160.2
        a=rtcp:9 IN IP4 0.0.0.0
        a=candidate:4057065925 1 udp 2122260223 172.22.16.1 51582 typ host generation 0 network-id 1
        a=candidate:3027289326 1 udp 2122194687 192.168.56.1 51583 typ host generation 0 network-id 3
        a=candidate:2359944424 1 udp 2122129151 10.100.53.194 51584 typ host generation 0 network-id 2 network-cost 10
        a=candidate:259734865 1 tcp 1518280447 172.22.16.1 9 typ host tcptype active generation 0 network-id 1
        a=candidate:1255805050 1 tcp 1518214911 192.168.56.1 9 typ host tcptype active generation 0 network-id 3
        a=candidate:1912811644 1 tcp 1518149375 10.100.53.194 9 typ host tcptype active generation 0 network-id 2 netwo\
        rk-cost 10
        a=candidate:1298641826 1 udp 1685921535 102.67.160.2 51584 typ srflx raddr 10.100.53.194 rport 51584 generatio\
        n 0 network-id 2 network-cost 10
        a=ice-ufrag:OaAE
        a=ice-pwd:x/xqQ5Oiwcn41g5m7kUJ3O2+
        a=ice-options:trickle
        a=fingerprint:sha-256 4F:AC:D4:CF:2C:76:3A:A1:B8:1B:F3:83:31:2F:C5:BC:30:21:E0:A4:44:DE:2D:81:B9:BB:99:BC:91:7F\
        :8A:39
        a=setup:actpass
        a=mid:0
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=sendrecv
        a=msid:84f453ca-0dbd-4d92-8eec-6b671c88f990 660e6102-24a7-43a5-9e01-a733f091341d
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:111 opus/48000/2
        a=rtcp-fb:111 transport-cc
        a=fmtp:111 minptime=10;useinbandfec=1
        a=rtpmap:63 red/48000/2
        a=fmtp:63 111/111
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:13 CN/8000
        a=rtpmap:110 telephone-event/48000
        a=rtpmap:126 telephone-event/8000
        a=ssrc:1227153705 cname:tcfYxii359Px+p5/
        a=ssrc:1227153705 msid:84f453ca-0dbd-4d92-8eec-6b671c88f990 660e6102-24a7-43a5-9e01-a733f091341d
        m=video 51587 UDP/TLS/RTP/SAVPF 96 97 103 104 107 108 109 114 115 116 117 118 39 40 45 46 98 99 100 101 119 12\
        0 49 50 123 124 125
        c=IN IP4 102.67.160.2
        a=rtcp:9 IN IP4 0.0.0.0
        a=candidate:4057065925 1 udp 2122260223 172.22.16.1 51585 typ host generation 0 network-id 1
        a=candidate:3027289326 1 udp 2122194687 192.168.56.1 51586 typ host generation 0 network-id 3
        a=candidate:2359944424 1 udp 2122129151 10.100.53.194 51587 typ host generation 0 network-id 2 network-cost 10
        a=candidate:259734865 1 tcp 1518280447 172.22.16.1 9 typ host tcptype active generation 0 network-id 1
        a=candidate:1255805050 1 tcp 1518214911 192.168.56.1 9 typ host tcptype active generation 0 network-id 3
        a=candidate:1912811644 1 tcp 1518149375 10.100.53.194 9 typ host tcptype active generation 0 network-id 2 netwo\
        rk-cost 10
        a=candidate:1298641826 1 udp 1685921535 102.67.160.2 51587 typ srflx raddr 10.100.53.194 rport 51587 generatio\
        n 0 network-id 2 network-cost 10
        a=ice-ufrag:OaAE
        a=ice-pwd:x/xqQ5Oiwcn41g5m7kUJ3O2+
        a=ice-options:trickle
        a=fingerprint:sha-256 4F:AC:D4:CF:2C:76:3A:A1:B8:1B:F3:83:31:2F:C5:BC:30:21:E0:A4:44:DE:2D:81:B9:BB:99:BC:91:7F\
        :8A:39
        a=setup:actpass
        a=mid:1
        a=extmap:14 urn:ietf:params:rtp-hdrext:toffset
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:13 urn:3gpp:video-orientation
        a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
        a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
        a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
        a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
        a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
        a=sendrecv
        a=msid:84f453ca-0dbd-4d92-8eec-6b671c88f990 7d0980a9-b60d-4ccc-a31c-2e148fb0b1fd
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 goog-remb
        a=rtcp-fb:96 transport-cc
        a=rtcp-fb:96 ccm fir
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=rtpmap:103 H264/90000
        a=rtcp-fb:103 goog-remb
        a=rtcp-fb:103 transport-cc
        a=rtcp-fb:103 ccm fir
        a=rtcp-fb:103 nack
        a=rtcp-fb:103 nack pli
        a=fmtp:103 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
        a=rtpmap:104 rtx/90000
        a=fmtp:104 apt=103
        a=rtpmap:107 H264/90000
        a=rtcp-fb:107 goog-remb
        a=rtcp-fb:107 transport-cc
        a=rtcp-fb:107 ccm fir
        a=rtcp-fb:107 nack
        a=rtcp-fb:107 nack pli
        a=fmtp:107 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f
        a=rtpmap:108 rtx/90000
        a=fmtp:108 apt=107
        a=rtpmap:109 H264/90000
        a=rtcp-fb:109 goog-remb
        a=rtcp-fb:109 transport-cc
        a=rtcp-fb:109 ccm fir
        a=rtcp-fb:109 nack
        a=rtcp-fb:109 nack pli
        a=fmtp:109 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:114 rtx/90000
        a=fmtp:114 apt=109
        a=rtpmap:115 H264/90000
        a=rtcp-fb:115 goog-remb
        a=rtcp-fb:115 transport-cc
        a=rtcp-fb:115 ccm fir
        a=rtcp-fb:115 nack
        a=rtcp-fb:115 nack pli
        a=fmtp:115 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f
        a=rtpmap:116 rtx/90000
        a=fmtp:116 apt=115
        a=rtpmap:117 H264/90000
        a=rtcp-fb:117 goog-remb
        a=rtcp-fb:117 transport-cc
        a=rtcp-fb:117 ccm fir
        a=rtcp-fb:117 nack
        a=rtcp-fb:117 nack pli
        a=fmtp:117 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f
        a=rtpmap:118 rtx/90000
        a=fmtp:118 apt=117
        a=rtpmap:39 H264/90000
        a=rtcp-fb:39 goog-remb
        a=rtcp-fb:39 transport-cc
        a=rtcp-fb:39 ccm fir
        a=rtcp-fb:39 nack
        a=rtcp-fb:39 nack pli
        a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f
        a=rtpmap:40 rtx/90000
        a=fmtp:40 apt=39
        a=rtpmap:45 AV1/90000
        a=rtcp-fb:45 goog-remb
        a=rtcp-fb:45 transport-cc
        a=rtcp-fb:45 ccm fir
        a=rtcp-fb:45 nack
        a=rtcp-fb:45 nack pli
        a=fmtp:45 level-idx=5;profile=0;tier=0
        a=rtpmap:46 rtx/90000
        a=fmtp:46 apt=45
        a=rtpmap:98 VP9/90000
        a=rtcp-fb:98 goog-remb
        a=rtcp-fb:98 transport-cc
        a=rtcp-fb:98 ccm fir
        a=rtcp-fb:98 nack
        a=rtcp-fb:98 nack pli
        a=fmtp:98 profile-id=0
        a=rtpmap:99 rtx/90000
        a=fmtp:99 apt=98
        a=rtpmap:100 VP9/90000
        a=rtcp-fb:100 goog-remb
        a=rtcp-fb:100 transport-cc
        a=rtcp-fb:100 ccm fir
        a=rtcp-fb:100 nack
        a=rtcp-fb:100 nack pli
        a=fmtp:100 profile-id=2
        a=rtpmap:101 rtx/90000
        a=fmtp:101 apt=100
        a=rtpmap:119 H264/90000
        a=rtcp-fb:119 goog-remb
        a=rtcp-fb:119 transport-cc
        a=rtcp-fb:119 ccm fir
        a=rtcp-fb:119 nack
        a=rtcp-fb:119 nack pli
        a=fmtp:119 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f
        a=rtpmap:120 rtx/90000
        a=fmtp:120 apt=119
        a=rtpmap:49 H265/90000
        a=rtcp-fb:49 goog-remb
        a=rtcp-fb:49 transport-cc
        a=rtcp-fb:49 ccm fir
        a=rtcp-fb:49 nack
        a=rtcp-fb:49 nack pli
        a=fmtp:49 level-id=93;profile-id=1;tier-flag=0;tx-mode=SRST
        a=rtpmap:50 rtx/90000
        a=fmtp:50 apt=49
        a=rtpmap:123 red/90000
        a=rtpmap:124 rtx/90000
        a=fmtp:124 apt=123
        a=rtpmap:125 ulpfec/90000
        a=ssrc-group:FID 3746892314 822236710
        a=ssrc:3746892314 cname:tcfYxii359Px+p5/
        a=ssrc:3746892314 msid:84f453ca-0dbd-4d92-8eec-6b671c88f990 7d0980a9-b60d-4ccc-a31c-2e148fb0b1fd
        a=ssrc:822236710 cname:tcfYxii359Px+p5/
        a=ssrc:822236710 msid:84f453ca-0dbd-4d92-8eec-6b671c88f990 7d0980a9-b60d-4ccc-a31c-2e148fb0b1fd
        """
    )

    /// What `Answer` writes for `aiortc` with `Fixture.options()`. aiortc's `setRemoteDescription` accepted this
    /// exact text (DTLS client role, both candidates, one bundled transport); the same answer with the candidate
    /// of an aioice agent holding these credentials let aiortc complete ICE.
    static let aiortcAnswer = crlf(
        """
        v=0
        o=- 4242 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=ice-lite
        a=group:BUNDLE 0 1
        a=msid-semantic:WMS *
        m=audio 9 UDP/TLS/RTP/SAVPF 96 9 0 8
        c=IN IP4 0.0.0.0
        a=mid:0
        a=ice-ufrag:FqL2qbB3
        a=ice-pwd:kqy6qZ4LRjuIqKfpiCh9sT2Y
        a=fingerprint:sha-256 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D\
        :1E:1F
        a=setup:passive
        a=sendrecv
        a=rtcp-mux
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=rtpmap:96 opus/48000/2
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=candidate:1 1 udp 2130706431 127.0.0.1 7882 typ host
        a=candidate:2 1 udp 2130706175 192.0.2.10 7882 typ host
        a=end-of-candidates
        m=video 9 UDP/TLS/RTP/SAVPF 97 98 99 100 101 102
        c=IN IP4 0.0.0.0
        a=mid:1
        a=ice-ufrag:FqL2qbB3
        a=ice-pwd:kqy6qZ4LRjuIqKfpiCh9sT2Y
        a=fingerprint:sha-256 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D\
        :1E:1F
        a=setup:passive
        a=sendrecv
        a=rtcp-mux
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=rtpmap:97 VP8/90000
        a=rtcp-fb:97 nack
        a=rtcp-fb:97 nack pli
        a=rtcp-fb:97 goog-remb
        a=rtpmap:98 rtx/90000
        a=fmtp:98 apt=97
        a=rtpmap:99 H264/90000
        a=rtcp-fb:99 nack
        a=rtcp-fb:99 nack pli
        a=rtcp-fb:99 goog-remb
        a=fmtp:99 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
        a=rtpmap:100 rtx/90000
        a=fmtp:100 apt=99
        a=rtpmap:101 H264/90000
        a=rtcp-fb:101 nack
        a=rtcp-fb:101 nack pli
        a=rtcp-fb:101 goog-remb
        a=fmtp:101 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:102 rtx/90000
        a=fmtp:102 apt=101
        a=candidate:1 1 udp 2130706431 127.0.0.1 7882 typ host
        a=candidate:2 1 udp 2130706175 192.0.2.10 7882 typ host
        a=end-of-candidates
        """
    )

    /// What `Answer` writes for `chrome` with `Fixture.options()` and the allow-list `["opus", "VP8"]`.
    static let chromeAnswerOpusVP8 = crlf(
        """
        v=0
        o=- 4242 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=ice-lite
        a=group:BUNDLE 0 1
        a=msid-semantic:WMS *
        m=audio 9 UDP/TLS/RTP/SAVPF 111
        c=IN IP4 0.0.0.0
        a=mid:0
        a=ice-ufrag:FqL2qbB3
        a=ice-pwd:kqy6qZ4LRjuIqKfpiCh9sT2Y
        a=fingerprint:sha-256 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D\
        :1E:1F
        a=setup:passive
        a=sendrecv
        a=rtcp-mux
        a=rtcp-rsize
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=rtpmap:111 opus/48000/2
        a=rtcp-fb:111 transport-cc
        a=fmtp:111 minptime=10;useinbandfec=1
        a=candidate:1 1 udp 2130706431 127.0.0.1 7882 typ host
        a=candidate:2 1 udp 2130706175 192.0.2.10 7882 typ host
        a=end-of-candidates
        m=video 9 UDP/TLS/RTP/SAVPF 96 97
        c=IN IP4 0.0.0.0
        a=mid:1
        a=ice-ufrag:FqL2qbB3
        a=ice-pwd:kqy6qZ4LRjuIqKfpiCh9sT2Y
        a=fingerprint:sha-256 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D\
        :1E:1F
        a=setup:passive
        a=sendrecv
        a=rtcp-mux
        a=rtcp-rsize
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 goog-remb
        a=rtcp-fb:96 transport-cc
        a=rtcp-fb:96 ccm fir
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=candidate:1 1 udp 2130706431 127.0.0.1 7882 typ host
        a=candidate:2 1 udp 2130706175 192.0.2.10 7882 typ host
        a=end-of-candidates
        """
    )

    /// Replaces the LF line ends of a Swift literal by CRLF.
    static func crlf(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n") + "\r\n"
    }
}
