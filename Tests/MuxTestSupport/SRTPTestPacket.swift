import MuxCrypto

/// RTP packets and the peer's side of SRTP, for tests that play the remote end.
public enum SRTPTestPacket {
    /// Version 2, payload type 111, SSRC 0x12345678, 160 bytes of payload.
    public static func rtp(sequence: UInt16) -> [UInt8] {
        [0x80, 111, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0, 0, 0x10, 0, 0x12, 0x34, 0x56, 0x78]
            + [UInt8](repeating: 0xAA, count: 160)
    }

    /// An RTCP receiver report from SSRC 0x12345678 with no report blocks: what a receive-only peer sends.
    public static let receiverReport: [UInt8] = [0x80, 201, 0, 1, 0x12, 0x34, 0x56, 0x78]

    /// Protects into a buffer with room for the trailer, as the media path does.
    public static func protect(_ packet: [UInt8], with context: SRTPContext, isRTCP: Bool = false) -> [UInt8]? {
        var buffer = packet + [UInt8](repeating: 0, count: SRTPContext.maxTrailer)
        let result = buffer.withUnsafeMutableBytes { context.protect($0, length: packet.count, isRTCP: isRTCP) }
        guard case .success(let length) = result else { return nil }
        return Array(buffer.prefix(length))
    }

    public static func unprotect(
        _ packet: [UInt8], with context: SRTPContext, isRTCP: Bool = false
    ) -> Result<[UInt8], SRTPFailure> {
        var buffer = packet
        return buffer.withUnsafeMutableBytes { context.unprotect($0, length: packet.count, isRTCP: isRTCP) }
            .map { Array(buffer.prefix($0)) }
    }
}
