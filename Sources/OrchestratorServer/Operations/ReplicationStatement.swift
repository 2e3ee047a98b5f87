/// One SQL statement an operation runs: a template with `?` placeholders, the values bound to them, and
/// which of those values are secrets (replication passwords).
///
/// The server receives the template rendered with the connection's `mysql_real_escape_string`; logs,
/// errors and dry runs see ``display``, rendered with the same escaping rules and every secret replaced
/// by `'****'`. Values are never spliced in raw.
public struct ReplicationStatement: Sendable, Equatable, CustomStringConvertible {
    /// What kind of statement this is, e.g. `CHANGE MASTER TO`, `STOP SLAVE`, `SET GLOBAL read_only`;
    /// used in error messages (which never show values).
    public let kind: String
    /// SQL with `?` placeholders.
    public let template: String
    /// Values for the placeholders, in order.
    public let values: [MySQLValue]
    /// Positions in `values` that must never be shown.
    public let secretPositions: Set<Int>

    public init(kind: String, _ template: String, _ values: [MySQLValue] = [], secretPositions: Set<Int> = []) {
        self.kind = kind
        self.template = template
        self.values = values
        self.secretPositions = secretPositions
    }

    /// The statement as it would reach the server, with secrets masked.
    public var display: String {
        let shown = values.enumerated().map { secretPositions.contains($0.offset) ? MySQLValue.string("****") : $0.element }
        return (try? MySQLStatementRenderer.render(template, shown, escape: SQLEscaping.literalBody)) ?? template
    }

    public var description: String { display }
}

/// Escaping without a connection, for displayed statements; the same rules as
/// `mysql_real_escape_string` for utf8mb4 (NUL, LF, CR, backslash, both quotes, Ctrl-Z).
public enum SQLEscaping {
    /// The escaped body of a single-quoted SQL string literal.
    public static func literalBody(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\u{0}": out += "\\0"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "\u{1A}": out += "\\Z"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A quoted SQL string literal.
    public static func literal(_ text: String) -> String { "'" + literalBody(text) + "'" }
}
