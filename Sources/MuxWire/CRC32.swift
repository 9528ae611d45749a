/// CRC-32 (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320), as STUN's FINGERPRINT uses it.
///
/// Written here because the toolchain exposes no zlib module to Swift; it is a dozen lines and tested
/// against the RFC 5769 vectors.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        self.table.withUnsafeBufferPointer { table in
            for byte in bytes {
                crc = (crc >> 8) ^ table[Int((crc ^ UInt32(byte)) & 0xFF)]
            }
        }
        return ~crc
    }
}
