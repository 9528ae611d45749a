/// The RTP packets the load generator sends: a 12-byte RTP header (version 2, payload type 96, the sender's
/// SSRC) and a payload that starts with a magic number, the sending peer's index, its own 32-bit sequence
/// number and the send time, padded to the requested size. Whoever receives one knows who sent it, which
/// packet it was, and how long it took (both ends read the same monotonic clock).
struct Probe: Equatable {
    static let magic: UInt32 = 0x4D4D_4C47  // "MMLG"
    static let headerSize = 12
    static let minimumSize = headerSize + 20

    var sender: UInt32
    var sequence: UInt32
    var sentAt: UInt64

    static func ssrc(of peer: UInt32) -> UInt32 { 0x4D4D_0000 &+ peer }

    /// Writes the probe as an RTP packet of `size` bytes at the start of `buffer`; returns `size`.
    func write(into buffer: UnsafeMutableRawBufferPointer, size: Int) -> Int {
        precondition(size >= Self.minimumSize && size <= buffer.count)
        let rtpSequence = UInt16(truncatingIfNeeded: self.sequence)
        buffer[0] = 0x80
        buffer[1] = 96
        buffer.storeBytes(of: rtpSequence.bigEndian, toByteOffset: 2, as: UInt16.self)
        buffer.storeBytes(of: (self.sequence &* 960).bigEndian, toByteOffset: 4, as: UInt32.self)
        buffer.storeBytes(of: Self.ssrc(of: self.sender).bigEndian, toByteOffset: 8, as: UInt32.self)
        buffer.storeBytes(of: Self.magic.bigEndian, toByteOffset: 12, as: UInt32.self)
        buffer.storeBytes(of: self.sender.bigEndian, toByteOffset: 16, as: UInt32.self)
        buffer.storeBytes(of: self.sequence.bigEndian, toByteOffset: 20, as: UInt32.self)
        buffer.storeBytes(of: self.sentAt.bigEndian, toByteOffset: 24, as: UInt64.self)
        UnsafeMutableRawBufferPointer(rebasing: buffer[Self.minimumSize..<size]).initializeMemory(
            as: UInt8.self, repeating: 0x5A)
        return size
    }

    /// Reads a probe back from a decrypted RTP packet; nil for anything else.
    init?(rtp packet: UnsafeRawBufferPointer) {
        guard packet.count >= Self.minimumSize,
            UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: 12, as: UInt32.self)) == Self.magic
        else { return nil }
        self.sender = UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        self.sequence = UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
        self.sentAt = UInt64(bigEndian: packet.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    init(sender: UInt32, sequence: UInt32, sentAt: UInt64) {
        self.sender = sender
        self.sequence = sequence
        self.sentAt = sentAt
    }
}
