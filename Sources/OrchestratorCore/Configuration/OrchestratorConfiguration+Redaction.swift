/// Printing a configuration never reveals a secret: every way to turn it into text masks secret keys.
extension OrchestratorConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Shown instead of a non-empty secret.
    public static let redactedMarker = "********"

    /// All values, secrets masked.
    public var redactedValues: [String: ConfigValue] {
        var copy = values
        for spec in ConfigurationSchema.keys where spec.isSecret {
            if case .string(let text) = copy[spec.name], !text.isEmpty { copy[spec.name] = .string(Self.redactedMarker) }
        }
        return copy
    }

    /// A JSON object of every key (sorted, one per line), secrets masked: safe to log or serve.
    public var redactedJSON: String {
        let masked = redactedValues
        let lines = masked.keys.sorted().map { key in "  \(jsonString(key)): \(jsonText(masked[key]!))" }
        return "{\n" + lines.joined(separator: ",\n") + "\n}"
    }

    public var description: String { redactedJSON }
    public var debugDescription: String { "OrchestratorConfiguration(" + redactedJSON + ")" }

    /// `dump()` and debuggers see only masked values.
    public var customMirror: Mirror {
        Mirror(self, children: redactedValues.keys.sorted().map { (label: $0, value: redactedValues[$0]! as Any) },
               displayStyle: .struct)
    }

    private func jsonText(_ value: ConfigValue) -> String {
        switch value {
        case .bool(let v): return String(v)
        case .int(let v): return String(v)
        case .string(let v): return jsonString(v)
        case .strings(let v): return "[" + v.map(jsonString).joined(separator: ", ") + "]"
        case .map(let v): return "{" + v.keys.sorted().map { "\(jsonString($0)): \(jsonString(v[$0]!))" }.joined(separator: ", ") + "}"
        }
    }
}

/// JSON string literal with the escapes JSON requires.
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

extension OrchestratorConfiguration {
    /// The variables of `environment` that carry a credential of this configuration: those its secrets
    /// were expanded from, and any other whose value is one of its non-empty secrets (a password also
    /// exported as `MYSQL_PWD`, say). Hooks inherit orchd's environment less these.
    public func credentialEnvironmentNames(in environment: [String: String]) -> Set<String> {
        var secrets: Set<String> = []
        for spec in ConfigurationSchema.keys where spec.isSecret {
            if case .string(let value) = values[spec.name], !value.isEmpty { secrets.insert(value) }
        }
        var names = secretEnvironmentNames
        for (name, value) in environment where secrets.contains(value) { names.insert(name) }
        return names
    }
}
