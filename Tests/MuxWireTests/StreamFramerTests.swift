import MuxWire
import Testing

/// RFC 4571 framing over any split of the stream: what ICE-TCP connections are read with.
@Suite struct StreamFramerTests {
    /// Every whole frame of `stream`, and the offset where the incomplete rest begins.
    private func frames(in stream: [UInt8], maxLength: Int = 2048) -> (frames: [[UInt8]], rest: Int, invalid: Int?) {
        stream.withUnsafeBytes { bytes in
            var offset = 0
            var found: [[UInt8]] = []
            while true {
                switch StreamFramer.next(in: bytes, at: offset, maxLength: maxLength) {
                case .frame(let range):
                    found.append(Array(bytes[range]))
                    offset = range.upperBound
                case .incomplete:
                    return (found, offset, nil)
                case .invalid(let length):
                    return (found, offset, length)
                }
            }
        }
    }

    @Test func readsEveryFrameWhateverTheStreamIsCutInto() {
        var generator = SystemRandomNumberGenerator()
        let datagrams = (0..<50).map { _ in (0..<Int.random(in: 1...1500, using: &generator)).map { UInt8($0 & 0xFF) } }
        let stream = datagrams.flatMap { [UInt8($0.count >> 8), UInt8($0.count & 0xFF)] + $0 }
        // Fed in random pieces, as TCP segments arrive: each piece appended, whole frames taken off the front.
        var buffer: [UInt8] = []
        var read: [[UInt8]] = []
        var position = 0
        while position < stream.count {
            let piece = min(stream.count - position, Int.random(in: 1...3000, using: &generator))
            buffer += stream[position..<position + piece]
            position += piece
            let (frames, rest, invalid) = self.frames(in: buffer)
            #expect(invalid == nil)
            read += frames
            buffer.removeFirst(rest)
        }
        #expect(read == datagrams)
        #expect(buffer.isEmpty)
    }

    @Test func refusesAZeroOrOverlongLength() {
        #expect(self.frames(in: [0, 0, 1, 2]).invalid == 0)
        #expect(self.frames(in: [0x08, 0x01] + [UInt8](repeating: 0, count: 10)).invalid == 2049)
        // A frame right at the limit is fine; one short header byte waits.
        #expect(self.frames(in: [0x08, 0x00] + [UInt8](repeating: 7, count: 2048)).frames.count == 1)
        #expect(self.frames(in: [0x08]).frames.isEmpty && self.frames(in: [0x08]).invalid == nil)
    }

    @Test func writesTheLengthBigEndian() {
        var header: [UInt8] = [0, 0]
        header.withUnsafeMutableBytes { StreamFramer.writeHeader(length: 1234, to: $0.baseAddress!) }
        #expect(header == [0x04, 0xD2])
    }
}
