/// RFC 4571 framing, as ICE-TCP uses it (RFC 6544): each datagram travels as a 16-bit big-endian length and
/// then that many bytes. Reads frames out of what a stream delivered so far, in place; a frame split across
/// reads waits for the rest.
public enum StreamFramer {
    public enum Next: Equatable, Sendable {
        /// A whole frame: its payload's bytes in the buffer.
        case frame(Range<Int>)
        /// The next frame is not all there yet.
        case incomplete
        /// A length of zero or above the limit: the stream is not carrying datagrams.
        case invalid(length: Int)
    }

    /// The frame that starts at `offset` of `bytes`.
    public static func next(in bytes: UnsafeRawBufferPointer, at offset: Int, maxLength: Int) -> Next {
        guard bytes.count - offset >= 2 else { return .incomplete }
        let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
        guard length > 0, length <= maxLength else { return .invalid(length: length) }
        let start = offset + 2
        guard bytes.count - start >= length else { return .incomplete }
        return .frame(start..<start + length)
    }

    /// Writes the 2-byte length of a `length`-byte frame at `header`.
    public static func writeHeader(length: Int, to header: UnsafeMutableRawPointer) {
        header.storeBytes(of: UInt8(truncatingIfNeeded: length >> 8), as: UInt8.self)
        header.storeBytes(of: UInt8(truncatingIfNeeded: length), toByteOffset: 1, as: UInt8.self)
    }
}
