// MARK: - Printing, in jq's formats

extension JSON {
    /// jq's default output (`jq .`): two-space indentation, one member per line.
    public var pretty: String {
        var out = ""
        write(into: &out, indent: 0, pretty: true)
        return out
    }

    /// jq's compact output (`jq -c .`).
    public var compact: String {
        var out = ""
        write(into: &out, indent: 0, pretty: false)
        return out
    }

    /// jq's raw output (`jq -r .`): strings without quotes, everything else as `pretty`.
    public var raw: String {
        if case let .string(s) = self { return s }
        return pretty
    }

    /// What upstream's client prints with `echo $json` (an unquoted shell variable holding `jq .`
    /// output): the pretty form with every run of whitespace folded into one space.
    public var echoed: String {
        foldWhitespace(pretty)
    }

    func write(into out: inout String, indent: Int, pretty: Bool) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .number(text): out += text
        case let .string(s): JSON.writeQuoted(s, into: &out)
        case let .array(items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (position, item) in items.enumerated() {
                if position > 0 { out += "," }
                if pretty { JSON.newline(into: &out, indent: indent + 1) }
                item.write(into: &out, indent: indent + 1, pretty: pretty)
            }
            if pretty { JSON.newline(into: &out, indent: indent) }
            out += "]"
        case let .object(members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (position, (key, value)) in members.enumerated() {
                if position > 0 { out += "," }
                if pretty { JSON.newline(into: &out, indent: indent + 1) }
                JSON.writeQuoted(key, into: &out)
                out += pretty ? ": " : ":"
                value.write(into: &out, indent: indent + 1, pretty: pretty)
            }
            if pretty { JSON.newline(into: &out, indent: indent) }
            out += "}"
        }
    }

    static func newline(into out: inout String, indent: Int) {
        out += "\n"
        out += String(repeating: "  ", count: indent)
    }

    static func writeQuoted(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u00" + hexByte(UInt8(scalar.value))
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}

/// Folds runs of spaces, tabs and newlines into single spaces and trims the ends, as the shell does
/// to an unquoted variable passed to `echo`.
func foldWhitespace(_ text: String) -> String {
    var out = ""
    var pendingSpace = false
    for scalar in text.unicodeScalars {
        if scalar == " " || scalar == "\n" || scalar == "\t" {
            pendingSpace = !out.isEmpty
            continue
        }
        if pendingSpace { out += " "; pendingSpace = false }
        out.unicodeScalars.append(scalar)
    }
    return out
}
