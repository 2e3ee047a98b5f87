extension OrchestratorConfiguration {
    /// Reads orchestrator.conf.json content.
    ///
    /// - Parameters:
    ///   - json: the file's bytes.
    ///   - path: the file's name, used in every message.
    ///   - environment: for `${NAME}` in secret values (passwords, tokens); pass the process environment.
    ///   - base: values to start from (defaults when nil), so several files can be layered in order as
    ///     upstream allows.
    ///   - refuseUnsupportedKeys: a key orchd refuses (`ConfigurationSchema.status(of:)`) set to a
    ///     non-default value is an error; `--check-config` passes false to list every key instead.
    /// - Returns: the configuration and warnings (unknown, deprecated, mis-cased or repeated keys).
    /// - Throws: `ConfigurationError` naming the file and, where one is to blame, the key: malformed
    ///   JSON (with line and column), wrong value types or ranges, missing required keys, bad
    ///   `host[:port]` entries, bad regular expressions, unset environment variables, conflicting
    ///   synonyms.
    public static func load(
        json: some Sequence<UInt8>, path: String, environment: [String: String] = [:],
        base: OrchestratorConfiguration? = nil, refuseUnsupportedKeys: Bool = true
    ) throws(ConfigurationError) -> (OrchestratorConfiguration, [ConfigurationWarning]) {
        let root: JSONValue
        do { root = try JSONParser.parse(Array(json)) } catch {
            throw ConfigurationError(path: path, reason: error.description, line: error.line, column: error.column)
        }
        guard case .object(let members) = root else {
            throw ConfigurationError(path: path, reason: "the file must hold a JSON object of settings, not \(root.kindName)")
        }
        var config = base ?? OrchestratorConfiguration()
        var warnings: [ConfigurationWarning] = []
        var seenAt: [String: Int] = [:]
        var lines: [String: Int] = [:]

        for member in members {
            let spec: ConfigKeySpec
            if let exact = ConfigurationSchema.byName[member.key] {
                spec = exact
            } else if let folded = ConfigurationSchema.byLowercasedName[member.key.lowercased()] {
                spec = folded
                warnings.append(ConfigurationWarning(
                    path: path, key: member.key, message: "is read as \"\(folded.name)\"; write it with that spelling",
                    line: member.line))
            } else if ConfigurationSchema.deprecatedKeys.contains(member.key) {
                warnings.append(ConfigurationWarning(
                    path: path, key: member.key, message: "is deprecated and ignored", line: member.line))
                continue
            } else {
                let hint = ConfigurationSchema.closestKey(to: member.key).map { " (did you mean \"\($0)\"?)" } ?? ""
                warnings.append(ConfigurationWarning(
                    path: path, key: member.key, message: "is unknown and ignored\(hint)", line: member.line))
                continue
            }
            if let previous = seenAt[spec.name] {
                warnings.append(ConfigurationWarning(
                    path: path, key: spec.name,
                    message: "is given more than once (first at line \(previous)); the last value wins",
                    line: member.line))
            }
            seenAt[spec.name] = member.line
            lines[spec.name] = member.line
            if case .null = member.value { continue }  // null keeps the current value, as upstream
            let value = try convert(member.value, spec: spec, path: path, line: member.line)
            config.values[spec.name] = value
            config.explicitKeys.insert(spec.name)
        }

        try config.expandEnvironment(environment, path: path, lines: lines)
        try config.applySynonymsAndDerivedDefaults(path: path, lines: lines)
        try config.validate(path: path, lines: lines)
        if refuseUnsupportedKeys {
            let refusals = config.keyRefusals(path: path, lines: lines)
            if var first = refusals.first {
                if refusals.count > 1 {
                    first.reason += " (also not supported: "
                        + refusals.dropFirst().compactMap(\.key).joined(separator: ", ")
                        + "; `orchd --check-config \(path)` lists each with what to do)"
                }
                throw first
            }
        }
        warnings += config.keyAcceptanceWarnings(path: path, lines: lines)
        if config.raftEnabled && config.raftNodes.isEmpty {
            warnings.append(ConfigurationWarning(
                path: path, key: "RaftNodes", message: "is empty while RaftEnabled is true; this node will form a group of one"))
        }
        return (config, warnings)
    }

    // MARK: - Types

    /// Converts one JSON value to the key's type, or explains the mismatch.
    static func convert(_ json: JSONValue, spec: ConfigKeySpec, path: String, line: Int) throws(ConfigurationError) -> ConfigValue {
        func mismatch(_ detail: String? = nil) -> ConfigurationError {
            ConfigurationError(
                path: path, key: spec.name,
                reason: "must be \(expectedDescription(spec)), not \(detail ?? json.kindName)", line: line)
        }
        switch spec.defaultValue {
        case .bool:
            guard case .bool(let v) = json else { throw mismatch() }
            return .bool(v)
        case .int:
            let number: Int64
            switch json {
            case .integer(let v): number = v
            case .number(let v): throw mismatch("\(v) (a fraction)")
            case .string(let text): throw mismatch("the string \"\(text)\"")
            default: throw mismatch()
            }
            if let minimum = spec.minimum, number < minimum { throw mismatch(String(number)) }
            if let maximum = spec.maximum, number > maximum { throw mismatch(String(number)) }
            return .int(number)
        case .string:
            guard case .string(let v) = json else { throw mismatch() }
            return .string(v)
        case .strings:
            guard case .array(let items) = json else { throw mismatch() }
            var result: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let v) = item else { throw mismatch("a list whose item \(index + 1) is \(item.kindName)") }
                result.append(v)
            }
            return .strings(result)
        case .map:
            guard case .object(let members) = json else { throw mismatch() }
            var result: [String: String] = [:]
            for member in members {
                guard case .string(let v) = member.value else {
                    throw mismatch("an object whose entry \"\(member.key)\" is \(member.value.kindName)")
                }
                result[member.key] = v
            }
            return .map(result)
        }
    }

    /// Keys holding `host[:port]` lists say so in their type errors.
    static func expectedDescription(_ spec: ConfigKeySpec) -> String {
        switch spec.name {
        case "RaftNodes", "DiscoverySeeds": return "a list of host[:port] strings"
        default: return spec.typeDescription
        }
    }

    // MARK: - Environment

    /// Replaces `${NAME}` in secret values with the environment variable (upstream does this for the
    /// MySQL passwords; we do it for every secret).
    mutating func expandEnvironment(_ environment: [String: String], path: String, lines: [String: Int]) throws(ConfigurationError) {
        for spec in ConfigurationSchema.keys where spec.isSecret {
            guard case .string(let text) = values[spec.name], text.contains("${") else { continue }
            var result = ""
            var rest = Substring(text)
            while let start = rest.range(of: "${") {
                result += rest[..<start.lowerBound]
                let afterOpen = rest[start.upperBound...]
                guard let close = afterOpen.firstIndex(of: "}") else {
                    throw ConfigurationError(
                        path: path, key: spec.name, reason: "has \"${\" without a closing \"}\"; write ${VARIABLE}",
                        line: lines[spec.name])
                }
                let name = String(afterOpen[..<close])
                guard let value = environment[name] else {
                    throw ConfigurationError(
                        path: path, key: spec.name,
                        reason: "refers to environment variable \"\(name)\", which is not set; export it or write the value",
                        line: lines[spec.name])
                }
                result += value
                secretEnvironmentNames.insert(name)
                rest = afterOpen[afterOpen.index(after: close)...]
            }
            result += rest
            values[spec.name] = .string(result)
        }
    }
}

extension Substring {
    /// First occurrence of `needle` (no Foundation).
    func range(of needle: String) -> Range<Index>? {
        let pattern = Array(needle)
        guard !pattern.isEmpty else { return nil }
        var index = startIndex
        while index < endIndex {
            if self[index...].starts(with: pattern) {
                return index..<self.index(index, offsetBy: pattern.count)
            }
            index = self.index(after: index)
        }
        return nil
    }
}
