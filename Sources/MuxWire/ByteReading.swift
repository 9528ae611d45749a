extension UnsafeRawBufferPointer {
    /// Callers check bounds first; these never read unaligned memory.
    @inlinable
    func loadBigEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: self.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable
    func loadBigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: self.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}

extension Collection<UInt8> {
    /// Reads the first `MemoryLayout<T>.size` bytes as a big-endian integer; the caller checks the count.
    func bigEndianInteger<T: FixedWidthInteger>(_: T.Type) -> T {
        self.prefix(MemoryLayout<T>.size).reduce(T.zero) { $0 << 8 | T($1) }
    }
}

extension FixedWidthInteger {
    /// The integer's bytes, most significant first.
    var bigEndianBytes: [UInt8] {
        (0..<(Self.bitWidth / 8)).reversed().map { UInt8(truncatingIfNeeded: self >> ($0 * 8)) }
    }
}
