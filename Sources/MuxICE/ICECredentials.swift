/// A session's local ICE username fragment and password (RFC 8445, section 5.3).
///
/// Generated from the 64 `ice-char`s: 8 characters of ufrag (48 bits, unique among live sessions, which the
/// router checks) and 24 characters of password (144 bits, well above the 128 bits RFC 8445 asks for).
public struct ICECredentials: Hashable, Sendable {
    public let ufrag: String
    public let password: String

    static let iceChars = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    public init(ufrag: String, password: String) {
        self.ufrag = ufrag
        self.password = password
    }

    public static func random(ufragLength: Int = 8, passwordLength: Int = 24) -> ICECredentials {
        var generator = SystemRandomNumberGenerator()
        func randomString(_ length: Int) -> String {
            String((0..<length).map { _ in self.iceChars.randomElement(using: &generator)! })
        }
        return ICECredentials(ufrag: randomString(ufragLength), password: randomString(passwordLength))
    }

    /// RFC 8839: ufrag 4...256 ice-chars, password 22...256 ice-chars.
    public static func isValid(ufrag: String) -> Bool {
        (4...256).contains(ufrag.count) && ufrag.allSatisfy { self.iceChars.contains($0) }
    }

    public static func isValid(password: String) -> Bool {
        (22...256).contains(password.count) && password.allSatisfy { self.iceChars.contains($0) }
    }
}
