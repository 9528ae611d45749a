/// A session's identity: 64 random bits, written as 16 lowercase hex digits in the API.
public struct SessionID: Hashable, Sendable, LosslessStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public init?(_ description: String) {
        guard description.count == 16, let value = UInt64(description, radix: 16) else { return nil }
        self.rawValue = value
        guard self.description == description else { return nil }  // lowercase only: one URL per session
    }

    public static func random() -> SessionID {
        var generator = SystemRandomNumberGenerator()
        return SessionID(rawValue: generator.next())
    }

    public var description: String {
        let hex = String(self.rawValue, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
