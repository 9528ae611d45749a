/// One `a=` line split at its first colon (RFC 8866, section 5.13). Property attributes such as `rtcp-mux` have
/// no value. Every attribute is kept, so a caller can read what this module does not interpret.
public struct Attribute: Hashable, Sendable {
    public var name: String
    public var value: String?
    /// The line number in the parsed text, counted from 1, for error messages.
    public var line: Int

    public init(name: String, value: String? = nil, line: Int = 0) {
        self.name = name
        self.value = value
        self.line = line
    }

    /// Splits the text after `a=`.
    init(sdpValue text: String, line: Int) {
        if let colon = text.firstIndex(of: ":") {
            self.init(name: String(text[..<colon]), value: String(text[text.index(after: colon)...]), line: line)
        } else {
            self.init(name: text, line: line)
        }
    }

    /// The value, which the attribute's grammar requires.
    func requiredValue() throws(SDPError) -> String {
        guard let value = self.value, !value.isEmpty else {
            throw SDPError.malformedLine(self.line, "a=\(self.name) needs a value")
        }
        return value
    }
}

extension Attribute {
    /// The value of `a=fingerprint`, at session or media level.
    func fingerprint() throws(SDPError) -> Fingerprint {
        guard let fingerprint = Fingerprint(sdpValue: try self.requiredValue()) else {
            throw SDPError.malformedLine(self.line, "a=fingerprint needs <hash function> <hex>:<hex>...")
        }
        return fingerprint
    }

    /// The value of `a=setup`, at session or media level.
    func setupRole() throws(SDPError) -> SetupRole {
        let value = try self.requiredValue()
        guard let setup = SetupRole(rawValue: value) else { throw SDPError.unsupportedSetup(value) }
        return setup
    }
}
