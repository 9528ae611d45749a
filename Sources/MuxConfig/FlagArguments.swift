/// Settings given as flags (`--udp-port 7882`, `--udp-port=7882`), read strictly: a flag that names no
/// setting, a scalar given twice or with several values, a comma in a scalar, or a flag with no value is an
/// error, never a silent unset. A list flag takes several values, commas, or repeats.
public enum FlagArguments {
    public static func parse(_ arguments: [String]) throws -> SettingValues {
        var values = SettingValues()
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else {
                throw ConfigurationError(
                    key: argument, message: "is not a flag; settings are given as --section-key value")
            }
            let name: String
            var given: [String] = []
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                given.append(String(argument[argument.index(after: equals)...]))
            } else {
                name = argument
                while index < arguments.endIndex, !arguments[index].hasPrefix("--") {
                    given.append(arguments[index])
                    index += 1
                }
            }
            guard let key = SettingKeys.byFlag[name] else {
                throw ConfigurationError.unknown(name, among: Array(SettingKeys.byFlag.keys), kind: "flag")
            }
            guard !given.isEmpty else { throw ConfigurationError(key: name, message: "needs a value") }
            switch key.shape {
            case .scalar:
                guard values[key.name] == nil else {
                    throw ConfigurationError(key: name, message: "is given more than once; give it once")
                }
                guard given.count == 1 else {
                    throw ConfigurationError(key: name, message: "takes one value, not \(given.count)")
                }
                guard !given[0].contains(",") else {
                    throw ConfigurationError(
                        key: name,
                        message:
                            "takes one value and has a comma; set a value with a comma in the file or the environment"
                    )
                }
                values[key.name] = .text(given[0])
            case .list:
                var items: [String] = []
                if case .list(let earlier) = values[key.name] { items = earlier }
                items += given.flatMap(SettingText.listItems)
                values[key.name] = .list(items)
            }
        }
        return values
    }
}

enum SettingText {
    /// `a, b,c` is three items; empty items are dropped, so `--sdp-codecs ""` is the empty list.
    static func listItems(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(self.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
