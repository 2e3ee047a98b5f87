import FleetSimulator
import Foundation
import OrchestratorCore
@testable import OrchestratorServer
import OrchestratorTestKit
import Testing

/// The fleet simulator (Scripts/bench-scale's load generator) must answer orchd's prober as MariaDB
/// does: the same columns, types and nullability for every query a probe sends, checked here against
/// a real sandbox, so the simulator cannot drift from MariaDB.
@Suite(.serialized, .enabled(if: !MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct FleetSimulatorTests {
    /// A simulator of `clusters` x `size` servers on a free block of `ORCHD_TEST_FLEET_SIM_PORTS`
    /// (FIRST-LAST, default 26000-26999: clear of the sandboxes (23000-), the Raft harness (24000-24053),
    /// orchd groups (25000 + 20 per group) and etcd (27500-)).
    static func startSimulator(clusters: Int, size: Int) async throws -> FleetServer {
        let parts = (ProcessInfo.processInfo.environment["ORCHD_TEST_FLEET_SIM_PORTS"] ?? "").split(separator: "-").compactMap { Int($0) }
        let (first, last) = parts.count == 2 ? (parts[0], parts[1]) : (26000, 26999)
        var base = first
        while base + clusters * size - 1 <= last {
            let server = FleetServer(model: FleetModel(.init(
                clusters: clusters, clusterSize: size, basePort: base, user: MariaDBSandbox.topologyUser,
                password: MariaDBSandbox.topologyPassword)))
            do {
                try await server.start()
                return server
            } catch {
                try await server.shutdown()
                base += clusters * size
            }
        }
        throw FleetTestError("no free block of \(clusters * size) ports in \(first)-\(last)")
    }

    struct FleetTestError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    static func connect(_ port: Int, password: String = MariaDBSandbox.topologyPassword) async throws -> MySQLConnection {
        try await MySQLConnection.connect(
            to: MySQLEndpoint(host: "127.0.0.1", port: port),
            config: MySQLClientConfig(user: MariaDBSandbox.topologyUser, password: password, connectTimeoutSeconds: 5,
                                      readTimeoutSeconds: 10))
    }

    /// Every statement a probe of a MariaDB server sends, with its bound values.
    static func proberQueries() -> [(String, [MySQLValue])] {
        let flavor = ServerFlavor(version: "10.11.19-MariaDB-log")
        return [
            (InstanceReader.variablesQuery, []),
            (InstanceReader.statusQuery, []),
            (flavor.masterStatusQuery, []),
            ("SHOW BINARY LOGS", []),
            ("SELECT BINLOG_GTID_POS(?, 4)", [.string("binlog.000001")]),
            (flavor.replicaStatusQuery, []),
            (flavor.replicaHostsQuery, []),
            (InstanceReader.processlistReplicasQuery, []),
            (MariaDBSandbox.clusterAliasQuery, []),
            (MariaDBSandbox.clusterDomainQuery, []),
            // The leader's MasterWatch (no result set).
            ("DO SLEEP(0.1)", []),
        ]
    }

    @Test("each prober query gets the same column names, types and nullability from the simulator as from MariaDB")
    func columnsMatchMariaDB() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:2")
        defer { sandbox.down() }
        let sim = try await Self.startSimulator(clusters: 1, size: 2)
        let simBase = sim.model.options.basePort
        defer { Task { try? await sim.shutdown() } }

        // Master and replica of each.
        for (role, realPort, simPort) in [("master", sandbox.port(1), simBase), ("replica", sandbox.port(2), simBase + 1)] {
            let real = try await Self.connect(realPort)
            let simulated = try await Self.connect(simPort)
            for (sql, values) in Self.proberQueries() {
                let expected = try await real.query(sql, values: values)
                let actual = try await simulated.query(sql, values: values)
                #expect(actual.columns == expected.columns, "\(role): \(sql): column names")
                #expect(actual.columnTypes.map(\.type) == expected.columnTypes.map(\.type), "\(role): \(sql): column types")
                #expect(actual.columnTypes.map(\.isNotNull) == expected.columnTypes.map(\.isNotNull),
                        "\(role): \(sql): nullability")
                #expect(actual.columnTypes.map(\.isUnsigned) == expected.columnTypes.map(\.isUnsigned),
                        "\(role): \(sql): signedness")
                if sql.hasPrefix("SHOW GLOBAL") {
                    // The same variables exist (and are absent) on both.
                    #expect(Set(actual.rows.compactMap { $0[position: 0] }) == Set(expected.rows.compactMap { $0[position: 0] }),
                            "\(role): \(sql): names")
                }
                if sql.hasPrefix("SHOW SLAVE STATUS") || sql.hasPrefix("SHOW MASTER STATUS") || sql.hasPrefix("SHOW SLAVE HOSTS") {
                    #expect(actual.rows.count == expected.rows.count, "\(role): \(sql): rows")
                }
            }
            await real.close()
            await simulated.close()
        }
    }

    @Test("libmariadb's handshake: the configured password is accepted, a wrong one gets 1045")
    func handshake() async throws {
        let sim = try await Self.startSimulator(clusters: 1, size: 1)
        defer { Task { try? await sim.shutdown() } }
        let port = sim.model.options.basePort
        let connection = try await Self.connect(port)
        try await connection.ping()
        #expect(connection.serverInfo.contains("MariaDB"))
        await connection.close()
        do {
            _ = try await Self.connect(port, password: "wrong")
            Issue.record("a wrong password was accepted")
        } catch let error as MySQLError {
            #expect(error.code == 1045)
        }
    }

    @Test("orchd discovers the simulated clusters, then sees a killed master and its replicas' broken IO thread")
    func discoveryAndKill() async throws {
        let sim = try await Self.startSimulator(clusters: 2, size: 3)
        defer { Task { try? await sim.shutdown() } }
        let base = sim.model.options.basePort
        var settings = DiscoveryHarness.settings()
        settings.discoverySeeds = [InstanceKey(hostname: "127.0.0.1", port: base), InstanceKey(hostname: "127.0.0.1", port: base + 3)]
        let harness = try DiscoveryHarness(settings: settings)
        defer { Task { await harness.shutdown() } }

        await harness.discovery.pollOnce()
        let instances = await harness.discovery.instances()
        #expect(instances.count == 6)
        #expect(Set(instances.map(\.suggestedClusterAlias)) == ["fleet-00000", "fleet-00001"])
        let replica = try #require(instances.first { $0.key.port == base + 1 })
        #expect(replica.isReplica && replica.readOnly && replica.masterKey == InstanceKey(hostname: "127.0.0.1", port: base))
        let master = try #require(instances.first { $0.key.port == base })
        #expect(Set(master.replicas.map(\.port)) == [base + 1, base + 2])

        #expect(await sim.control("kill \(base)") == "OK")
        await harness.discovery.pollOnce()
        let after = await harness.discovery.instances()
        #expect(after.first { $0.key.port == base }?.isLastCheckValid == false)
        let broken = try #require(after.first { $0.key.port == base + 1 })
        #expect(broken.isLastCheckValid && !broken.replicationIOThreadRunning)
        #expect(await sim.control("revive \(base)") == "OK")
        #expect(await sim.control("hang 99").hasPrefix("ERR"))
    }
}

/// A probe's statements go in two pipelined batches the first time (the second depends on the server's
/// flavour), and in one once the prober knows the server: one round trip per probe.
@Suite struct ProbeRoundTripTests {
    /// Answers from the simulator's model (no sockets), recording each batch sent.
    final class RecordingSession: MySQLQuerying, @unchecked Sendable {
        let model: FleetModel
        let port: Int
        let endpoint: MySQLEndpoint
        var batches: [[String]] = []
        init(model: FleetModel, port: Int) {
            self.model = model
            self.port = port
            endpoint = MySQLEndpoint(host: "127.0.0.1", port: port)
        }

        func answer(_ sql: String) throws -> MySQLResultSet {
            switch model.answer(port: port, sql: sql) {
            case .resultSet(let set): return MySQLResultSet(columns: set.columns.map(\.name), rows: set.rows)
            case .ok, .okAfter: return MySQLResultSet(columns: [], rows: [])
            case .error(let code, _, let message): throw MySQLError(code: UInt32(code), message: message, endpoint: endpoint.description)
            }
        }

        func query(_ sql: String, values: [MySQLValue]) async throws -> MySQLResultSet {
            batches.append([sql])
            return try answer(sql)
        }

        func pipeline(_ statements: [String]) async -> [Result<MySQLResultSet, any Error>] {
            batches.append(statements)
            return statements.map { sql in Result { try answer(sql) } }
        }
    }

    @Test func aKnownServerIsReadInOneRoundTrip() async throws {
        let model = FleetModel(.init(clusters: 1, clusterSize: 3, basePort: 30000, user: "u", password: "p"))
        let settings = DiscoverySettings(mysql: MySQLClientConfig(user: "u", password: "p"))
        let state = ProbeState()
        let key = InstanceKey(hostname: "127.0.0.1", port: 30001)
        var reads: [(RecordingSession, ProbeResult)] = []
        for _ in 0..<2 {
            let session = RecordingSession(model: model, port: key.port)
            let result = try await InstanceReader(key: key, session: session, settings: settings, state: state).read()
            reads.append((session, result))
        }
        let (first, firstResult) = reads[0], (second, secondResult) = reads[1]
        // The first also reads the oldest binary log's start (two single statements, remembered).
        let firstPipelines = first.batches.filter { $0.count > 1 }
        #expect(firstPipelines.count == 2, "\(first.batches)")
        #expect(first.batches.count == 4, "\(first.batches)")
        #expect(second.batches.count == 1, "\(second.batches)")
        #expect(Set(second.batches.joined()) == Set(firstPipelines.joined()))
        // The same reading either way.
        #expect(secondResult.instance?.masterKey == firstResult.instance?.masterKey)
        #expect(secondResult.instance?.masterKey?.port == 30000)
        #expect(secondResult.instance?.replicationSQLThreadRunning == firstResult.instance?.replicationSQLThreadRunning)
        #expect(secondResult.instance?.gtidCurrentPos == firstResult.instance?.gtidCurrentPos)
    }
}
