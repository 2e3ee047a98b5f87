#if canImport(Glibc)
import Glibc
#endif
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

/// Column blocks seen in answers, shared by every wire connection: a probe asks the same statements of
/// every server every round, so a handful of blocks repeat, and an answer whose definitions equal a
/// known block's takes its names, types and index instead of parsing and hashing its own (the 57
/// definitions of `SHOW SLAVE STATUS` per probe were a tenth of a 10,000-server node's reading). One
/// cache for the process, not one per connection: 10,000 per-connection copies would hold 40 MB.
final class MySQLColumnBlockCache: Sendable {
    static let shared = MySQLColumnBlockCache()
    /// At most this many blocks are kept (the oldest goes first).
    static let capacity = 64
    private let known = Mutex<[MySQLColumnBlock]>([])

    /// The known blocks of `count` columns.
    func candidates(count: Int) -> [MySQLColumnBlock] {
        known.withLock { $0.filter { $0.packets.count == count } }
    }

    func remember(_ block: MySQLColumnBlock) {
        known.withLock { known in
            guard !known.contains(where: { $0.packets == block.packets }) else { return }
            if known.count >= Self.capacity { known.removeFirst() }
            known.append(block)
        }
    }
}

/// A result set's column definitions as they came (the packets' payloads), and what they say.
final class MySQLColumnBlock: Sendable {
    let packets: [[UInt8]]
    let index: MySQLColumnIndex
    let types: [MySQLColumnType]

    init(packets: [[UInt8]], index: MySQLColumnIndex, types: [MySQLColumnType]) {
        self.packets = packets
        self.index = index
        self.types = types
    }

    /// Whether definition `k` is byte for byte `bytes`.
    func definition(_ k: Int, equals bytes: UnsafeRawBufferPointer) -> Bool {
        packets[k].withUnsafeBytes { known in
            known.count == bytes.count && (known.count == 0 || memcmp(known.baseAddress!, bytes.baseAddress!, known.count) == 0)
        }
    }
}

/// Column name -> position, shared by all rows of a result set. Lookups are case-insensitive because
/// servers differ in the case of status/variable column names across versions.
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
