// MARK: - Finding a command, and suggesting one for a typo

extension CommandSpec {
    /// The command called `name` (or one of its aliases).
    public static func named(_ name: String) -> CommandSpec? {
        index[name]
    }

    static let index: [String: CommandSpec] = {
        var map: [String: CommandSpec] = [:]
        for spec in all {
            map[spec.name] = spec
            for alias in spec.aliases { map[alias] = spec }
        }
        return map
    }()

    /// Known names closest to `name`: small edit distance first, then names it is a prefix or part of.
    public static func suggestions(for name: String, limit: Int = 4) -> [String] {
        let candidates = all.flatMap { [$0.name] + $0.aliases }
        let typed = name.lowercased()
        let threshold = max(2, typed.count / 4)
        var scored: [(name: String, score: Int)] = []
        for candidate in candidates {
            let distance = editDistance(typed, candidate)
            if distance <= threshold {
                scored.append((candidate, distance))
            } else if typed.count >= 3, candidate.hasPrefix(typed) || candidate.contains(typed) {
                // A prefix or fragment: rank after close typos, shorter names first.
                scored.append((candidate, threshold + 1 + (candidate.count - typed.count)))
            }
        }
        scored.sort { $0.score != $1.score ? $0.score < $1.score : $0.name < $1.name }
        return scored.prefix(limit).map(\.name)
    }

    static func unknownCommandMessage(_ name: String) -> String {
        let close = suggestions(for: name)
        if close.isEmpty { return "unknown command '\(name)'; see -h for the list of commands" }
        return "unknown command '\(name)'; did you mean: \(close.joined(separator: ", "))? (see -h for all commands)"
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        if left.isEmpty { return right.count }
        if right.isEmpty { return left.count }
        var previous = Array(0...right.count)
        var current = [Int](repeating: 0, count: right.count + 1)
        for i in 1...left.count {
            current[0] = i
            for j in 1...right.count {
                let substitution = previous[j - 1] + (left[i - 1] == right[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[right.count]
    }
}

// MARK: - help

/// The text `help` / `-h` prints: usage, flags, then the commands by group.
public enum HelpText {
    public static func lines() -> [String] {
        var lines = [
            "Usage: orchestrator-client -c <command> [flags...]",
            "Example: orchestrator-client -c which-master -i some.replica",
            "Environment: ORCHESTRATOR_API (one or several space-separated http://host:port[/api] endpoints),",
            "  ORCHESTRATOR_INSTANCE, ORCHESTRATOR_AUTH_USER, ORCHESTRATOR_AUTH_PASSWORD, ORCHESTRATOR_AUTH_USER_HEADER",
            "Options:",
        ]
        let flags: [(String, String)] = [
            ("-h, --help", "print this help"),
            ("-c <command>, --command <command>", "indicate the operation to perform (see listing below)"),
            ("-i <instance>, --instance <instance>", "instance as host[:port] (default port 3306, see -D)"),
            ("-d <destination>, -s <destination>", "destination instance for relocation and takeover commands"),
            ("-a <alias>, --alias <alias>", "cluster alias"),
            ("-o <owner>, --owner <owner>", "name of owner for downtime/maintenance commands"),
            ("-r <reason>, --reason <reason>", "reason for downtime/maintenance/acknowledge operations"),
            ("-u <duration>, --duration <duration>", "duration for downtime/maintenance operations (default 10m)"),
            ("-R <promotion rule>, --promotion-rule <rule>", "rule for 'register-candidate' command"),
            ("-t <tag>, --tag <tag>", "tag for tag commands: name or name=value"),
            ("-l <pool name>, --pool <pool name>", "pool name for pool related commands"),
            ("-H <hostname>, --hostname <hostname>", "indicate host for resolve and raft operations"),
            ("-U <api>, --api <api>", "override $ORCHESTRATOR_API: where the client connects"),
            ("-P <api path>, --path <api path>", "with '-c api', the API path to call"),
            ("-q <query>, --query <query>", "query for 'restart-replica-statements' command"),
            ("-n <binlog>, --binlog <binlog>", "binary log for 'purge-binary-logs' command"),
            ("-S <seconds>, --seconds <seconds>", "seconds for delaying replication"),
            ("-b <username:password>, --auth <...>", "basic HTTP auth (overrides ORCHESTRATOR_AUTH_USER/PASSWORD)"),
            ("-e <header:user>, --headers-auth <...>", "header for headers auth"),
            ("-D <port>, --default-port <port>", "port for instances given without one (default 3306)"),
            ("--noop, --dry-run", "recover, takeover and refactoring commands: only show what would be done"),
        ]
        for (flag, text) in flags {
            lines.append("  \(flag)")
            lines.append("    \(text)")
        }
        let width = CommandSpec.all.map { ($0.aliases + [$0.name]).joined(separator: "|").count }.max() ?? 0
        for group in CommandGroup.allCases {
            lines.append("")
            lines.append("\(group.rawValue):")
            for spec in CommandSpec.all where spec.group == group {
                let names = ([spec.name] + spec.aliases).joined(separator: "|")
                lines.append("  " + names + String(repeating: " ", count: width - names.count + 2) + spec.summary)
            }
        }
        return lines
    }
}
