import Foundation
import OrchestratorCore
@testable import OrchestratorServer
import OrchestratorTestKit
import Testing

/// The libmariadb wrapper, and orchd's own wire client beside it, against a real server.
@Suite(.serialized, .enabled(if: !MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct MySQLClientIntegrationTests {
    static let config = MySQLClientConfig(user: MariaDBSandbox.topologyUser, password: MariaDBSandbox.topologyPassword)

    @Test("queries, typed access, escaping of hostile values, errors with codes, pool reuse and reconnect")
    func clientAgainstRealServer() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:1")
        defer { sandbox.down() }
        let endpoint = MySQLEndpoint(host: "127.0.0.1", port: sandbox.port(1))
        let connection = try await MySQLConnection.connect(to: endpoint, config: Self.config)
        #expect(connection.serverInfo.contains("MariaDB"))

        let result = try await connection.query("SELECT 1 AS one, NULL AS nothing, 'text' AS word, @@read_only AS ro")
        #expect(result.columns == ["one", "nothing", "word", "ro"])
        let row = try #require(result.first)
        #expect(row.int("one") == 1)
        #expect(row["nothing"] == nil)
        #expect(row["WORD"] == "text")
        #expect(row.bool("ro") == false)
        #expect(row.dictionary["nothing"] == .some(nil))

        // Hostile values round-trip as data, never as SQL.
        let hostile = [
            "'; DROP DATABASE meta; --", "\\", "\\'", "\"", "a?b", "`x`", "ünïcödé ✓", "\u{0}nul", "' OR '1'='1",
        ]
        for value in hostile {
            let echoed = try await connection.query("SELECT ? AS v, '?' AS literal", .string(value))
            #expect(echoed.first?["v"] == value)
            #expect(echoed.first?["literal"] == "?")
        }
        let meta = try await connection.query("SELECT COUNT(*) AS n FROM meta.cluster WHERE cluster_name = ?", "x' OR 1=1 -- ")
        #expect(meta.first?.int("n") == 0)
        #expect(try await connection.escape("it's") == "it\\'s")

        // Multiple statements are refused (no CLIENT_MULTI_STATEMENTS).
        await #expect(throws: MySQLError.self) { try await connection.query("SELECT 1; SELECT 2") }

        // Server errors carry code and SQLSTATE and keep the connection usable.
        do {
            _ = try await connection.query("SELECT * FROM no_such_table")
            Issue.record("expected an error")
        } catch let error as MySQLError {
            #expect(error.code == 1046 || error.code == 1146)
            #expect(!error.breaksConnection)
            #expect(error.description.contains("127.0.0.1:\(sandbox.port(1))"))
        }
        #expect(try await connection.query("SELECT 2 AS two").first?.int("two") == 2)
        #expect(try await connection.exec("DO 1") == 0)
        await connection.close()
        await #expect(throws: MySQLError.self) { try await connection.query("SELECT 1") }

        // The pool keeps one idle connection, and replaces it after the server restarted.
        let pool = MySQLConnectionPool(config: Self.config)
        let first = try await pool.withConnection(to: endpoint) { try await $0.query("SELECT CONNECTION_ID() AS id").first?.int("id") }
        let second = try await pool.withConnection(to: endpoint) { try await $0.query("SELECT CONNECTION_ID() AS id").first?.int("id") }
        #expect(first == second)
        #expect(await pool.idleCount(endpoint) == 1)
        try await sandbox.stop(1)
        try await sandbox.start(1)
        let third = try await pool.withConnection(to: endpoint) { try await $0.query("SELECT 3 AS n").first?.int("n") }
        #expect(third == 3)
        await pool.shutdown()
    }

    @Test("a pooled connection that hit a privilege error is dropped: a GRANT given afterwards reaches the next call")
    func privilegeErrorDropsThePooledConnection() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:1")
        defer { sandbox.down() }
        _ = try await sandbox.sql(1, "CREATE USER IF NOT EXISTS 'pool_probe'@'%' IDENTIFIED BY 'pool_probe_pw'; "
            + "CREATE USER IF NOT EXISTS 'pool_probe'@'localhost' IDENTIFIED BY 'pool_probe_pw'")
        let endpoint = MySQLEndpoint(host: "127.0.0.1", port: sandbox.port(1))
        let pool = MySQLConnectionPool(config: MySQLClientConfig(user: "pool_probe", password: "pool_probe_pw"))
        do {
            _ = try await pool.withConnection(to: endpoint) { try await $0.query("SHOW SLAVE HOSTS") }
            Issue.record("expected a privilege error")
        } catch let error as MySQLError {
            #expect(error.code == 1227, "\(error)")
        }
        #expect(await pool.idleCount(endpoint) == 0, "the connection that hit 1227 is not kept")
        _ = try await sandbox.sql(1, "GRANT REPLICATION MASTER ADMIN ON *.* TO 'pool_probe'@'%'; "
            + "GRANT REPLICATION MASTER ADMIN ON *.* TO 'pool_probe'@'localhost'")
        let hosts = try await pool.withConnection(to: endpoint) { try await $0.query("SHOW SLAVE HOSTS") }
        #expect(hosts.columns.contains("Server_id"), "the next call works on a new connection: \(hosts.columns)")
        await pool.shutdown()
    }

    @Test("connect errors: wrong password is 1045 and the password is not in the message")
    func wrongPassword() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:1")
        defer { sandbox.down() }
        let config = MySQLClientConfig(user: MariaDBSandbox.topologyUser, password: "sekrit-wrong")
        do {
            _ = try await MySQLConnection.connect(to: MySQLEndpoint(host: "127.0.0.1", port: sandbox.port(1)), config: config)
            Issue.record("expected access denied")
        } catch let error as MySQLError {
            #expect(error.code == 1045)
            #expect(error.sqlState == "28000")
            #expect(!error.description.contains("sekrit"))
        }
        #expect(!config.description.contains("sekrit-wrong"))
    }

    @Test("orchd's own client reads what libmariadb reads from MariaDB for every probe statement, keeps errors' codes and hostile values as data, and reconnects after a restart")
    func wireClientMatchesLibmariadb() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:2")
        defer { sandbox.down() }
        for n in [1, 2] {
            let endpoint = MySQLEndpoint(host: "127.0.0.1", port: sandbox.port(n))
            let library = try await MySQLConnection.connect(to: endpoint, config: Self.config)
            let wire = try await MySQLWireConnection.connect(to: endpoint, config: Self.config)
            #expect(wire.serverInfo == library.serverInfo)
            for (sql, values) in FleetSimulatorTests.proberQueries() {
                let expected = try await library.query(sql, values: values)
                let actual = try await wire.query(sql, values: values)
                #expect(actual.columns == expected.columns, "\(n): \(sql)")
                #expect(actual.columnTypes == expected.columnTypes, "\(n): \(sql)")
                #expect(actual.affectedRows == expected.affectedRows, "\(n): \(sql)")
                if !sql.hasPrefix("SHOW GLOBAL STATUS") {  // Uptime moves between the two reads
                    #expect(actual.rows.map(\.values) == expected.rows.map(\.values), "\(n): \(sql)")
                }
            }
            await library.close()
            await wire.close()
        }

        let endpoint = MySQLEndpoint(host: "127.0.0.1", port: sandbox.port(1))
        let wire = try await MySQLWireConnection.connect(to: endpoint, config: Self.config)
        for value in ["'; DROP DATABASE meta; --", "\\", "\\'", "\"", "a?b", "`x`", "ünïcödé ✓", "\u{0}nul", "' OR '1'='1"] {
            #expect(try await wire.query("SELECT ? AS v, '?' AS literal", .string(value)).first?["v"] == value)
        }
        await #expect(throws: MySQLError.self) { try await wire.query("SELECT 1; SELECT 2") }
        do {
            _ = try await wire.query("SELECT * FROM no_such_table")
            Issue.record("expected an error")
        } catch let error as MySQLError {
            #expect(error.code == 1046 || error.code == 1146)
            #expect(error.connectionReusable)
        }
        #expect(try await wire.query("SELECT 2 AS two").first?.int("two") == 2)
        await wire.close()

        do {
            _ = try await MySQLWireConnection.connect(
                to: endpoint, config: MySQLClientConfig(user: MariaDBSandbox.topologyUser, password: "sekrit-wrong"))
            Issue.record("a wrong password was accepted")
        } catch let error as MySQLError {
            #expect(error.code == 1045)
            #expect(error.sqlState == "28000")
            #expect(!error.description.contains("sekrit"))
        }
        do {
            _ = try await MySQLWireConnection.connect(to: MySQLEndpoint(host: "127.0.0.1", port: 1), config: Self.config)
            Issue.record("connected to a closed port")
        } catch let error as MySQLError {
            #expect(error.code == 2003, "\(error)")
        }

        // The pool keeps one idle connection per server, and replaces it after the server restarted.
        let pool = MySQLWirePool(config: Self.config)
        let first = try await pool.withConnection(to: endpoint) { try await $0.query("SELECT CONNECTION_ID() AS id").first?.int("id") }
        let second = try await pool.withConnection(to: endpoint) { try await $0.query("SELECT CONNECTION_ID() AS id").first?.int("id") }
        #expect(first == second)
        #expect(pool.idleCount == 1)
        try await sandbox.stop(1)
        try await sandbox.start(1)
        let third = try await pool.withConnection(to: endpoint) { try await $0.query("SELECT 3 AS n").first?.int("n") }
        #expect(third == 3)
        await pool.shutdown()
    }

    @Test("a topology user authenticated by ed25519 is probed over libmariadb (orchd's own client speaks mysql_native_password only)")
    func otherAuthenticationPluginFallsBackToLibmariadb() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:1")
        defer { sandbox.down() }
        _ = try await sandbox.sql(1, "INSTALL SONAME 'auth_ed25519'")
        for host in ["%", "localhost"] {
            _ = try await sandbox.sql(1, "CREATE USER 'orc_ed'@'\(host)' IDENTIFIED VIA ed25519 USING PASSWORD('ed_pw'); "
                + "GRANT SUPER, PROCESS, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR, SLAVE MONITOR, REPLICATION MASTER ADMIN ON *.* TO 'orc_ed'@'\(host)'")
        }
        let config = MySQLClientConfig(user: "orc_ed", password: "ed_pw")
        let endpoint = MySQLEndpoint(host: "127.0.0.1", port: sandbox.port(1))
        await #expect(throws: MySQLWireError.self) { try await MySQLWireConnection.connect(to: endpoint, config: config) }
        let prober = MySQLTopologyProber(pool: MySQLConnectionPool(config: config), settings: DiscoverySettings(mysql: config))
        let key = InstanceKey(hostname: "127.0.0.1", port: sandbox.port(1))
        for _ in 0..<2 {
            let result = await prober.probe(key)
            #expect(result.error == nil, "\(String(describing: result.error))")
            #expect(result.instance?.version.contains("MariaDB") == true)
        }
        await prober.shutdown()
    }
}
