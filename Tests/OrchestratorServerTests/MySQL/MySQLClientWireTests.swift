import OrchestratorCore
@testable import OrchestratorServer
import Testing

/// orchd's own MySQL client protocol, byte by byte, without a server (the integration tests run it
/// against MariaDB beside libmariadb).
struct MySQLClientWireTests {
    /// A MariaDB 10.11-like greeting: 20-byte scramble in two parts, mysql_native_password.
    static func greeting(version: String = "10.11.6-MariaDB-log", plugin: String = "mysql_native_password",
                         status: UInt16 = 2) -> [UInt8] {
        var p: [UInt8] = [10] + Array(version.utf8) + [0]
        MySQLClientWire.le(42, 4, into: &p)
        p += Array("abcdefgh".utf8) + [0]
        MySQLClientWire.le(0xF7FE, 2, into: &p)
        p.append(45)
        MySQLClientWire.le(UInt64(status), 2, into: &p)
        MySQLClientWire.le(0x81BF, 2, into: &p)
        p.append(21)
        p += [UInt8](repeating: 0, count: 10)
        p += Array("ijklmnopqrst".utf8) + [0]
        p += Array(plugin.utf8) + [0]
        return p
    }

    @Test("the greeting gives version, connection id, the 20-byte scramble and the plugin")
    func greeting() throws {
        let g = try MySQLClientWire.parseGreeting(Self.greeting())
        #expect(g.serverVersion == "10.11.6-MariaDB-log")
        #expect(g.connectionID == 42)
        #expect(g.scramble == Array("abcdefghijklmnopqrst".utf8))
        #expect(g.authPlugin == "mysql_native_password")
        #expect(g.capabilities & MySQLClientWire.pluginAuth != 0)
        // MariaDB's "5.5.5-" prefix for old clients is dropped, as libmariadb does.
        #expect(try MySQLClientWire.parseGreeting(Self.greeting(version: "5.5.5-10.11.6-MariaDB-log")).serverVersion
                == "10.11.6-MariaDB-log")
        // An ERR instead of a greeting is the server's error (e.g. too many connections).
        var err: [UInt8] = [0xFF]
        MySQLClientWire.le(1040, 2, into: &err)
        err += Array("#08004Too many connections".utf8)
        #expect(throws: MySQLWireError.server((1040, "08004", "Too many connections"))) {
            try MySQLClientWire.parseGreeting(err)
        }
        #expect(throws: MySQLWireError.self) { try MySQLClientWire.parseGreeting(Array("HTTP/1.1 400".utf8)) }
    }

    @Test("the handshake response names the user and carries the mysql_native_password token, never the password")
    func handshakeResponse() throws {
        let scramble = Array("abcdefghijklmnopqrst".utf8)
        let p = MySQLClientWire.handshakeResponse(user: "orc", password: "s3cret", scramble: scramble, serverCapabilities: 0xFFFF_FFFF)
        let caps = UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24
        #expect(caps & 0x10000 == 0, "never CLIENT_MULTI_STATEMENTS")
        #expect(caps & MySQLClientWire.ssl == 0)
        #expect(p[8] == 45)
        #expect(Array(p[32..<36]) == Array("orc\0".utf8))
        #expect(p[36] == 20)
        #expect(Array(p[37..<57]) == SHA1.nativePasswordToken(password: "s3cret", scramble: scramble))
        #expect(String(decoding: p[57...], as: UTF8.self) == "mysql_native_password\0")
        #expect(!String(decoding: p, as: UTF8.self).contains("s3cret"))
    }

    @Test("after the handshake: OK, a switch to mysql_native_password, or a plugin only libmariadb speaks")
    func authReplies() throws {
        #expect(try MySQLClientWire.parseAuthReply([0, 0, 0, 2, 0, 0, 0]) == .ok)
        let switchRequest: [UInt8] = [0xFE] + Array("mysql_native_password".utf8) + [0] + Array("01234567890123456789".utf8) + [0]
        #expect(try MySQLClientWire.parseAuthReply(switchRequest)
                == .switchTo(plugin: "mysql_native_password", scramble: Array("01234567890123456789".utf8)))
        let ed25519: [UInt8] = [0xFE] + Array("client_ed25519".utf8) + [0] + [UInt8](repeating: 7, count: 32)
        guard case .switchTo(let plugin, _) = try MySQLClientWire.parseAuthReply(ed25519) else {
            Issue.record("expected a switch")
            return
        }
        #expect(plugin == "client_ed25519")
        #expect(throws: MySQLWireError.self) { try MySQLClientWire.parseAuthReply([0x01, 0x04]) }
    }

    /// A column definition as MariaDB sends it.
    static func column(_ name: String, type: UInt8 = 253, flags: UInt16 = 0) -> [UInt8] {
        var p: [UInt8] = []
        for s in ["def", "", "", "", name, ""] { p.append(UInt8(s.utf8.count)); p += Array(s.utf8) }
        p.append(0x0C)
        MySQLClientWire.le(45, 2, into: &p)
        MySQLClientWire.le(1024, 4, into: &p)
        p.append(type)
        MySQLClientWire.le(UInt64(flags), 2, into: &p)
        p += [0, 0, 0]
        return p
    }

    @Test("a text result set: names, types, NULLs, a long value whose length starts with 0xFE, and the status")
    func resultSet() throws {
        var reader = MySQLClientWire.ResultReader()
        #expect(try reader.feed([2]) == nil)
        #expect(try reader.feed(Self.column("Variable_name", flags: 1)) == nil)
        #expect(try reader.feed(Self.column("Value", type: 8, flags: 32)) == nil)
        #expect(try reader.feed([0xFE, 0, 0, 2, 0]) == nil)
        #expect(try reader.feed([9] + Array("read_only".utf8) + [0xFB]) == nil)
        // A 300-byte value: its length is 0xFC + 2 bytes; a 16 MB one would start 0xFE and be longer than 9.
        let long = String(repeating: "x", count: 300)
        #expect(try reader.feed([3] + Array("gid".utf8) + [0xFC, 0x2C, 0x01] + Array(long.utf8)) == nil)
        let done = try #require(try reader.feed([0xFE, 0, 0, 0x02, 0x02]))
        #expect(done.columns == ["Variable_name", "Value"])
        #expect(done.columnTypes.map(\.type) == [253, 8])
        #expect(done.columnTypes.map(\.isNotNull) == [true, false])
        #expect(done.columnTypes.map(\.isUnsigned) == [false, true])
        #expect(done.columnTypes.map { $0.flags & 0x8000 } == [0, 0x8000], "NUM_FLAG on numeric columns, as libmariadb sets it")
        #expect(done.rows.count == 2)
        #expect(done.rows[0]["variable_name"] == "read_only")
        #expect(done.rows[0]["Value"] == nil)
        #expect(done.rows[1]["Value"] == long)
        #expect(reader.status & MySQLClientWire.statusNoBackslashEscapes != 0)
    }

    /// Feeds one result set (count, definitions, EOF, one row per value list, EOF) through a reader.
    static func read(_ columns: [[UInt8]], rows: [[String]], blocks: MySQLColumnBlockCache) throws -> MySQLResultSet {
        var reader = MySQLClientWire.ResultReader(blocks: blocks)
        #expect(try reader.feed([UInt8(columns.count)]) == nil)
        for c in columns { #expect(try reader.feed(c) == nil) }
        #expect(try reader.feed([0xFE, 0, 0, 2, 0]) == nil)
        for row in rows {
            #expect(try reader.feed(row.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }) == nil)
        }
        return try #require(try reader.feed([0xFE, 0, 0, 2, 0]))
    }

    @Test("column definitions seen before are recognised byte for byte; a block that differs at any column is parsed")
    func knownColumnBlocks() throws {
        let blocks = MySQLColumnBlockCache()
        let three = [Self.column("Master_Host"), Self.column("Master_Port", type: 3, flags: 32), Self.column("Slave_IO_Running")]
        let first = try Self.read(three, rows: [["db1", "3306", "Yes"]], blocks: blocks)
        #expect(blocks.candidates(count: 3).count == 1)
        let again = try Self.read(three, rows: [["db2", "3307", "No"]], blocks: blocks)
        #expect(again.columns == first.columns)
        #expect(again.columnTypes == first.columnTypes)
        #expect(again.rows[0]["master_port"] == "3307")
        #expect(again.rows[0]["Slave_IO_Running"] == "No")
        #expect(blocks.candidates(count: 3).count == 1, "a recognised block is not remembered twice")

        // Same count, different from the second definition on (its type), then from the last (its name).
        let otherType = [three[0], Self.column("Master_Port", type: 8, flags: 32), three[2]]
        let parsed = try Self.read(otherType, rows: [["db3", "1", "Yes"]], blocks: blocks)
        #expect(parsed.columns == ["Master_Host", "Master_Port", "Slave_IO_Running"])
        #expect(parsed.columnTypes.map(\.type) == [253, 8, 253])
        let otherName = [three[0], three[1], Self.column("Slave_SQL_Running")]
        let renamed = try Self.read(otherName, rows: [["db4", "2", "Yes"]], blocks: blocks)
        #expect(renamed.columns == ["Master_Host", "Master_Port", "Slave_SQL_Running"])
        #expect(renamed.rows[0]["slave_sql_running"] == "Yes")
        #expect(renamed.rows[0]["Slave_IO_Running"] == nil)
        #expect(blocks.candidates(count: 3).count == 3)
        // An empty result (a master's SHOW SLAVE STATUS) still has its columns.
        let empty = try Self.read(three, rows: [], blocks: blocks)
        #expect(empty.columns == first.columns && empty.rows.isEmpty)
        // The cache is bounded.
        for i in 0..<(MySQLColumnBlockCache.capacity + 5) { _ = try Self.read([Self.column("c\(i)")], rows: [], blocks: blocks) }
        #expect(blocks.candidates(count: 1).count + blocks.candidates(count: 3).count <= MySQLColumnBlockCache.capacity)
    }

    @Test("an OK answer gives affected rows; an ERR keeps code, SQLSTATE and message")
    func okAndError() throws {
        var reader = MySQLClientWire.ResultReader()
        let ok = try #require(try reader.feed([0, 3, 0, 2, 0, 0, 0]))
        #expect(ok.affectedRows == 3)
        #expect(ok.columns.isEmpty)
        var failing = MySQLClientWire.ResultReader()
        var err: [UInt8] = [0xFF]
        MySQLClientWire.le(1146, 2, into: &err)
        err += Array("#42S02Table 'x.y' doesn't exist".utf8)
        #expect(throws: MySQLWireError.server((1146, "42S02", "Table 'x.y' doesn't exist"))) { try failing.feed(err) }
        var infile = MySQLClientWire.ResultReader()
        #expect(throws: MySQLWireError.self) { try infile.feed([0xFB] + Array("/etc/passwd".utf8)) }
    }

    @Test("escaping matches mysql_real_escape_string, with and without NO_BACKSLASH_ESCAPES")
    func escaping() {
        #expect(MySQLClientWire.escape("it's \"x\" \\ \n\r\u{0}\u{1A} ünï", noBackslashEscapes: false)
                == "it\\'s \\\"x\\\" \\\\ \\n\\r\\0\\Z ünï")
        #expect(MySQLClientWire.escape("it's \\", noBackslashEscapes: true) == "it''s \\")
        // The probe's constant statements need no escaping at all.
        #expect(!InstanceReader.variablesQuery.contains("\\"))
        #expect(InstanceReader.variablesQuery.hasPrefix("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('server_id', "))
    }
}
