@testable import OrchestratorServer
import Testing

/// Placeholder binding and result-row access, without a server (the escape function is a stand-in
/// for `mysql_real_escape_string`, which the integration tests exercise for real).
struct MySQLStatementTests {
    private func escape(_ s: String) -> String {
        s.replacingAll("\\", "\\\\").replacingAll("'", "\\'")
    }

    @Test("placeholders outside quotes are bound; quoted question marks are left alone")
    func binding() throws {
        let sql = try MySQLStatementRenderer.render(
            "SELECT ? , '?', \"a?\", `c?`, ? FROM t WHERE x = ?", [.string("it's"), .int(-5), .null], escape: escape)
        #expect(sql == "SELECT 'it\\'s' , '?', \"a?\", `c?`, -5 FROM t WHERE x = NULL")
    }

    @Test("escaped quotes inside literals do not end them")
    func escapedQuotes() throws {
        let sql = try MySQLStatementRenderer.render("SELECT 'a\\'?', ?", [.bool(true)], escape: escape)
        #expect(sql == "SELECT 'a\\'?', 1")
    }

    @Test("values of every kind render as literals")
    func literals() throws {
        #expect(try MySQLStatementRenderer.literal(.uint(18_446_744_073_709_551_615), escape: escape) == "18446744073709551615")
        #expect(try MySQLStatementRenderer.literal(.double(1.5), escape: escape) == "1.5")
        #expect(try MySQLStatementRenderer.literal(.bool(false), escape: escape) == "0")
        #expect(throws: MySQLStatementRenderer.RenderError.nonFiniteDouble) {
            try MySQLStatementRenderer.literal(.double(.nan), escape: escape)
        }
    }

    @Test("a placeholder count mismatch is an error, not a partial statement")
    func countMismatch() {
        #expect(throws: MySQLStatementRenderer.RenderError.placeholderCount(expected: 2, given: 1)) {
            try MySQLStatementRenderer.render("SELECT ?, ?", [.int(1)], escape: escape)
        }
        #expect(throws: MySQLStatementRenderer.RenderError.placeholderCount(expected: 0, given: 1)) {
            try MySQLStatementRenderer.render("SELECT 1", [.int(1)], escape: escape)
        }
    }

    @Test("rows: names case-insensitive, NULL is nil, typed accessors parse MySQL's spellings")
    func rows() {
        let set = MySQLResultSet(
            columns: ["Slave_IO_Running", "Seconds_Behind_Master", "Port", "ratio"],
            rows: [["Yes", nil, " 3306", "0.25"], ["Connecting", "12", "x", "ON"]])
        let first = set.rows[0]
        #expect(first["slave_io_running"] == "Yes")
        #expect(first.bool("Slave_IO_Running") == true)
        #expect(first["Seconds_Behind_Master"] == nil)
        #expect(first.has("Seconds_Behind_Master"))
        #expect(!first.has("Nope"))
        #expect(first.int("Port") == 3306)
        #expect(first.double("ratio") == 0.25)
        #expect(first[position: 9] == nil)
        let second = set.rows[1]
        #expect(second.bool("Slave_IO_Running") == nil)
        #expect(second.int("Port") == nil)
        #expect(second.uint("Seconds_Behind_Master") == 12)
        #expect(second.bool("ratio") == true)
    }

    @Test("errors: client errors break the connection, server errors do not; no secrets in descriptions")
    func errors() {
        let denied = MySQLError(code: 1045, sqlState: "28000", message: "Access denied for user 'u'", endpoint: "h:1")
        #expect(!denied.breaksConnection)
        #expect(denied.description == "h:1: MySQL error 1045 (28000): Access denied for user 'u'")
        #expect(MySQLError(code: 2013, message: "Lost connection", endpoint: "h:1").breaksConnection)
        #expect(MySQLError(code: 1927, message: "Connection was killed", endpoint: "h:1").breaksConnection)
        // A privilege error keeps the connection usable, but the pool drops it: a later GRANT reaches
        // only new connections.
        for code: UInt32 in [1227, 1142, 1045, 1044] {
            let e = MySQLError(code: code, message: "denied", endpoint: "h:1")
            #expect(e.isPrivilegeError && !e.connectionReusable, "\(code)")
        }
        #expect(MySQLError(code: 1064, message: "syntax", endpoint: "h:1").connectionReusable)
        #expect(!MySQLError(code: 2013, message: "Lost connection", endpoint: "h:1").connectionReusable)
        let config = MySQLClientConfig(user: "orc", password: "hunter2")
        #expect(!config.description.contains("hunter2"))
        #expect(config.connectTimeoutSeconds == 2 && config.readTimeoutSeconds == 10)
    }

    @Test("the linked client library reports a version")
    func libraryVersion() {
        #expect(!MySQLClientLibrary.version.isEmpty)
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
