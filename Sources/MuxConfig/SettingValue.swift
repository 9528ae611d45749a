/// A setting as one source gave it, before it is checked against what the key allows.
public enum SettingValue: Sendable, Equatable {
    case text(String)
    case list([String])
}

/// The values of one source (file, environment or flags), by key name.
public typealias SettingValues = [String: SettingValue]
