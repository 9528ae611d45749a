/// A configuration value that cannot be used, named by its key so the operator knows what to fix.
struct ConfigurationError: Error, CustomStringConvertible {
    let key: String
    let message: String

    var description: String { "invalid configuration: \(self.key): \(self.message)" }
}
