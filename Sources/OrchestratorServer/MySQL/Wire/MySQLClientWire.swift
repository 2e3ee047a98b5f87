import OrchestratorCore

/// The client side of the MySQL protocol that orchd's own connections speak (``MySQLWireConnection``):
/// the greeting, `HandshakeResponse41` with `mysql_native_password`, OK/ERR/EOF packets and text result
/// sets. Pure byte work on payloads (framing is the handler's); no sockets.
///
/// Deliberately small: no TLS, no compression, no multi-statements, no `LOCAL INFILE`, no other
/// authentication plugin. A server that needs any of those gets a libmariadb connection instead
/// (``MySQLWireError/needsLibrary(_:)``).
enum MySQLClientWire {
    // Capability flags (Protocol::CapabilityFlags).
    static let longPassword: UInt32 = 0x1
    static let longFlag: UInt32 = 0x4
    static let protocol41: UInt32 = 0x200
    static let ssl: UInt32 = 0x800
    static let transactions: UInt32 = 0x2000
    static let secureConnection: UInt32 = 0x8000
    static let pluginAuth: UInt32 = 0x80000
    /// Status flag: the server runs with `NO_BACKSLASH_ESCAPES` (quotes are doubled, backslashes literal).
    static let statusNoBackslashEscapes: UInt16 = 0x200
    /// What orchd asks for: 4.1 protocol, 20-byte scrambles, plugin names; never multi-statements.
    static let clientCapabilities: UInt32 = longPassword | longFlag | protocol41 | transactions | secureConnection | pluginAuth
    static let nativePassword = "mysql_native_password"
    /// utf8mb4_general_ci, as libmariadb's `MYSQL_SET_CHARSET_NAME utf8mb4`.
    static let utf8mb4: UInt8 = 45

    // MARK: - Greeting

    struct Greeting: Equatable {
        var serverVersion: String
        var connectionID: UInt32
        var capabilities: UInt32
        var status: UInt16
        var scramble: [UInt8]
        var authPlugin: String
    }

    /// Protocol::HandshakeV10; an ERR packet instead of a greeting (too many connections, host blocked)
    /// is the server's error.
    static func parseGreeting(_ p: [UInt8]) throws(MySQLWireError) -> Greeting {
        if p.first == 0xFF { throw .server(parseError(p)) }
        var r = Reader(p)
        guard r.u8() == 10, let version = r.nulString(), let id = r.le(4), let part1 = r.bytes(8), r.u8() != nil,
              let capsLow = r.le(2)
        else { throw .malformed("greeting") }
        var caps = UInt32(capsLow)
        var status: UInt16 = 0
        var scramble = part1
        var plugin = nativePassword
        if r.remaining > 0 {
            guard r.u8() != nil, let s = r.le(2), let capsHigh = r.le(2), let authLength = r.u8(), r.bytes(10) != nil
            else { throw .malformed("greeting") }
            status = UInt16(s)
            caps |= UInt32(capsHigh) << 16
            if caps & secureConnection != 0 {
                let length = max(13, Int(authLength) - 8)
                guard let part2 = r.bytes(length) else { throw .malformed("greeting scramble") }
                // The second part ends with a NUL that is not part of the scramble.
                scramble += part2.last == 0 ? Array(part2.dropLast()) : part2
            }
            if caps & pluginAuth != 0, let name = r.nulString() ?? r.restString() { plugin = name }
        }
        // MariaDB prefixes its version with "5.5.5-" for old MySQL clients; libmariadb strips it.
        let shown = version.hasPrefix("5.5.5-") && version.contains("MariaDB") ? String(version.dropFirst(6)) : version
        return Greeting(serverVersion: shown, connectionID: UInt32(id), capabilities: caps, status: status,
                        scramble: scramble, authPlugin: plugin)
    }

    /// Protocol::HandshakeResponse41 for `user` with the `mysql_native_password` token of `password`.
    static func handshakeResponse(user: String, password: String, scramble: [UInt8], serverCapabilities: UInt32) -> [UInt8] {
        let caps = clientCapabilities & (serverCapabilities | longPassword)
        var p: [UInt8] = []
        le(UInt64(caps), 4, into: &p)
        le(16 * 1024 * 1024, 4, into: &p)
        p.append(utf8mb4)
        p += [UInt8](repeating: 0, count: 23)
        p += Array(user.utf8) + [0]
        let token = SHA1.nativePasswordToken(password: password, scramble: Array(scramble.prefix(20)))
        p.append(UInt8(token.count))
        p += token
        if caps & pluginAuth != 0 { p += Array(nativePassword.utf8) + [0] }
        return p
    }

    /// What the server said after the handshake response.
    enum AuthReply: Equatable {
        case ok
        /// AuthSwitchRequest: answer with this plugin's token for this scramble.
        case switchTo(plugin: String, scramble: [UInt8])
    }

    static func parseAuthReply(_ p: [UInt8]) throws(MySQLWireError) -> AuthReply {
        switch p.first {
        case 0x00: return .ok
        case 0xFF: throw .server(parseError(p))
        case 0xFE:
            var r = Reader(p)
            _ = r.u8()
            let plugin = r.nulString() ?? ""
            var data = r.rest()
            if data.last == 0 { data.removeLast() }
            return .switchTo(plugin: plugin, scramble: data)
        case 0x01: throw .needsLibrary("the server asked for more authentication data (not mysql_native_password)")
        default: throw .malformed("authentication reply")
        }
    }

    // MARK: - Commands

    static func comQuery(_ sql: String) -> [UInt8] { [0x03] + Array(sql.utf8) }
    static let comPing: [UInt8] = [0x0E]
    static let comQuit: [UInt8] = [0x01]

    // MARK: - OK / ERR

    struct OK: Equatable {
        var affectedRows: UInt64
        var status: UInt16
    }

    static func parseOK(_ p: [UInt8]) throws(MySQLWireError) -> OK {
        var r = Reader(p)
        guard r.u8() == 0x00, let affected = r.lenenc(), r.lenenc() != nil else { throw .malformed("OK packet") }
        return OK(affectedRows: affected, status: UInt16(r.le(2) ?? 0))
    }

    /// ERR packet: code, SQLSTATE (4.1 marker '#'), message.
    static func parseError(_ p: [UInt8]) -> (code: UInt32, sqlState: String, message: String) {
        var r = Reader(p)
        _ = r.u8()
        let code = UInt32(r.le(2) ?? 0)
        var state = "HY000"
        if r.peek() == UInt8(ascii: "#"), r.u8() != nil, let s = r.bytes(5) { state = String(decoding: s, as: UTF8.self) }
        return (code, state, String(decoding: r.rest(), as: UTF8.self))
    }

    /// An EOF packet (0xFE and shorter than 9 bytes; a longer one starting 0xFE is a row's 8-byte length).
    static func isEOF(_ p: [UInt8]) -> Bool { p.first == 0xFE && p.count < 9 }

    static func eofStatus(_ p: [UInt8]) -> UInt16 {
        p.count >= 5 ? UInt16(p[3]) | UInt16(p[4]) << 8 : 0
    }

    // MARK: - Text result sets

    /// Folds the packets answering one COM_QUERY into an OK or a result set. Feed packets until it
    /// returns a result.
    struct ResultReader {
        private enum Phase { case first, columns(remaining: Int), columnsEOF, rows }
        private var phase = Phase.first
        private var columns: [String] = []
        private var types: [MySQLColumnType] = []
        private var rows: [[String?]] = []
        /// The last status flags the server sent.
        private(set) var status: UInt16 = 0

        /// Reuses column indexes across answers (nil: each answer builds its own).
        private let indexes: MySQLColumnIndexCache?

        init(indexes: MySQLColumnIndexCache? = nil) { self.indexes = indexes }

        /// Whether any packet of the answer arrived.
        var started: Bool {
            if case .first = phase { return false }
            return true
        }

        /// Nil while more packets are needed.
        mutating func feed(_ p: [UInt8]) throws(MySQLWireError) -> MySQLResultSet? {
            switch phase {
            case .first:
                switch p.first {
                case 0x00:
                    let ok = try parseOK(p)
                    status = ok.status
                    return MySQLResultSet(columns: [], rows: [], affectedRows: ok.affectedRows)
                case 0xFF: throw .server(parseError(p))
                case 0xFB: throw .malformed("LOCAL INFILE request (refused)")
                default:
                    var r = Reader(p)
                    guard let count = r.lenenc(), count > 0, count < 4096 else { throw .malformed("column count") }
                    columns.reserveCapacity(Int(count))
                    phase = .columns(remaining: Int(count))
                }
            case .columns(let remaining):
                if p.first == 0xFF { throw .server(parseError(p)) }
                var r = Reader(p)
                guard r.lenencBytes() != nil, r.lenencBytes() != nil, r.lenencBytes() != nil, r.lenencBytes() != nil,
                      let name = r.lenencBytes(), r.lenencBytes() != nil, r.lenenc() != nil,
                      r.le(2) != nil, let length = r.le(4), let type = r.u8(), let flags = r.le(2)
                else { throw .malformed("column definition") }
                columns.append(String(decoding: name, as: UTF8.self))
                types.append(MySQLColumnType(type: UInt32(type), flags: UInt32(flags) | numericFlag(type: type, length: length)))
                phase = remaining > 1 ? .columns(remaining: remaining - 1) : .columnsEOF
            case .columnsEOF:
                guard isEOF(p) else { throw .malformed("end of column definitions") }
                status = eofStatus(p)
                phase = .rows
            case .rows:
                if isEOF(p) {
                    status = eofStatus(p)
                    let index = indexes?.index(for: columns) ?? MySQLColumnIndex(columns)
                    return MySQLResultSet(index: index, rows: rows, columnTypes: types)
                }
                if p.first == 0xFF { throw .server(parseError(p)) }
                var r = Reader(p)
                var row: [String?] = []
                row.reserveCapacity(columns.count)
                for _ in 0..<columns.count {
                    if r.peek() == 0xFB {
                        _ = r.u8()
                        row.append(nil)
                    } else {
                        guard let value = r.lenencBytes() else { throw .malformed("row") }
                        row.append(String(decoding: value, as: UTF8.self))
                    }
                }
                rows.append(row)
            }
            return nil
        }
    }

    /// libmariadb adds NUM_FLAG to numeric columns on the client side (the server does not send it); so
    /// do we, so that a column reads the same through either client.
    static func numericFlag(type: UInt8, length: UInt64) -> UInt32 {
        let timestamp: UInt8 = 7, int24: UInt8 = 9, year: UInt8 = 13, newDecimal: UInt8 = 246
        let numeric = (type <= int24 && (type != timestamp || length == 14 || length == 8)) || type == year || type == newDecimal
        return numeric ? 0x8000 : 0
    }

    // MARK: - Escaping

    /// What `mysql_real_escape_string` does for utf8mb4 (no multi-byte UTF-8 sequence contains an ASCII
    /// byte, so byte-wise is exact): backslash escapes, or doubled quotes under `NO_BACKSLASH_ESCAPES`.
    static func escape(_ text: String, noBackslashEscapes: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 8)
        for b in text.utf8 {
            if noBackslashEscapes {
                if b == UInt8(ascii: "'") { out.append(b) }
                out.append(b)
                continue
            }
            switch b {
            case 0: out += [92, UInt8(ascii: "0")]
            case 10: out += [92, UInt8(ascii: "n")]
            case 13: out += [92, UInt8(ascii: "r")]
            case 26: out += [92, UInt8(ascii: "Z")]
            case 92, 39, 34: out += [92, b]
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Bytes

    static func le(_ value: UInt64, _ bytes: Int, into out: inout [UInt8]) {
        for i in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }

    /// A cursor over one payload; every read returns nil past the end.
    struct Reader {
        let p: [UInt8]
        var i = 0
        init(_ p: [UInt8]) { self.p = p }
        var remaining: Int { p.count - i }
        func peek() -> UInt8? { i < p.count ? p[i] : nil }
        mutating func u8() -> UInt8? {
            guard i < p.count else { return nil }
            defer { i += 1 }
            return p[i]
        }
        mutating func le(_ n: Int) -> UInt64? {
            guard i + n <= p.count else { return nil }
            var v: UInt64 = 0
            for k in 0..<n { v |= UInt64(p[i + k]) << (8 * UInt64(k)) }
            i += n
            return v
        }
        mutating func bytes(_ n: Int) -> [UInt8]? {
            guard n >= 0, i + n <= p.count else { return nil }
            defer { i += n }
            return Array(p[i..<i + n])
        }
        mutating func nulString() -> String? {
            guard let end = p[i...].firstIndex(of: 0) else { return nil }
            defer { i = end + 1 }
            return String(decoding: p[i..<end], as: UTF8.self)
        }
        mutating func restString() -> String? {
            guard i < p.count else { return nil }
            return String(decoding: rest(), as: UTF8.self)
        }
        mutating func rest() -> [UInt8] {
            defer { i = p.count }
            return Array(p[min(i, p.count)...])
        }
        mutating func lenenc() -> UInt64? {
            guard let first = u8() else { return nil }
            switch first {
            case 0..<0xFB: return UInt64(first)
            case 0xFC: return le(2)
            case 0xFD: return le(3)
            case 0xFE: return le(8)
            default: return nil
            }
        }
        mutating func lenencBytes() -> ArraySlice<UInt8>? {
            guard let n = lenenc(), n <= UInt64(p.count - i) else { return nil }
            defer { i += Int(n) }
            return p[i..<i + Int(n)]
        }
    }
}

/// Why a wire connection failed, before it becomes a ``MySQLError``.
enum MySQLWireError: Error, Equatable {
    /// The server's ERR packet.
    case server((code: UInt32, sqlState: String, message: String))
    /// Bytes that do not follow the protocol.
    case malformed(String)
    /// The server wants something only libmariadb speaks (another auth plugin, TLS).
    case needsLibrary(String)

    static func == (a: MySQLWireError, b: MySQLWireError) -> Bool {
        switch (a, b) {
        case (.server(let x), .server(let y)): return x.code == y.code && x.sqlState == y.sqlState && x.message == y.message
        case (.malformed(let x), .malformed(let y)): return x == y
        case (.needsLibrary(let x), .needsLibrary(let y)): return x == y
        default: return false
        }
    }
}
