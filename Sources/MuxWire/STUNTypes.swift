/// A STUN message's class: the two C bits of the message type (RFC 8489, section 5).
public enum STUNClass: UInt16, Sendable {
    case request = 0b00
    case indication = 0b01
    case successResponse = 0b10
    case errorResponse = 0b11
}

/// A STUN message type: method and class interleaved in 14 bits.
public struct STUNMessageType: Hashable, Sendable {
    public var method: UInt16
    public var `class`: STUNClass

    public static let bindingMethod: UInt16 = 0x001
    public static let bindingRequest = STUNMessageType(method: bindingMethod, class: .request)
    public static let bindingIndication = STUNMessageType(method: bindingMethod, class: .indication)
    public static let bindingSuccess = STUNMessageType(method: bindingMethod, class: .successResponse)
    public static let bindingError = STUNMessageType(method: bindingMethod, class: .errorResponse)

    public init(method: UInt16, class messageClass: STUNClass) {
        self.method = method & 0x0FFF
        self.class = messageClass
    }

    /// Splits the 14-bit field `M11..M7 C1 M6..M4 C0 M3..M0`.
    public init(rawValue: UInt16) {
        let method = (rawValue & 0x000F) | ((rawValue & 0x00E0) >> 1) | ((rawValue & 0x3E00) >> 2)
        let classBits = ((rawValue & 0x0010) >> 4) | ((rawValue & 0x0100) >> 7)
        self.init(method: method, class: STUNClass(rawValue: classBits)!)
    }

    public var rawValue: UInt16 {
        let classBits = self.class.rawValue
        return (self.method & 0x000F) | ((self.method & 0x0070) << 1) | ((self.method & 0x0F80) << 2)
            | ((classBits & 0b01) << 4) | ((classBits & 0b10) << 7)
    }
}

/// The attributes mediamux reads or writes; others are carried as raw type numbers.
public struct STUNAttributeType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let username = Self(rawValue: 0x0006)
    public static let messageIntegrity = Self(rawValue: 0x0008)
    public static let errorCode = Self(rawValue: 0x0009)
    public static let unknownAttributes = Self(rawValue: 0x000A)
    public static let messageIntegritySHA256 = Self(rawValue: 0x001C)
    public static let xorMappedAddress = Self(rawValue: 0x0020)
    public static let priority = Self(rawValue: 0x0024)
    public static let useCandidate = Self(rawValue: 0x0025)
    public static let software = Self(rawValue: 0x8022)
    public static let fingerprint = Self(rawValue: 0x8028)
    public static let iceControlled = Self(rawValue: 0x8029)
    public static let iceControlling = Self(rawValue: 0x802A)

    /// Types below 0x8000 must be understood by the receiver (RFC 8489, section 14).
    public var isComprehensionRequired: Bool { self.rawValue < 0x8000 }
}

/// The 96-bit transaction ID, held inline.
public struct STUNTransactionID: Hashable, Sendable {
    public var bytes: (UInt32, UInt32, UInt32)

    public init(_ a: UInt32, _ b: UInt32, _ c: UInt32) { self.bytes = (a, b, c) }

    public static func random() -> STUNTransactionID {
        var generator = SystemRandomNumberGenerator()
        return STUNTransactionID(generator.next(), generator.next(), generator.next())
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.bytes.0 == rhs.bytes.0 && lhs.bytes.1 == rhs.bytes.1 && lhs.bytes.2 == rhs.bytes.2
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.bytes.0)
        hasher.combine(self.bytes.1)
        hasher.combine(self.bytes.2)
    }
}

/// STUN's fixed numbers.
public enum STUN {
    public static let magicCookie: UInt32 = 0x2112_A442
    public static let headerLength = 20
    static let fingerprintXOR: UInt32 = 0x5354_554E
    static let integrityLength = 20
}
