import MuxCore

/// The SSRCs the echo handler sends under: each of the peer's SSRCs XORed with a mask of the session's.
/// A peer must not receive RTP under one of its own sending SSRCs (GStreamer's webrtcbin takes such packets
/// for its own stream, and its SRTP sender then fails with replay errors); pion echoes under SSRCs of its own
/// as well. XOR is its own inverse, so one rule maps the peer's SSRCs to ours and ours back to the peer's,
/// in every field of RTP and RTCP at once: the peer's report on our stream becomes a report on its own, its
/// NACK or PLI for our stream asks it to repair the stream we echo. No table, nothing allocated.
///
/// Two of the peer's SSRCs x and y collide only if x ^ y equals the mask: a chance of n(n - 1) / 2³³ for n
/// SSRCs, so for a browser's four (audio, video, their RTX) about one session in 700 million.
public struct EchoSSRCMask: Sendable, Equatable {
    public let value: UInt32

    /// Derived from the session id, so the API (writing the answer) and the handler agree without sharing state.
    public init(session: SessionID) {
        let mixed = UInt32(truncatingIfNeeded: session.rawValue ^ (session.rawValue >> 32))
        self.value = mixed == 0 ? 0x9E37_79B9 : mixed
    }

    public func map(_ ssrc: UInt32) -> UInt32 { ssrc ^ self.value }

    /// The SSRC of an RTP packet (RFC 3550, section 5.1). Contributing sources are left as they are.
    public func rewriteRTP(_ packet: UnsafeMutableRawBufferPointer) {
        guard packet.count >= 12, packet[0] >> 6 == 2 else { return }
        self.flip(packet, at: 8, end: packet.count)
    }

    /// Every SSRC field of a compound RTCP packet that mediamux knows the layout of: SR, RR, SDES, BYE, APP,
    /// generic and payload-specific feedback (NACK, TMMBR/TMMBN, PLI, FIR, REMB) and XR's DLRR blocks.
    /// A packet whose lengths do not add up ends the walk; bytes past it are left alone.
    public func rewriteRTCP(_ packet: UnsafeMutableRawBufferPointer) {
        var offset = 0
        while offset + 8 <= packet.count, packet[offset] >> 6 == 2 {
            let count = Int(packet[offset] & 0x1F)
            let type = packet[offset + 1]
            let end = offset + ((Int(packet[offset + 2]) << 8 | Int(packet[offset + 3])) + 1) * 4
            guard end <= packet.count else { return }
            switch type {
            // Report blocks of 24 bytes, the reportee's SSRC first, after the sender info (SR) or at once (RR).
            case 200: self.flipEntries(packet, from: offset + 28, stride: 24, count: count, end: end)
            case 201: self.flipEntries(packet, from: offset + 8, stride: 24, count: count, end: end)
            case 202: self.flipChunks(packet, from: offset + 4, count: count, end: end)
            case 203: self.flipEntries(packet, from: offset + 4, stride: 4, count: count, end: end)
            case 205, 206: self.flipFeedback(packet, at: offset, format: count, payloadSpecific: type == 206, end: end)
            case 207: self.flipExtendedReports(packet, from: offset + 8, end: end)
            default: break
            }
            // The sender's SSRC, first in SR, RR, APP, feedback and XR (SDES and BYE have only entries).
            switch type {
            case 200, 201, 204, 205, 206, 207: self.flip(packet, at: offset + 4, end: end)
            default: break
            }
            offset = end
        }
    }

    private func flip(_ packet: UnsafeMutableRawBufferPointer, at index: Int, end: Int) {
        guard index + 4 <= end else { return }
        let mask = self.value
        packet[index] ^= UInt8(truncatingIfNeeded: mask >> 24)
        packet[index + 1] ^= UInt8(truncatingIfNeeded: mask >> 16)
        packet[index + 2] ^= UInt8(truncatingIfNeeded: mask >> 8)
        packet[index + 3] ^= UInt8(truncatingIfNeeded: mask)
    }

    private func flipEntries(
        _ packet: UnsafeMutableRawBufferPointer, from start: Int, stride: Int, count: Int, end: Int
    ) {
        for entry in 0..<count {
            self.flip(packet, at: start + entry * stride, end: end)
        }
    }

    /// SDES chunks: an SSRC, items of type, length and text, a zero type, then padding to 32 bits.
    private func flipChunks(_ packet: UnsafeMutableRawBufferPointer, from start: Int, count: Int, end: Int) {
        var position = start
        for _ in 0..<count {
            guard position + 4 <= end else { return }
            self.flip(packet, at: position, end: end)
            position += 4
            while position < end, packet[position] != 0 {
                guard position + 1 < end else { return }
                position += 2 + Int(packet[position + 1])
            }
            position = (position + 4) & ~3
        }
    }

    /// RTPFB and PSFB (RFC 4585): the media source's SSRC, then the FCI entries that name an SSRC.
    private func flipFeedback(
        _ packet: UnsafeMutableRawBufferPointer, at offset: Int, format: Int, payloadSpecific: Bool, end: Int
    ) {
        let fci = offset + 12
        // FIR and REMB leave the media source 0 (RFC 5104, 4.3.1.2) and name their SSRCs in the FCI.
        if !(payloadSpecific && (format == 4 || format == 15)) { self.flip(packet, at: offset + 8, end: end) }
        switch (payloadSpecific, format) {
        case (false, 3), (false, 4), (true, 4):
            // TMMBR, TMMBN (RFC 5104, 4.2) and FIR (4.3): 8-byte entries, the SSRC first.
            self.flipEntries(packet, from: fci, stride: 8, count: max(0, (end - fci) / 8), end: end)
        case (true, 15):
            // REMB: "REMB", the number of SSRCs, the bitrate, then the SSRCs.
            guard fci + 8 <= end, packet[fci] == 0x52, packet[fci + 1] == 0x45, packet[fci + 2] == 0x4D,
                packet[fci + 3] == 0x42
            else { return }  // "REMB"
            self.flipEntries(packet, from: fci + 8, stride: 4, count: Int(packet[fci + 4]), end: end)
        default:
            break
        }
    }

    /// XR (RFC 3611) report blocks; DLRR (type 5) sub-blocks of 12 bytes start with an SSRC.
    private func flipExtendedReports(_ packet: UnsafeMutableRawBufferPointer, from start: Int, end: Int) {
        var position = start
        while position + 4 <= end {
            let blockEnd = position + 4 + (Int(packet[position + 2]) << 8 | Int(packet[position + 3])) * 4
            guard blockEnd <= end else { return }
            if packet[position] == 5 {
                self.flipEntries(
                    packet, from: position + 4, stride: 12, count: (blockEnd - position - 4) / 12, end: blockEnd)
            }
            position = blockEnd
        }
    }
}
