/// A configuration value that cannot be used, named by its key so the operator knows what to fix.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let key: String
    public let message: String

    public init(key: String, message: String) {
        // An empty name (`mediamux ""`, or `"": 1` in the file) still needs to show in the message.
        self.key = key.isEmpty ? "\"\"" : key
        self.message = message
    }

    public var description: String { "invalid configuration: \(self.key): \(self.message)" }

    /// "unknown key", with the nearest known spelling when one is close enough to be a typo.
    static func unknown(_ name: String, among known: [String], kind: String = "key") -> ConfigurationError {
        var message = "unknown \(kind)"
        if let nearest = NearestName.find(name, among: known) { message += "; did you mean \(nearest)?" }
        return ConfigurationError(key: name, message: message)
    }
}
