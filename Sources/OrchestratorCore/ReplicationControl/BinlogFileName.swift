/// A binary (or relay) log file name, ordered the way the server creates them: by the numeric suffix
/// after the last dot, not as text. `mysql-bin.000010` follows `mysql-bin.000009`, and `binlog.1000000`
/// follows `binlog.999999` (the suffix grows past six digits; text comparison puts it first).
public struct BinlogFileName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file name as the server reports it.
    public let name: String

    public init(_ name: String) { self.name = name }

    public var description: String { name }

    /// The name without its numeric suffix (`mysql-bin` for `mysql-bin.000012`); the whole name when
    /// it has no dot.
    public var baseName: Substring {
        guard let dot = name.lastIndex(of: ".") else { return Substring(name) }
        return name[..<dot]
    }

    /// The numeric suffix (12 for `mysql-bin.000012`); nil when the part after the last dot is not all
    /// ASCII digits (or there is no dot).
    public var number: UInt64? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        let suffix = name[name.index(after: dot)...]
        guard !suffix.isEmpty, suffix.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(suffix)
    }

    /// Whether this file comes before `other` in one server's sequence of logs: nil when that cannot
    /// be told (either name empty, different base names, or a name without a numeric suffix), so a
    /// safety check can treat "unknown" as it must.
    public func precedes(_ other: BinlogFileName) -> Bool? {
        guard !name.isEmpty, !other.name.isEmpty, baseName == other.baseName,
              let mine = number, let theirs = other.number else { return nil }
        return mine < theirs
    }

    /// Same base name with numeric suffixes: by number (then by text, so `.010` and `.10` still
    /// differ). Otherwise as text, which at least keeps the order total.
    public static func < (lhs: BinlogFileName, rhs: BinlogFileName) -> Bool {
        if lhs.baseName == rhs.baseName, let l = lhs.number, let r = rhs.number, l != r { return l < r }
        return lhs.name < rhs.name
    }
}
