import Synchronization

/// The rows of one result set, with column names as the server sent them.
public struct MySQLResultSet: Sendable {
    /// Column names in order (`mysql_fetch_fields`).
    public let columns: [String]
    /// Rows in server order.
    public let rows: [MySQLRow]
    /// `mysql_affected_rows` for statements without a result set.
    public let affectedRows: UInt64
    /// Each column's type and flags as the server described it (`mysql_fetch_fields`); empty for
    /// result sets not read from a server.
    public let columnTypes: [MySQLColumnType]

    public init(columns: [String], rows: [[String?]], affectedRows: UInt64 = 0, columnTypes: [MySQLColumnType] = []) {
        self.init(index: MySQLColumnIndex(columns), rows: rows, affectedRows: affectedRows, columnTypes: columnTypes)
    }

    /// With a column index already built for these columns (``MySQLColumnIndexCache``).
    init(index: MySQLColumnIndex, rows: [[String?]], affectedRows: UInt64 = 0, columnTypes: [MySQLColumnType] = []) {
        let columns = index.names
        self.columns = columns
        self.columnTypes = columnTypes
        self.rows = rows.map { MySQLRow(index: index, values: $0) }
        self.affectedRows = affectedRows
    }

    /// The first row, if any.
    public var first: MySQLRow? { rows.first }
}

/// A column's wire type (`enum_field_types`, e.g. 253 VAR_STRING, 8 LONGLONG) and flags (1 NOT_NULL,
/// 32 UNSIGNED...), as the server sent them.
public struct MySQLColumnType: Sendable, Equatable, CustomStringConvertible {
    public var type: UInt32
    public var flags: UInt32
    public init(type: UInt32, flags: UInt32) {
        self.type = type
        self.flags = flags
    }
    public var isNotNull: Bool { flags & 1 != 0 }
    public var isUnsigned: Bool { flags & 32 != 0 }
    public var description: String { "type \(type)\(isNotNull ? " NOT NULL" : "")\(isUnsigned ? " UNSIGNED" : "")" }
}

/// Column name -> position, shared by all rows of a result set. Lookups are case-insensitive because
/// servers differ in the case of status/variable column names across versions.
/// Column indexes shared by every wire connection: a probe asks the same statements of every server
/// every round, so a handful of column lists repeat (lower-casing and hashing the 60 names of
/// `SHOW SLAVE STATUS` per probe cost 5% of a 10,000-server node). One cache for the process, not one
/// per connection: 10,000 per-connection caches held 80 MB.
final class MySQLColumnIndexCache: Sendable {
    static let shared = MySQLColumnIndexCache()
    private let recent = Mutex<[MySQLColumnIndex]>([])

    func index(for names: [String]) -> MySQLColumnIndex {
        if let known = recent.withLock({ $0.first { $0.names == names } }) { return known }
        let index = MySQLColumnIndex(names)
        recent.withLock { recent in
            if recent.count >= 64 { recent.removeFirst() }
            recent.append(index)
        }
        return index
    }
}

final class MySQLColumnIndex: Sendable {
    let names: [String]
    private let positions: [String: Int]

    init(_ names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (i, name) in names.enumerated() where positions[name.lowercased()] == nil {
            positions[name.lowercased()] = i
        }
        self.positions = positions
    }

    func position(of name: String) -> Int? { positions[name.lowercased()] }
}

/// One row: values as text (NULL is nil), by column name or position, with typed accessors.
public struct MySQLRow: Sendable {
    let index: MySQLColumnIndex
    /// Values in column order; nil is SQL NULL.
    public let values: [String?]

    init(index: MySQLColumnIndex, values: [String?]) {
        self.index = index
        self.values = values
    }

    /// Whether the result set has a column of this name (case-insensitive).
    public func has(_ column: String) -> Bool { index.position(of: column) != nil }

    /// Value of a column (case-insensitive name); nil when NULL or when there is no such column.
    public subscript(_ column: String) -> String? {
        guard let i = index.position(of: column), i < values.count else { return nil }
        return values[i]
    }

    /// Value at a position; nil when NULL or out of range.
    public subscript(position i: Int) -> String? {
        i >= 0 && i < values.count ? values[i] : nil
    }

    /// The row as a dictionary of column name to value.
    public var dictionary: [String: String?] {
        var d: [String: String?] = [:]
        for (i, name) in index.names.enumerated() where i < values.count { d[name] = values[i] }
        return d
    }

    /// Integer value; nil when NULL, missing or not a number.
    public func int(_ column: String) -> Int64? { self[column].flatMap { Int64($0.trimmingSpaces) } }

    /// Unsigned integer value; nil when NULL, missing or not a number.
    public func uint(_ column: String) -> UInt64? { self[column].flatMap { UInt64($0.trimmingSpaces) } }

    /// Double value; nil when NULL, missing or not a number.
    public func double(_ column: String) -> Double? { self[column].flatMap { Double($0.trimmingSpaces) } }

    /// Boolean as MySQL spells it: 1/0, ON/OFF, Yes/No, TRUE/FALSE; nil otherwise.
    public func bool(_ column: String) -> Bool? { self[column].flatMap(MySQLRow.parseBool) }

    static func parseBool(_ text: String) -> Bool? {
        switch text.trimmingSpaces.uppercased() {
        case "1", "ON", "YES", "TRUE": return true
        case "0", "OFF", "NO", "FALSE": return false
        default: return nil
        }
    }
}

extension String {
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" || c == "\n" || c == "\r" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\n" || c == "\r" { s = s.dropLast() }
        return s
    }
}
