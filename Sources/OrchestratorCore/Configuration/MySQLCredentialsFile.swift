/// A MySQL user name and password. Printing it never shows the password.
public struct MySQLCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var user: String
    public var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    public var description: String { "user \"\(user)\", password \(password.isEmpty ? "(empty)" : OrchestratorConfiguration.redactedMarker)" }
    public var debugDescription: String { "MySQLCredentials(\(description))" }
    public var customMirror: Mirror {
        Mirror(self, children: ["user": user, "password": password.isEmpty ? "" : OrchestratorConfiguration.redactedMarker])
    }
}

/// Reads credentials from my.cnf-style text, as `MySQLTopologyCredentialsConfigFile` and
/// `MySQLOrchestratorCredentialsConfigFile` name: `user` and `password` in the `[client]` section.
///
/// Accepted syntax (MySQL option files): `[section]` headers (case-insensitive), `key = value` or
/// `key=value`, values optionally in single or double quotes (with `\"`, `\\`, `\n`, `\t` escapes in
/// double quotes), comments on lines starting with `#` or `;` and after ` #` in unquoted values, a bare
/// `password` meaning empty, `!include`/`!includedir` lines ignored, other sections and keys ignored.
public enum MySQLCredentialsFile {
    /// Parses `text` (the content of the file at `path`, named in errors).
    public static func parse(_ text: String, path: String) throws(ConfigurationError) -> MySQLCredentials {
        var section = ""
        var user: String?
        var password: String?
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = offset + 1
            let line = String(rawLine).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") || line.hasPrefix("!") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw ConfigurationError(path: path, reason: "line \(lineNumber): section header \"\(line)\" lacks a closing \"]\"",
                                             line: lineNumber)
                }
                section = String(line.dropFirst().dropLast()).trimmingWhitespace().lowercased()
                continue
            }
            guard section == "client" else { continue }
            let name: String
            var value = ""
            if let equals = line.firstIndex(of: "=") {
                name = String(line[..<equals]).trimmingWhitespace().lowercased()
                value = try unquote(String(line[line.index(after: equals)...]).trimmingWhitespace(), path: path, line: lineNumber)
            } else {
                name = line.lowercased()
            }
            switch name.replacingUnderscores() {
            case "user": user = value
            case "password": password = value
            default: continue
            }
        }
        guard let user else {
            throw ConfigurationError(path: path, reason: "no \"user\" in the [client] section; add user = NAME under [client]")
        }
        return MySQLCredentials(user: user, password: password ?? "")
    }

    static func unquote(_ value: String, path: String, line: Int) throws(ConfigurationError) -> String {
        guard let first = value.first, first == "\"" || first == "'" else {
            // Unquoted: a " #" starts a comment.
            var result = value
            if let hash = Substring(value).range(of: " #") { result = String(value[..<hash.lowerBound]) }
            return result.trimmingWhitespace()
        }
        var result = ""
        var escaped = false
        var index = value.index(after: value.startIndex)
        while index < value.endIndex {
            let c = value[index]
            if escaped {
                switch c {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(c)
                }
                escaped = false
            } else if c == "\\" && first == "\"" {
                escaped = true
            } else if c == first {
                let trailing = value[value.index(after: index)...].trimmingWhitespace()
                guard trailing.isEmpty || trailing.hasPrefix("#") || trailing.hasPrefix(";") else {
                    throw ConfigurationError(path: path, reason: "line \(line): unexpected text after the closing quote", line: line)
                }
                return result
            } else {
                result.append(c)
            }
            index = value.index(after: index)
        }
        throw ConfigurationError(path: path, reason: "line \(line): missing closing \(first) quote", line: line)
    }
}

extension String {
    /// MySQL treats `-` and `_` alike in option names.
    fileprivate func replacingUnderscores() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String { String(self).trimmingWhitespace() }
}

extension OrchestratorConfiguration {
    /// Applies credentials read from `MySQLTopologyCredentialsConfigFile` (they win over
    /// `MySQLTopologyUser`/`Password`, as upstream).
    public mutating func applyTopologyCredentials(_ credentials: MySQLCredentials) {
        mysqlTopologyUser = credentials.user
        mysqlTopologyPassword = credentials.password
    }

    /// Applies credentials read from `MySQLOrchestratorCredentialsConfigFile`.
    public mutating func applyOrchestratorCredentials(_ credentials: MySQLCredentials) {
        values["MySQLOrchestratorUser"] = .string(credentials.user)
        values["MySQLOrchestratorPassword"] = .string(credentials.password)
    }
}
