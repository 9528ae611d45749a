import Yams

/// Settings from the YAML file, read strictly: every section and key must be known, a scalar key takes a
/// scalar, a list key a sequence of scalars (or comma-separated text), and nothing may be left empty.
public enum YAMLSettings {
    /// A configuration file is written by hand; anything much larger is a mistake or an attack on the parser.
    public static let maxBytes = 1 << 20

    public static func parse(_ text: String) throws -> SettingValues {
        guard text.utf8.count <= Self.maxBytes else {
            throw ConfigurationError(key: "--config", message: "the file is larger than \(Self.maxBytes) bytes")
        }
        let root: Node?
        do {
            root = try Parser(yaml: text).singleRoot()
        } catch {
            throw ConfigurationError(key: "--config", message: "not valid YAML: \(error)")
        }
        guard let root, root.null == nil else { return [:] }
        guard case .mapping(let sections) = root else {
            throw ConfigurationError(
                key: "--config", message: "the file must be a mapping of sections, such as udp: and api:")
        }
        var values = SettingValues()
        for (sectionNode, body) in sections {
            let section = try Self.name(of: sectionNode, in: nil)
            guard SettingKeys.sections.contains(section) else {
                throw ConfigurationError.unknown(section, among: SettingKeys.sections, kind: "section")
            }
            if body.null != nil { continue }
            guard case .mapping(let entries) = body else {
                throw ConfigurationError(
                    key: section, message: "must be a mapping of keys, such as \(section):\\n  key: value")
            }
            for (keyNode, valueNode) in entries {
                let name = section + "." + (try Self.name(of: keyNode, in: section))
                guard let key = SettingKeys.byName[name] else {
                    throw ConfigurationError.unknown(name, among: Array(SettingKeys.byName.keys))
                }
                values[name] = try Self.value(valueNode, for: key)
            }
        }
        return values
    }

    private static func name(of node: Node, in section: String?) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw ConfigurationError(key: section ?? "--config", message: "has a key that is not plain text")
        }
        return scalar.string
    }

    private static func value(_ node: Node, for key: SettingKey) throws -> SettingValue {
        switch (node, key.shape) {
        case (.scalar, _) where node.null != nil:
            throw ConfigurationError(key: key.name, message: "has no value; remove the key to use the default")
        case (.scalar(let scalar), .scalar):
            return .text(scalar.string)
        case (.scalar(let scalar), .list):
            return .list(SettingText.listItems(scalar.string))
        case (.sequence(let items), .list):
            return .list(
                try items.map { item in
                    guard case .scalar(let scalar) = item, item.null == nil else {
                        throw ConfigurationError(key: key.name, message: "takes a list of plain values")
                    }
                    return scalar.string.trimmingSpaces()
                })
        case (.sequence, .scalar):
            throw ConfigurationError(key: key.name, message: "takes one value, not a list")
        case (.mapping, _):
            throw ConfigurationError(key: key.name, message: "takes a value, not a mapping")
        case (.alias, _):
            throw ConfigurationError(key: key.name, message: "takes a value, not an alias")
        }
    }
}
