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
            "Example: orchestrator-client -c relocate -i db3:3306 -d db1:3306",
            "Environment: ORCHESTRATOR_API (one or several space-separated http://host:port[/api] endpoints),",
            "  ORCHESTRATOR_INSTANCE, ORCHESTRATOR_AUTH_USER, ORCHESTRATOR_AUTH_PASSWORD, ORCHESTRATOR_AUTH_USER_HEADER",
            "Options:",
        ]
        let flags: [(String, String)] = [
            ("-h, --help", "show this text"),
            ("-c <command>, --command <command>", "what to do; the commands are listed below"),
            ("-i <instance>, --instance <instance>", "the instance, host[:port] (port 3306 unless -D says otherwise)"),
            ("-d <destination>, -s <destination>", "the target instance of a move or takeover, host[:port]"),
            ("-a <alias>, --alias <alias>", "a cluster, by alias or name"),
            ("-o <owner>, --owner <owner>", "who takes the downtime or maintenance (default: current user)"),
            ("-r <reason>, --reason <reason>", "why: for downtime, maintenance and acknowledgements"),
            ("-u <duration>, --duration <duration>", "how long a downtime lasts, e.g. 30m or 2h (default 10m)"),
            ("-R <rule>, --promotion-rule <rule>", "promotion rule for register-candidate"),
            ("-t <tag>, --tag <tag>", "a tag, name or name=value"),
            ("-l <pool>, --pool <pool>", "a pool name"),
            ("-H <hostname>, --hostname <hostname>", "a host name: virtual names, raft peers and leader hints"),
            ("-U <api>, --api <api>", "the API endpoint(s), instead of $ORCHESTRATOR_API"),
            ("-P <path>, --path <path>", "the API path for -c api, e.g. clusters-info"),
            ("-q <query>, --query <query>", "the statement for restart-replica-statements"),
            ("-n <binlog>, --binlog <binlog>", "the binary log name for purge-binary-logs"),
            ("-S <seconds>, --seconds <seconds>", "the delay for delay-replication"),
            ("-b <user:password>, --auth <user:password>", "HTTP basic auth, instead of ORCHESTRATOR_AUTH_USER/PASSWORD"),
            ("-e <header: value>, --headers-auth <header: value>", "an auth header sent with every request"),
            ("-D <port>, --default-port <port>", "the port of instances named without one (default 3306)"),
            ("--noop, --dry-run", "recover, takeovers, refactoring and replication control: only show what would be done"),
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
                let mark = spec.notServedReason.map { " [not served by orchd: \($0)]" } ?? ""
                lines.append("  " + names + String(repeating: " ", count: width - names.count + 2) + spec.summary + mark)
            }
        }
        return lines
    }
}
