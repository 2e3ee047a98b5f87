/// One key of a configuration as `orchd --check-config` shows it.
public struct ConfigurationKeyReport: Sendable, Equatable {
    public var key: String
    /// The effective value as text, secrets masked.
    public var value: String
    /// The file gave the key a value other than its default (only such keys are warned about or refused).
    public var isSet: Bool
    public var status: ConfigKeyStatus

    /// The key stops start-up: it is refused and set.
    public var blocksStartup: Bool {
        if case .refused = status { return isSet }
        return false
    }
}

extension OrchestratorConfiguration {
    /// Whether the file set `key` to something other than its default.
    public func differsFromDefault(_ key: String) -> Bool {
        guard explicitKeys.contains(key), let spec = ConfigurationSchema.byName[key] else { return false }
        return values[key] != spec.defaultValue
    }

    /// Every key in schema order with its masked value and status.
    public var keyReport: [ConfigurationKeyReport] {
        let masked = redactedValues
        return ConfigurationSchema.keys.map { spec in
            ConfigurationKeyReport(
                key: spec.name, value: masked[spec.name]?.description ?? "",
                isSet: differsFromDefault(spec.name),
                status: ConfigurationSchema.status(of: spec.name) ?? .refused("orchd has no status for this key"))
        }
    }

    /// The refused keys this configuration sets, as errors naming key, file and what to do.
    func keyRefusals(path: String, lines: [String: Int]) -> [ConfigurationError] {
        keyReport.filter(\.blocksStartup).map {
            ConfigurationError(path: path, key: $0.key, reason: "is not supported: \($0.status.reason)", line: lines[$0.key])
        }
    }

    /// One warning per accepted key this configuration sets.
    func keyAcceptanceWarnings(path: String, lines: [String: Int]) -> [ConfigurationWarning] {
        keyReport.compactMap { row in
            guard row.isSet, case .accepted(let reason) = row.status else { return nil }
            return ConfigurationWarning(path: path, key: row.key, message: "has no effect in orchd: \(reason)",
                                        line: lines[row.key])
        }
    }

    /// `--check-config`'s table: key, value (secrets masked), status, reason; set keys first marked `*`.
    public func keyReportTable(onlySet: Bool = false) -> String {
        let rows = keyReport.filter { !onlySet || $0.isSet }
        let keyWidth = max(3, rows.map(\.key.count).max() ?? 0)
        let valueWidth = min(40, max(5, rows.map(\.value.count).max() ?? 0))
        func pad(_ text: String, _ width: Int) -> String {
            let cut = text.count > width ? String(text.prefix(width - 1)) + "…" : text
            return cut + String(repeating: " ", count: max(0, width - cut.count))
        }
        var lines = ["  " + pad("KEY", keyWidth) + "  " + pad("VALUE", valueWidth) + "  STATUS    REASON"]
        for row in rows {
            let mark = row.blocksStartup ? "! " : (row.isSet ? "* " : "  ")
            lines.append(mark + pad(row.key, keyWidth) + "  " + pad(row.value, valueWidth) + "  "
                         + pad(row.status.name, 8) + "  " + row.status.reason)
        }
        return lines.joined(separator: "\n")
    }
}
