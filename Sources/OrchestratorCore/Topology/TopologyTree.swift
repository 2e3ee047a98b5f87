/// The ASCII tree of a cluster as upstream's `topology` command prints it:
///
/// ```
/// 127.0.0.1:13306       [0s,ok,10.11.6-MariaDB-log,rw,ROW,>>,GTID]
/// + 127.0.0.1:13307     [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]
/// + 127.0.0.1:13308     [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]
///   + 127.0.0.1:13309   [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]
/// ```
///
/// Format (matching upstream): the top master has no prefix; a server at depth d >= 1 is indented by
/// 2*(d-1) spaces followed by `+ ` when it replicates fine (both threads running, last check valid and
/// recent) or `- ` otherwise; then `host:port`, ` (alias)` when the instance has an alias, a space and
/// the bracketed summary. The `[` of every line is then aligned to the rightmost one with spaces.
/// Replicas are listed under their master in key order. When no server is a top (a co-master ring),
/// each co-master is drawn as its own depth-1 branch and co-masters are not repeated below each other.
/// Lines are joined by `\n` with no trailing newline.
///
/// `tabulated` is upstream's `topology-tabulated`: the same tree, with the summary's fields as
/// `|`-separated columns, every column padded to its widest entry (the lag column right-aligned, the
/// others left-aligned), the extra tokens (`>>,GTID`...) in one last column:
///
/// ```
/// 127.0.0.1:13306    |0s|ok|10.11.6-MariaDB-log|rw|ROW|>>,GTID
/// + 127.0.0.1:13307  |0s|ok|10.11.6-MariaDB-log|ro|ROW|>>,GTID
/// ```
public enum TopologyTree {
    /// Renders the instances of one cluster. `lagThresholdSeconds` is
    /// ReasonableMaintenanceReplicationLagSeconds (decides the `lag` status). `extended` false prints
    /// only the prefixed keys (upstream's output for historic snapshots).
    public static func render(_ instances: [Instance], lagThresholdSeconds: Int64 = 20, extended: Bool = true,
                              tabulated: Bool = false) -> String {
        var byKey: [InstanceKey: Instance] = [:]
        for instance in instances { byKey[instance.key] = instance }
        var children: [InstanceKey: [InstanceKey]] = [:]
        var tops: [InstanceKey] = []
        for key in byKey.keys.sorted() {
            if let mk = byKey[key]!.masterKey, mk != key, byKey[mk] != nil {
                children[mk, default: []].append(key)
            } else {
                tops.append(key)
            }
        }
        var lines: [String] = []
        var visited: Set<InstanceKey> = []

        func entry(_ key: InstanceKey, depth: Int) {
            // `visited` bounds the walk even if masters form a cycle.
            guard let instance = byKey[key], !visited.contains(key) else { return }
            if instance.isCoMaster && depth > 1 { return }
            visited.insert(key)
            var line = ""
            if depth > 0 {
                line += String(repeating: " ", count: (depth - 1) * 2)
                let healthy = instance.replicaRunning && instance.isLastCheckValid && instance.isRecentlyChecked
                line += healthy ? "+ " : "- "
            }
            line += key.displayString
            if !instance.instanceAlias.isEmpty { line += " (\(instance.instanceAlias))" }
            if extended, tabulated {
                line += "|" + instance.tabulatedTokens(lagThresholdSeconds: lagThresholdSeconds).joined(separator: "|")
            } else if extended {
                line += " " + instance.humanReadableDescription(lagThresholdSeconds: lagThresholdSeconds)
            }
            lines.append(line)
            for child in children[key] ?? [] { entry(child, depth: depth + 1) }
        }

        if !tops.isEmpty {
            for top in tops { entry(top, depth: 0) }
        } else {
            for key in byKey.keys.sorted() where byKey[key]!.isCoMaster { entry(key, depth: 1) }
        }
        // A ring not marked as co-masters (grouping not run) would otherwise print nothing.
        for key in byKey.keys.sorted() where !visited.contains(key) && !byKey[key]!.isCoMaster {
            entry(key, depth: 0)
        }
        return tabulated ? tabulate(lines) : align(lines)
    }

    /// Pads every `|`-separated column to its widest entry: the second (lag) right-aligned, the
    /// others left-aligned, as upstream's tabulated topology.
    static func tabulate(_ lines: [String]) -> String {
        let rows = lines.map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        var widths: [Int] = []
        for row in rows {
            for (column, cell) in row.enumerated() {
                if column == widths.count { widths.append(0) }
                widths[column] = max(widths[column], cell.count)
            }
        }
        return rows.map { row in
            widths.indices.map { column in
                let cell = column < row.count ? row[column] : ""
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 1 ? padding + cell : cell + padding
            }.joined(separator: "|")
        }.joined(separator: "\n")
    }

    /// Pads each line before its first `[` so all brackets line up.
    static func align(_ lines: [String]) -> String {
        let columns = lines.map { line in line.firstIndex(of: "[").map { line.distance(from: line.startIndex, to: $0) } }
        let widest = columns.compactMap { $0 }.max() ?? 0
        return zip(lines, columns).map { line, column in
            guard let column, column < widest, let bracket = line.firstIndex(of: "[") else { return line }
            return String(line[..<bracket]) + String(repeating: " ", count: widest - column) + String(line[bracket...])
        }.joined(separator: "\n")
    }
}
