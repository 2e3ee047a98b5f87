/// A value bound to a `?` placeholder of a statement. Strings are escaped with the connection's
/// `mysql_real_escape_string` and quoted; numbers are formatted; nothing is spliced raw.
public enum MySQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case bool(Bool)
    case string(String)
}

extension MySQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(nilLiteral: ()) { self = .null }
}

/// Replaces each `?` outside quoted strings and quoted identifiers by the SQL literal of the
/// next value. `escape` must return the escaped body of a string literal (without quotes).
enum MySQLStatementRenderer {
    enum RenderError: Error, Equatable {
        case placeholderCount(expected: Int, given: Int)
        case nonFiniteDouble
    }

    static func render(
        _ template: String,
        _ values: [MySQLValue],
        escape: (String) -> String
    ) throws -> String {
        var out = ""
        out.reserveCapacity(template.utf8.count + values.count * 8)
        var next = 0
        var quote: Character? = nil
        var escaped = false
        var placeholders = 0
        for ch in template {
            if let q = quote {
                out.append(ch)
                if escaped { escaped = false } else if ch == "\\" && q != "`" { escaped = true } else if ch == q { quote = nil }
                continue
            }
            switch ch {
            case "'", "\"", "`":
                quote = ch
                out.append(ch)
            case "?":
                placeholders += 1
                guard next < values.count else { continue }
                out += try literal(values[next], escape: escape)
                next += 1
            default:
                out.append(ch)
            }
        }
        guard placeholders == values.count else {
            throw RenderError.placeholderCount(expected: placeholders, given: values.count)
        }
        return out
    }

    static func literal(_ value: MySQLValue, escape: (String) -> String) throws -> String {
        switch value {
        case .null: return "NULL"
        case .int(let v): return String(v)
        case .uint(let v): return String(v)
        case .bool(let v): return v ? "1" : "0"
        case .double(let v):
            guard v.isFinite else { throw RenderError.nonFiniteDouble }
            return String(v)
        case .string(let s): return "'" + escape(s) + "'"
        }
    }
}
