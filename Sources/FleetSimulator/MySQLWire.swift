/// Pieces of the MySQL client/server protocol the simulator speaks: the v10 handshake, OK/ERR/EOF
/// packets and text result sets (column definitions as MariaDB 10.11 sends them). Classic EOF framing
/// (the simulator never offers CLIENT_DEPRECATE_EOF), no TLS, no compression, no prepared statements.
public enum MySQLWire {
    // Capability flags (the subset offered).
    static let clientLongPassword: UInt32 = 0x1
    static let clientFoundRows: UInt32 = 0x2
    static let clientLongFlag: UInt32 = 0x4
    static let clientConnectWithDB: UInt32 = 0x8
    static let clientProtocol41: UInt32 = 0x200
    static let clientTransactions: UInt32 = 0x2000
    static let clientSecureConnection: UInt32 = 0x8000
    static let clientMultiResults: UInt32 = 0x20000
    static let clientPluginAuth: UInt32 = 0x80000
    static let clientPluginAuthLenencData: UInt32 = 0x200000
    static let serverCapabilities: UInt32 = clientLongPassword | clientFoundRows | clientLongFlag | clientConnectWithDB
        | clientProtocol41 | clientTransactions | clientSecureConnection | clientMultiResults | clientPluginAuth
        | clientPluginAuthLenencData

    static let statusAutocommit: UInt16 = 0x2

    /// Column types (enum_field_types) used by the prober's result sets.
    public enum ColumnType: UInt8, Sendable {
        case long = 3
        case longlong = 8
        case longBlob = 0xFB
        case varString = 0xFD
    }

    /// Column flags.
    public struct ColumnFlags: OptionSet, Sendable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public static let notNull = ColumnFlags(rawValue: 1)
        public static let unsigned = ColumnFlags(rawValue: 32)
        public static let binary = ColumnFlags(rawValue: 128)
        public static let noDefaultValue = ColumnFlags(rawValue: 4096)
        public static let num = ColumnFlags(rawValue: 32768)
    }

    /// One column definition (Protocol::ColumnDefinition41).
    public struct Column: Sendable {
        public var name: String
        public var type: ColumnType
        public var flags: ColumnFlags
        public var length: UInt32
        public var charset: UInt16
        public var decimals: UInt8
        public var schema: String = ""
        public var table: String = ""
        public var orgTable: String = ""
        public var orgName: String = ""

        /// A text column as MariaDB describes SHOW output (utf8mb3, decimals 39).
        static func text(_ name: String, _ length: UInt32, nullable: Bool = false) -> Column {
            Column(name: name, type: .varString, flags: nullable ? [] : .notNull, length: length, charset: 33, decimals: 39)
        }
        /// An unsigned integer column of SHOW output.
        static func uint(_ name: String, _ length: UInt32, long: Bool = false) -> Column {
            Column(name: name, type: long ? .longlong : .long, flags: [.notNull, .unsigned, .binary, .num], length: length,
                   charset: 63, decimals: 0)
        }
    }

    /// A result set: columns and rows of text values (nil is NULL).
    public struct ResultSet: Sendable {
        public var columns: [Column]
        public var rows: [[String?]]
        /// The columns' packets, encoded once (nil: encoded with each answer).
        var block: ColumnBlock?
        public init(columns: [Column], rows: [[String?]]) {
            self.columns = columns
            self.rows = rows
        }
        init(block: ColumnBlock, rows: [[String?]]) {
            self.columns = block.columns
            self.rows = rows
            self.block = block
        }
    }

    /// The start of a result set whose columns never change, framed once: the column count, the column
    /// definitions and their EOF, sequence ids from 1 (a result set always answers a command).
    final class ColumnBlock: Sendable {
        let columns: [Column]
        let framed: [UInt8]
        init(_ columns: [Column]) {
            self.columns = columns
            var framed: [UInt8] = []
            var sequence: UInt8 = 1
            for packet in MySQLWire.columnPackets(columns) {
                MySQLWire.frame(packet, sequence: sequence, into: &framed)
                sequence &+= 1
            }
            self.framed = framed
        }
    }

    // MARK: - Encoding

    static func lenenc(_ value: UInt64, into out: inout [UInt8]) {
        switch value {
        case 0..<251: out.append(UInt8(value))
        case 251..<65_536: out.append(0xFC); le(value, 2, into: &out)
        case 65_536..<16_777_216: out.append(0xFD); le(value, 3, into: &out)
        default: out.append(0xFE); le(value, 8, into: &out)
        }
    }

    static func le(_ value: UInt64, _ bytes: Int, into out: inout [UInt8]) {
        for i in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> (UInt64(i) * 8))) }
    }

    static func lenencString(_ s: String, into out: inout [UInt8]) {
        let bytes = Array(s.utf8)
        lenenc(UInt64(bytes.count), into: &out)
        out += bytes
    }

    /// Initial handshake v10 with a 20-byte scramble, offering mysql_native_password.
    static func handshake(serverVersion: String, connectionID: UInt32, scramble: [UInt8]) -> [UInt8] {
        var p: [UInt8] = [10]
        p += Array(serverVersion.utf8) + [0]
        le(UInt64(connectionID), 4, into: &p)
        p += scramble[0..<8] + [0]
        le(UInt64(serverCapabilities & 0xFFFF), 2, into: &p)
        p.append(45)  // utf8mb4_general_ci
        le(UInt64(statusAutocommit), 2, into: &p)
        le(UInt64(serverCapabilities >> 16), 2, into: &p)
        p.append(21)
        p += [UInt8](repeating: 0, count: 10)
        p += scramble[8..<20] + [0]
        p += Array("mysql_native_password".utf8) + [0]
        return p
    }

    static func ok(affectedRows: UInt64 = 0) -> [UInt8] {
        var p: [UInt8] = [0]
        lenenc(affectedRows, into: &p)
        lenenc(0, into: &p)
        le(UInt64(statusAutocommit), 2, into: &p)
        le(0, 2, into: &p)
        return p
    }

    static func err(code: UInt16, sqlState: String, message: String) -> [UInt8] {
        var p: [UInt8] = [0xFF]
        le(UInt64(code), 2, into: &p)
        p += Array(("#" + sqlState).utf8)
        p += Array(message.utf8)
        return p
    }

    static func eof() -> [UInt8] {
        var p: [UInt8] = [0xFE]
        le(0, 2, into: &p)
        le(UInt64(statusAutocommit), 2, into: &p)
        return p
    }

    static func columnDefinition(_ c: Column) -> [UInt8] {
        var p: [UInt8] = []
        lenencString("def", into: &p)
        lenencString(c.schema, into: &p)
        lenencString(c.table, into: &p)
        lenencString(c.orgTable, into: &p)
        lenencString(c.name, into: &p)
        lenencString(c.orgName, into: &p)
        p.append(0x0C)
        le(UInt64(c.charset), 2, into: &p)
        le(UInt64(c.length), 4, into: &p)
        p.append(c.type.rawValue)
        le(UInt64(c.flags.rawValue), 2, into: &p)
        p.append(c.decimals)
        p += [0, 0]
        return p
    }

    /// A packet with its header (3-byte length, sequence id).
    static func frame(_ payload: [UInt8], sequence: UInt8, into out: inout [UInt8]) {
        le(UInt64(payload.count), 3, into: &out)
        out.append(sequence)
        out += payload
    }

    /// The packets (payloads) that start a text result set: count, columns, EOF.
    static func columnPackets(_ columns: [Column]) -> [[UInt8]] {
        var packets: [[UInt8]] = []
        var count: [UInt8] = []
        lenenc(UInt64(columns.count), into: &count)
        packets.append(count)
        for c in columns { packets.append(columnDefinition(c)) }
        packets.append(eof())
        return packets
    }

    // MARK: - Decoding the handshake response

    struct HandshakeResponse {
        var capabilities: UInt32
        var user: String
        var authResponse: [UInt8]
        var wantsTLS: Bool
    }

    /// Parses Protocol::HandshakeResponse41; nil when malformed.
    static func parseHandshakeResponse(_ p: [UInt8]) -> HandshakeResponse? {
        guard p.count >= 32 else { return nil }
        let caps = UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24
        if p.count == 32 { return HandshakeResponse(capabilities: caps, user: "", authResponse: [], wantsTLS: true) }
        var i = 32
        guard let nul = p[i...].firstIndex(of: 0) else { return nil }
        let user = String(decoding: p[i..<nul], as: UTF8.self)
        i = nul + 1
        var auth: [UInt8] = []
        if caps & clientPluginAuthLenencData != 0 {
            guard i < p.count else { return nil }
            var length = 0
            switch p[i] {
            case 0..<251: length = Int(p[i]); i += 1
            case 0xFC: guard i + 2 < p.count else { return nil }; length = Int(p[i + 1]) | Int(p[i + 2]) << 8; i += 3
            default: return nil
            }
            guard i + length <= p.count else { return nil }
            auth = Array(p[i..<i + length])
        } else if caps & clientSecureConnection != 0 {
            guard i < p.count else { return nil }
            let length = Int(p[i])
            i += 1
            guard i + length <= p.count else { return nil }
            auth = Array(p[i..<i + length])
        } else if let end = p[i...].firstIndex(of: 0) {
            auth = Array(p[i..<end])
        }
        return HandshakeResponse(capabilities: caps, user: user, authResponse: auth, wantsTLS: false)
    }
}
