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
        return try reading(p) { r throws(MySQLWireError) in
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
            return reading(p) { r in
                r.skip(1)
                let plugin = r.nulString() ?? ""
                var data = r.rest()
                if data.last == 0 { data.removeLast() }
                return .switchTo(plugin: plugin, scramble: data)
            }
        case 0x01: throw .needsLibrary("the server asked for more authentication data (not mysql_native_password)")
        default: throw .malformed("authentication reply")
        }
    }

    // MARK: - Commands

    static let comPing: [UInt8] = [0x0E]
    static let comQuit: [UInt8] = [0x01]

    // MARK: - OK / ERR

    struct OK: Equatable {
        var affectedRows: UInt64
        var status: UInt16
    }

    static func parseOK(_ p: [UInt8]) throws(MySQLWireError) -> OK {
        try reading(p) { r throws(MySQLWireError) in
            guard r.u8() == 0x00, let affected = r.lenenc(), r.lenenc() != nil else { throw .malformed("OK packet") }
            return OK(affectedRows: affected, status: UInt16(r.le(2) ?? 0))
        }
    }

    /// ERR packet: code, SQLSTATE (4.1 marker '#'), message.
    static func parseError(_ p: [UInt8]) -> (code: UInt32, sqlState: String, message: String) {
        reading(p) { r in
            r.skip(1)
            let code = UInt32(r.le(2) ?? 0)
            var state = "HY000"
            if r.peek() == UInt8(ascii: "#"), r.u8() != nil, let s = r.bytes(5) { state = String(decoding: s, as: UTF8.self) }
            return (code, state, String(decoding: r.rest(), as: UTF8.self))
        }
    }

    /// Runs `body` over `p`'s bytes (`withUnsafeBytes` without losing the error's type).
    static func withBytes<T>(_ p: [UInt8], _ body: (UnsafeRawBufferPointer) throws(MySQLWireError) -> T) throws(MySQLWireError) -> T {
        do {
            return try p.withUnsafeBytes { try body($0) }
        } catch let error as MySQLWireError {
            throw error
        } catch {
            throw .malformed("\(error)")
        }
    }

    /// Runs `body` over a cursor on `p`'s bytes.
    static func reading<T>(_ p: [UInt8], _ body: (inout Cursor) throws(MySQLWireError) -> T) throws(MySQLWireError) -> T {
        try withBytes(p) { bytes throws(MySQLWireError) in
            var cursor = Cursor(bytes)
            return try body(&cursor)
        }
    }

    /// Runs `body`, which cannot fail, over a cursor on `p`'s bytes.
    static func reading<T>(_ p: [UInt8], _ body: (inout Cursor) -> T) -> T {
        p.withUnsafeBytes { bytes in
            var cursor = Cursor(bytes)
            return body(&cursor)
        }
    }


    // MARK: - Text result sets

    /// Folds the packets answering one COM_QUERY into an OK or a result set. Feed packets until it
    /// returns a result.
    ///
    /// Column definitions are recognised rather than parsed when a ``MySQLColumnBlockCache`` is given:
    /// a probe asks every server the same statements every round, and their definitions come back
    /// byte for byte the same (SHOW SLAVE STATUS alone sends 57 of them, rows or not), so each is
    /// compared with the known block's and only an unknown block is parsed (and then remembered).
    struct ResultReader {
        private enum Phase { case first, columns(next: Int, count: Int), columnsEOF, rows }
        private var phase = Phase.first
        /// Known blocks whose definitions so far equal the ones received (recognising).
        private var candidates: [MySQLColumnBlock] = []
        /// Definitions parsed (once no known block matches), with their bytes to remember the block.
        private var columns: [String] = []
        private var types: [MySQLColumnType] = []
        private var packets: [[UInt8]] = []
        private var block: MySQLColumnBlock?
        private var rows: [[String?]] = []
        /// The last status flags the server sent.
        private(set) var status: UInt16 = 0

        /// Known column blocks (nil: every answer parses its own).
        private let blocks: MySQLColumnBlockCache?

        init(blocks: MySQLColumnBlockCache? = nil) { self.blocks = blocks }

        /// Whether any packet of the answer arrived.
        var started: Bool {
            if case .first = phase { return false }
            return true
        }

        /// Nil while more packets are needed.
        mutating func feed(_ p: [UInt8]) throws(MySQLWireError) -> MySQLResultSet? {
            try withBytes(p) { bytes throws(MySQLWireError) in try feed(bytes) }
        }

        /// Nil while more packets are needed. `p` is only read during the call.
        mutating func feed(_ p: UnsafeRawBufferPointer) throws(MySQLWireError) -> MySQLResultSet? {
            switch phase {
            case .first:
                switch p.first {
                case 0x00:
                    let ok = try parseOK(Array(p))
                    status = ok.status
                    return MySQLResultSet(columns: [], rows: [], affectedRows: ok.affectedRows)
                case 0xFF: throw .server(parseError(Array(p)))
                case 0xFB: throw .malformed("LOCAL INFILE request (refused)")
                default:
                    var c = Cursor(p)
                    guard let count = c.lenenc(), count > 0, count < 4096 else { throw .malformed("column count") }
                    candidates = blocks?.candidates(count: Int(count)) ?? []
                    phase = .columns(next: 0, count: Int(count))
                }
            case .columns(let k, let count):
                if p.first == 0xFF { throw .server(parseError(Array(p))) }
                if !candidates.isEmpty {
                    let before = candidates[0]
                    candidates.removeAll { !$0.definition(k, equals: p) }
                    if candidates.isEmpty {
                        // Unknown from here on: parse what matched so far (the same bytes) and this one.
                        for i in 0..<k {
                            try withBytes(before.packets[i]) { bytes throws(MySQLWireError) in try parseColumn(bytes) }
                        }
                        try parseColumn(p)
                    }
                } else {
                    try parseColumn(p)
                }
                phase = k + 1 < count ? .columns(next: k + 1, count: count) : .columnsEOF
            case .columnsEOF:
                guard Self.isEOF(p) else { throw .malformed("end of column definitions") }
                status = Self.eofStatus(p)
                if let known = candidates.first {
                    block = known
                } else {
                    let parsed = MySQLColumnBlock(packets: packets, index: MySQLColumnIndex(columns), types: types)
                    blocks?.remember(parsed)
                    block = parsed
                }
                candidates = []
                columns = []
                types = []
                packets = []
                phase = .rows
            case .rows:
                guard let block else { throw .malformed("row before column definitions") }
                if Self.isEOF(p) {
                    status = Self.eofStatus(p)
                    return MySQLResultSet(index: block.index, rows: rows, columnTypes: block.types)
                }
                if p.first == 0xFF { throw .server(parseError(Array(p))) }
                var c = Cursor(p)
                let width = block.types.count
                var row: [String?] = []
                row.reserveCapacity(width)
                for _ in 0..<width {
                    if c.peek() == 0xFB {
                        c.skip(1)
                        row.append(nil)
                    } else {
                        guard let value = c.lenencString() else { throw .malformed("row") }
                        row.append(value)
                    }
                }
                rows.append(row)
            }
            return nil
        }

        /// Protocol::ColumnDefinition41: catalog, schema, table, org_table, name, org_name, the fixed
        /// fields' length, charset, column length, type, flags.
        private mutating func parseColumn(_ p: UnsafeRawBufferPointer) throws(MySQLWireError) {
            var c = Cursor(p)
            guard c.skipLenencString(), c.skipLenencString(), c.skipLenencString(), c.skipLenencString(),
                  let name = c.lenencString(), c.skipLenencString(), c.lenenc() != nil,
                  c.le(2) != nil, let length = c.le(4), let type = c.u8(), let flags = c.le(2)
            else { throw .malformed("column definition") }
            columns.append(name)
            types.append(MySQLColumnType(type: UInt32(type), flags: UInt32(flags) | numericFlag(type: type, length: length)))
            packets.append(Array(p))
        }

        /// An EOF packet (0xFE and shorter than 9 bytes; a longer one starting 0xFE is a row's 8-byte length).
        static func isEOF(_ p: UnsafeRawBufferPointer) -> Bool { p.first == 0xFE && p.count < 9 }

        static func eofStatus(_ p: UnsafeRawBufferPointer) -> UInt16 {
            p.count >= 5 ? UInt16(p[3]) | UInt16(p[4]) << 8 : 0
        }
    }

    /// A cursor over one payload in place (valid while the bytes are); every read returns nil (or
    /// false) past the end.
    struct Cursor {
        let p: UnsafeRawBufferPointer
        var i = 0
        init(_ p: UnsafeRawBufferPointer) { self.p = p }
        var remaining: Int { p.count - i }
        func peek() -> UInt8? { i < p.count ? p[i] : nil }
        mutating func bytes(_ n: Int) -> [UInt8]? {
            guard n >= 0, i + n <= p.count else { return nil }
            defer { i += n }
            return Array(p[i..<i + n])
        }
        mutating func nulString() -> String? {
            guard i < p.count, let end = p[i...].firstIndex(of: 0) else { return nil }
            defer { i = end + 1 }
            return String(decoding: UnsafeRawBufferPointer(rebasing: p[i..<end]), as: UTF8.self)
        }
        mutating func restString() -> String? {
            guard i < p.count else { return nil }
            return String(decoding: rest(), as: UTF8.self)
        }
        mutating func rest() -> [UInt8] {
            defer { i = p.count }
            return Array(p[min(i, p.count)...])
        }
        mutating func skip(_ n: Int) { i += n }
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
        /// The range of a length-encoded string's bytes, stepping over it.
        private mutating func lenencRange() -> Range<Int>? {
            guard let n = lenenc(), n <= UInt64(p.count - i) else { return nil }
            defer { i += Int(n) }
            return i..<i + Int(n)
        }
        mutating func skipLenencString() -> Bool { lenencRange() != nil }
        mutating func lenencString() -> String? {
            guard let range = lenencRange() else { return nil }
            return String(decoding: UnsafeRawBufferPointer(rebasing: p[range]), as: UTF8.self)
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
