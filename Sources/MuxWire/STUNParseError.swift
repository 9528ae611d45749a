/// Why bytes that looked like STUN are not a well-formed STUN message.
public struct STUNParseError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Reason: Hashable, Sendable {
        case tooShort
        case notSTUN
        case badMagicCookie
        case badLength
        case truncatedAttribute
        case attributeAfterFingerprint
        case badAttributeLength(STUNAttributeType)
    }

    private let reason: Reason

    public static let tooShort = Self(reason: .tooShort)
    public static let notSTUN = Self(reason: .notSTUN)
    public static let badMagicCookie = Self(reason: .badMagicCookie)
    public static let badLength = Self(reason: .badLength)
    public static let truncatedAttribute = Self(reason: .truncatedAttribute)
    public static let attributeAfterFingerprint = Self(reason: .attributeAfterFingerprint)
    public static func badAttributeLength(_ type: STUNAttributeType) -> Self {
        Self(reason: .badAttributeLength(type))
    }

    public var description: String {
        switch self.reason {
        case .tooShort: "shorter than a STUN header"
        case .notSTUN: "the two top bits of the type are not zero"
        case .badMagicCookie: "no RFC 5389 magic cookie"
        case .badLength: "the length field disagrees with the datagram or is not a multiple of 4"
        case .truncatedAttribute: "an attribute runs past the end of the message"
        case .attributeAfterFingerprint: "an attribute follows FINGERPRINT"
        case .badAttributeLength(let type): "attribute 0x\(String(type.rawValue, radix: 16)) has a wrong length"
        }
    }
}
