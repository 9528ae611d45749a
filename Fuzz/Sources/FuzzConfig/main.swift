import MuxConfig

// The configuration loader over a YAML file, flags and environment variables all taken from the input:
// the YAML text, then after each NUL byte a flag, or a NAME=VALUE variable when it holds `=` and no `--`.
// Whatever they say, loading ends in settings or a ConfigurationError that names a key.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
        .split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
    var flags: [String] = []
    var environment: [String: String] = [:]
    for part in parts.dropFirst() {
        if !part.hasPrefix("--"), let equals = part.firstIndex(of: "=") {
            environment[String(part[..<equals])] = String(part[part.index(after: equals)...])
        } else {
            flags.append(part)
        }
    }
    do {
        let loaded = try SettingsLoader.load(yaml: parts[0], environment: environment, arguments: flags)
        // A token can be set, never unset by what a later source says.
        if loaded.settings.api.token == nil {
            precondition(
                loaded.settings.api.isLoopback, "the API would listen without a token on \(loaded.settings.api.host)")
        }
    } catch let error as ConfigurationError {
        precondition(!error.key.isEmpty, "an error without a key: \(error)")
    } catch {
        preconditionFailure("not a ConfigurationError: \(error)")
    }
    return 0
}
