/// Writes a STUN message attribute by attribute; `finish` appends MESSAGE-INTEGRITY and FINGERPRINT
/// over the bytes written so far, in the order RFC 8489 requires.
///
///     var builder = STUNMessageBuilder(type: .bindingSuccess, transactionID: request.transactionID)
///     builder.appendXORMappedAddress(source)
///     let datagram = builder.finish(integrity: key, fingerprint: true)
public struct STUNMessageBuilder: Sendable {
    private var bytes: [UInt8]
    private let transactionID: STUNTransactionID

    public init(type: STUNMessageType, transactionID: STUNTransactionID) {
        self.transactionID = transactionID
        self.bytes = []
        self.bytes.reserveCapacity(128)
        self.bytes += type.rawValue.bigEndianBytes
        self.bytes += [0, 0]
        for word in [STUN.magicCookie, transactionID.bytes.0, transactionID.bytes.1, transactionID.bytes.2] {
            self.bytes += word.bigEndianBytes
        }
    }

    /// Appends one attribute, padded with zeros to a multiple of 4 bytes.
    public mutating func append(_ type: STUNAttributeType, value: some Collection<UInt8>) {
        precondition(value.count <= Int(UInt16.max), "a STUN attribute value fits in 65535 bytes")
        self.bytes += type.rawValue.bigEndianBytes
        self.bytes += UInt16(value.count).bigEndianBytes
        self.bytes += value
        self.bytes += repeatElement(0, count: (4 - value.count % 4) % 4)
    }

    public mutating func appendUsername(_ username: String) {
        self.append(.username, value: Array(username.utf8))
    }

    public mutating func appendSoftware(_ software: String) {
        self.append(.software, value: Array(software.utf8))
    }

    public mutating func appendPriority(_ priority: UInt32) {
        self.append(.priority, value: priority.bigEndianBytes)
    }

    public mutating func appendUseCandidate() {
        self.append(.useCandidate, value: EmptyCollection())
    }

    public mutating func appendICEControlling(tieBreaker: UInt64) {
        self.append(.iceControlling, value: tieBreaker.bigEndianBytes)
    }

    public mutating func appendICEControlled(tieBreaker: UInt64) {
        self.append(.iceControlled, value: tieBreaker.bigEndianBytes)
    }

    /// ERROR-CODE with a code in 300...699 and a short reason phrase.
    public mutating func appendErrorCode(_ code: Int, reason: String) {
        precondition((300...699).contains(code), "STUN error codes are 300...699")
        let value: [UInt8] = [0, 0, UInt8(code / 100), UInt8(code % 100)] + Array(reason.utf8)
        self.append(.errorCode, value: value)
    }

    public mutating func appendUnknownAttributes(_ types: [STUNAttributeType]) {
        self.append(.unknownAttributes, value: types.flatMap { $0.rawValue.bigEndianBytes })
    }

    public mutating func appendXORMappedAddress(_ address: TransportAddress) {
        let port = address.port ^ UInt16(STUN.magicCookie >> 16)
        switch address.ip {
        case .v4(let ip):
            self.append(
                .xorMappedAddress, value: [0, 0x01] + port.bigEndianBytes + (ip ^ STUN.magicCookie).bigEndianBytes)
        case .v6:
            let masked = zip(address.ip.bytes, STUN.xorMask(self.transactionID)).map { $0 ^ $1 }
            self.append(.xorMappedAddress, value: [0, 0x02] + port.bigEndianBytes + masked)
        }
    }

    /// Appends MESSAGE-INTEGRITY when a key is given, then FINGERPRINT when asked, and returns the datagram.
    public consuming func finish(integrity key: STUNIntegrityKey?, fingerprint: Bool) -> [UInt8] {
        if let key {
            let end = self.bytes.count
            let length = end + 4 + STUN.integrityLength - STUN.headerLength
            self.bytes += STUNAttributeType.messageIntegrity.rawValue.bigEndianBytes
            self.bytes += UInt16(STUN.integrityLength).bigEndianBytes
            self.bytes += repeatElement(0, count: STUN.integrityLength)
            self.bytes.withUnsafeMutableBytes { raw in
                key.authenticationCode(
                    UnsafeRawBufferPointer(raw), end: end, length: length,
                    into: UnsafeMutableRawBufferPointer(rebasing: raw[(end + 4)...]))
            }
        }
        if fingerprint {
            self.setLength(self.bytes.count + 8 - STUN.headerLength)
            let crc = self.bytes.withUnsafeBytes { CRC32.checksum($0) } ^ STUN.fingerprintXOR
            self.bytes += STUNAttributeType.fingerprint.rawValue.bigEndianBytes
            self.bytes += UInt16(4).bigEndianBytes
            self.bytes += crc.bigEndianBytes
        }
        self.setLength(self.bytes.count - STUN.headerLength)
        return self.bytes
    }

    private mutating func setLength(_ length: Int) {
        self.bytes[2] = UInt8(truncatingIfNeeded: length >> 8)
        self.bytes[3] = UInt8(truncatingIfNeeded: length)
    }
}
