/// A parsed STUN message (RFC 8489). It keeps the datagram's bytes and the position of each attribute,
/// so MESSAGE-INTEGRITY and FINGERPRINT can be checked over the exact bytes that arrived.
///
/// Parsing checks structure only; `verifyIntegrity(with:)` and `hasValidFingerprint` check the hashes.
/// No input traps: every read is bounds-checked.
public struct STUNMessage: Sendable {
    public struct Attribute: Hashable, Sendable {
        public var type: STUNAttributeType
        /// Where the value sits in `bytes`, without padding.
        public var value: Range<Int>
    }

    public let type: STUNMessageType
    public let transactionID: STUNTransactionID
    public let bytes: [UInt8]
    /// Attributes in order. Those after MESSAGE-INTEGRITY, other than FINGERPRINT, are left out as RFC 8489
    /// says to ignore them.
    public let attributes: [Attribute]
    /// Comprehension-required attributes this parser does not know, for a 420 response.
    public let unknownComprehensionRequired: [STUNAttributeType]
    let integrityOffset: Int?
    let fingerprintOffset: Int?

    private static let known: Set<STUNAttributeType> = [
        .username, .messageIntegrity, .errorCode, .unknownAttributes, .xorMappedAddress,
        .priority, .useCandidate, .software, .fingerprint, .iceControlled, .iceControlling,
    ]

    public init(parsing datagram: UnsafeRawBufferPointer) throws(STUNParseError) {
        guard datagram.count >= STUN.headerLength else { throw .tooShort }
        let rawType = datagram.loadBigEndianUInt16(at: 0)
        guard rawType & 0xC000 == 0 else { throw .notSTUN }
        let length = Int(datagram.loadBigEndianUInt16(at: 2))
        guard datagram.loadBigEndianUInt32(at: 4) == STUN.magicCookie else { throw .badMagicCookie }
        guard length % 4 == 0, length + STUN.headerLength == datagram.count else { throw .badLength }

        var attributes: [Attribute] = []
        var unknown: [STUNAttributeType] = []
        var integrityOffset: Int?
        var fingerprintOffset: Int?
        var offset = STUN.headerLength
        while offset < datagram.count {
            guard fingerprintOffset == nil else { throw .attributeAfterFingerprint }
            guard offset + 4 <= datagram.count else { throw .truncatedAttribute }
            let type = STUNAttributeType(rawValue: datagram.loadBigEndianUInt16(at: offset))
            let valueLength = Int(datagram.loadBigEndianUInt16(at: offset + 2))
            let valueStart = offset + 4
            let paddedEnd = valueStart + ((valueLength + 3) & ~3)
            guard paddedEnd <= datagram.count else { throw .truncatedAttribute }
            let attribute = Attribute(type: type, value: valueStart..<(valueStart + valueLength))

            switch type {
            case .fingerprint:
                guard valueLength == 4 else { throw .badAttributeLength(type) }
                fingerprintOffset = offset
                attributes.append(attribute)
            case .messageIntegrity where integrityOffset == nil:
                guard valueLength == STUN.integrityLength else { throw .badAttributeLength(type) }
                integrityOffset = offset
                attributes.append(attribute)
            case _ where integrityOffset != nil:
                break  // RFC 8489, section 14.5: ignore what follows MESSAGE-INTEGRITY
            default:
                attributes.append(attribute)
                if type.isComprehensionRequired && !Self.known.contains(type) {
                    unknown.append(type)
                }
            }
            offset = paddedEnd
        }

        self.type = STUNMessageType(rawValue: rawType)
        self.transactionID = STUNTransactionID(
            datagram.loadBigEndianUInt32(at: 8),
            datagram.loadBigEndianUInt32(at: 12),
            datagram.loadBigEndianUInt32(at: 16)
        )
        self.bytes = Array(datagram)
        self.attributes = attributes
        self.unknownComprehensionRequired = unknown
        self.integrityOffset = integrityOffset
        self.fingerprintOffset = fingerprintOffset
    }

    public init(parsing bytes: [UInt8]) throws(STUNParseError) {
        let parsed: Result<STUNMessage, STUNParseError> = bytes.withUnsafeBytes { raw in
            Result { () throws(STUNParseError) in try STUNMessage(parsing: raw) }
        }
        self = try parsed.get()
    }

    /// The first attribute of this type, if any.
    public func value(of type: STUNAttributeType) -> ArraySlice<UInt8>? {
        guard let attribute = self.attributes.first(where: { $0.type == type }) else { return nil }
        return self.bytes[attribute.value]
    }

    public func contains(_ type: STUNAttributeType) -> Bool {
        self.attributes.contains { $0.type == type }
    }

    public var hasMessageIntegrity: Bool { self.integrityOffset != nil }
    public var hasFingerprint: Bool { self.fingerprintOffset != nil }

    /// True when FINGERPRINT is present and equals CRC-32 of the bytes before it, xor 0x5354554e.
    public var hasValidFingerprint: Bool {
        guard let offset = self.fingerprintOffset else { return false }
        return self.bytes.withUnsafeBytes { raw in
            let expected = CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<offset])) ^ STUN.fingerprintXOR
            return raw.loadBigEndianUInt32(at: offset + 4) == expected
        }
    }

    /// True when MESSAGE-INTEGRITY is present and matches HMAC-SHA1 under `key`, compared in constant time.
    public func verifyIntegrity(with key: STUNIntegrityKey) -> Bool {
        guard let offset = self.integrityOffset else { return false }
        return self.bytes.withUnsafeBytes { raw in
            let lengthThroughIntegrity = offset + 4 + STUN.integrityLength - STUN.headerLength
            let received = UnsafeRawBufferPointer(rebasing: raw[(offset + 4)..<(offset + 4 + STUN.integrityLength)])
            return withUnsafeTemporaryAllocation(byteCount: STUNIntegrityKey.codeLength, alignment: 1) { code in
                key.authenticationCode(raw, end: offset, length: lengthThroughIntegrity, into: code)
                return STUNIntegrityKey.matches(UnsafeRawBufferPointer(code), received)
            }
        }
    }
}
