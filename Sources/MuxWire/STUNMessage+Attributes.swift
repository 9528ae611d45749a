/// Typed readers for the attributes ICE uses. Each returns nil when the attribute is absent or its
/// value has the wrong size.
extension STUNMessage {
    public var username: String? {
        self.value(of: .username).map { String(decoding: $0, as: UTF8.self) }
    }

    public var software: String? {
        self.value(of: .software).map { String(decoding: $0, as: UTF8.self) }
    }

    public var priority: UInt32? {
        self.value(of: .priority).flatMap { $0.count == 4 ? $0.bigEndianInteger(UInt32.self) : nil }
    }

    public var useCandidate: Bool { self.contains(.useCandidate) }

    public var iceControlling: UInt64? {
        self.value(of: .iceControlling).flatMap { $0.count == 8 ? $0.bigEndianInteger(UInt64.self) : nil }
    }

    public var iceControlled: UInt64? {
        self.value(of: .iceControlled).flatMap { $0.count == 8 ? $0.bigEndianInteger(UInt64.self) : nil }
    }

    /// ERROR-CODE as a number (300...699) and its reason phrase.
    public var errorCode: (code: Int, reason: String)? {
        guard let value = self.value(of: .errorCode), value.count >= 4 else { return nil }
        let start = value.startIndex
        let code = Int(value[start + 2] & 0x07) * 100 + Int(value[start + 3])
        return (code, String(decoding: value.dropFirst(4), as: UTF8.self))
    }

    public var xorMappedAddress: TransportAddress? {
        guard let value = self.value(of: .xorMappedAddress), value.count >= 8 else { return nil }
        let start = value.startIndex
        let family = value[start + 1]
        let port = UInt16(value[start + 2]) << 8 | UInt16(value[start + 3])
        let xoredPort = port ^ UInt16(STUN.magicCookie >> 16)
        switch (family, value.count) {
        case (0x01, 8):
            let address = value[(start + 4)...].bigEndianInteger(UInt32.self) ^ STUN.magicCookie
            return TransportAddress(ip: .v4(address), port: xoredPort)
        case (0x02, 20):
            let mask = STUN.xorMask(self.transactionID)
            let raw = zip(value[(start + 4)...], mask).map { $0 ^ $1 }
            let ip = raw.withUnsafeBytes { IPAddress(v6Bytes: $0) }
            return TransportAddress(ip: ip, port: xoredPort)
        default:
            return nil
        }
    }
}

extension STUN {
    /// Magic cookie followed by the transaction ID: the mask for an IPv6 XOR-MAPPED-ADDRESS.
    static func xorMask(_ id: STUNTransactionID) -> [UInt8] {
        [STUN.magicCookie, id.bytes.0, id.bytes.1, id.bytes.2].flatMap { word in
            (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * $0)) }
        }
    }
}
