/// Settings from `MEDIAMUX_*` environment variables. A list is comma-separated text.
///
/// A `MEDIAMUX_` name that is no setting is reported, not refused: the environment is shared with things
/// mediamux does not control. Kubernetes, for one, gives every pod `MEDIAMUX_PORT`, `MEDIAMUX_SERVICE_HOST`
/// and so on when a Service is named mediamux.
public enum EnvironmentSettings {
    static let prefix = "MEDIAMUX_"

    public static func read(_ environment: [String: String]) -> (values: SettingValues, unknown: [String]) {
        var values = SettingValues()
        var unknown: [String] = []
        for (name, text) in environment where name.hasPrefix(Self.prefix) {
            guard let key = SettingKeys.byEnvironmentName[name] else {
                // Compared without the prefix, which every name shares and which would make any name look close.
                let known = SettingKeys.byEnvironmentName.keys.map { String($0.dropFirst(Self.prefix.count)) }
                let nearest = NearestName.find(String(name.dropFirst(Self.prefix.count)), among: known)
                unknown.append(nearest.map { "\(name) (did you mean \(Self.prefix)\($0)?)" } ?? name)
                continue
            }
            switch key.shape {
            case .scalar: values[key.name] = .text(text)
            case .list: values[key.name] = .list(SettingText.listItems(text))
            }
        }
        return (values, unknown.sorted())
    }
}
