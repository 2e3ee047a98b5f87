import Foundation
import Testing
@testable import OrchestratorServer
import OrchestratorServerTestKit

/// Replication control routes without MySQL: parameters, unknown instances, unreachable servers,
/// route registration (every "replica" path also under "slave", every change served by the leader).
@Suite("Replication control API, in process", .serialized)
struct ReplicationControlAPITests {
    /// A one-node group with operations wired (a pool to nowhere) and the scripted tree discovered,
    /// plus `127.0.0.1:<closed port>` known as a replica of the scripted master.
    final class Node: @unchecked Sendable {
        let api: OrchestratorAPI
        let tasks: [Task<Void, any Error>]
        static let closedPort = 9  // discard: nothing listens on loopback here

        init(withOperations: Bool = true) async throws {
            var scripted = ScriptedProber.tree().instances
            var unreachable = Instance(key: InstanceKey(hostname: "127.0.0.1", port: Self.closedPort))
            unreachable.version = "10.11.6-MariaDB-log"
            unreachable.masterKey = InstanceKey(hostname: "db", port: 3306)
            scripted[unreachable.key] = unreachable
            let id = "10.0.0.1:10008"
            let database = try BackendDatabase()
            let machine = try IntentStateMachine(database: database)
            var settings = RaftService.Settings(id: id, voters: [id])
            settings.tickInterval = .milliseconds(10)
            let raft = try RaftService(settings: settings, storage: InMemoryRaftStorage(),
                                       transport: InMemoryRaftNetwork().endpoint(id), stateMachine: machine)
            let discovery = Discovery(
                settings: DiscoverySettings(mysql: MySQLClientConfig(user: "u", password: "p")),
                prober: ScriptedProber(instances: scripted), store: InstanceStore(database: database))
            let node = OrchestratorNode(settings: .init(raftID: id, httpAdvertise: "http://\(id)"), raft: raft,
                                        stateMachine: machine, discovery: discovery)
            let pool = MySQLConnectionPool(config: MySQLClientConfig(user: "u", password: "p", connectTimeoutSeconds: 1))
            let recovery = withOperations
                ? RecoveryService(node: node, operations: ReplicationOperations(pool: pool), startupGrace: .seconds(3600))
                : nil
            api = OrchestratorAPI(node: node, recovery: recovery)
            tasks = [Task { try await raft.run() }, Task { try await IntentFollower(node: node).run() }]
            _ = await eventually { await node.raftStatus().role == .leader }
            _ = try await discovery.discover(InstanceKey(hostname: "db", port: 3309))
            _ = try? await discovery.discover(unreachable.key)
        }

        func get(_ target: String) async -> APIResponse { await api.handle(APIRequest(target: target)) }

        func stop() async {
            for task in tasks { task.cancel() }
            for task in tasks { _ = try? await task.value }
        }
    }

    static let commands = ReplicationControlCommand.allCases.map(\.rawValue)

    @Test func everyCommandIsRegisteredAsAChangeUnderBothSpellings() async throws {
        let node = try await Node()
        defer { Task { await node.stop() } }
        let router = node.api.router
        for command in Self.commands + ["gtid-errant-inject-empty", "gtid-errant-reset-master"] {
            let match = router.match("/api/\(command)/db/3307")
            #expect(match?.route.mutating == true, "\(command) is served by the leader")
            if command.contains("replica") {
                let slave = command.replacingAll("replica", with: "slave")
                #expect(router.match("/api/\(slave)/db/3307")?.route.mutating == true, "\(slave)")
            }
        }
        #expect(router.match("/api/delay-replication/db/3307/10")?.route.mutating == true)
        #expect(router.match("/api/locate-gtid-errant/db/3307")?.route.mutating == false, "a read, any node answers")
        #expect(router.match("/api/start-slave/db/3307")?.route.pattern == "/api/start-slave/:host/:port")
    }

    @Test func nonsenseParametersAnswer400WithTheReason() async throws {
        let node = try await Node()
        defer { Task { await node.stop() } }
        for command in Self.commands {
            let response = await node.get("/api/\(command)/db/notaport")
            #expect(response.status == 400, "\(command)")
            #expect(response.object["Code"] as? String == "ERROR")
            #expect((response.object["Message"] as? String ?? "").contains("invalid port"), "\(command)")
        }
        for seconds in ["abc", "-5", "1.5", "99999999999"] {
            let response = await node.get("/api/delay-replication/db/3307/\(seconds)")
            #expect(response.status == 400, "\(seconds)")
            #expect((response.object["Message"] as? String ?? "").contains("invalid delay \"\(seconds)\""))
        }
        #expect(await node.get("/api/delay-replication/db/70000/5").status == 400)
    }

    @Test func unknownInstancesAnswer404NamingThem() async throws {
        let node = try await Node()
        defer { Task { await node.stop() } }
        for path in Self.commands.map({ "/api/\($0)/db/4000" })
            + ["/api/stop-slave/db/4000", "/api/delay-replication/db/4000/5", "/api/locate-gtid-errant/db/4000",
               "/api/gtid-errant-inject-empty/db/4000", "/api/gtid-errant-reset-master/db/4000"] {
            let response = await node.get(path)
            #expect(response.status == 404, "\(path)")
            #expect(response.object["Code"] as? String == "ERROR")
            #expect((response.object["Message"] as? String ?? "").contains("db:4000"), "\(path)")
        }
    }

    @Test func anUnreachableServerAnswers500NamingInstanceAndStatement() async throws {
        let node = try await Node()
        defer { Task { await node.stop() } }
        let port = Node.closedPort
        for path in ["/api/stop-replica/127.0.0.1/\(port)", "/api/set-read-only/127.0.0.1/\(port)",
                     "/api/stop-replica/127.0.0.1/\(port)?noop=true", "/api/delay-replication/127.0.0.1/\(port)/3"] {
            let response = await node.get(path)
            #expect(response.status == 500, "\(path): \(response.bodyText)")
            let message = response.object["Message"] as? String ?? ""
            #expect(message.contains("127.0.0.1:\(port)"), "\(message)")
            #expect(message.contains("at connect"), "\(message)")
            #expect(message.contains("MySQL error 2002") || message.contains("MySQL error 2003"), "\(message)")
        }
    }

    @Test func mariadbInjectionStatementsSetEachSessionVariableBeforeTheNoop() {
        let gtid = MariaDBGTID(domainID: 0, serverID: 3210002, sequence: 5)
        #expect(ReplicationOperations.mariadbInjection(gtid).map(\.display) == [
            "SET SESSION gtid_domain_id = 0", "SET SESSION server_id = 3210002", "SET SESSION gtid_seq_no = 5", "FLUSH HOSTS",
        ])
        #expect(ReplicationOperations.mariadbOwnNoop(domain: 7).map(\.display) == [
            "SET SESSION gtid_domain_id = 7", "SET SESSION server_id = @@global.server_id", "FLUSH HOSTS",
        ])
        #expect(ReplicationOperations.mariadbResetMasterRefusal(.mariadb10_11).contains("gtid-errant-inject-empty"))
    }

    @Test func errantRepairsWithoutErrantGTIDsAreRefusedNotNoops() async throws {
        let node = try await Node()
        defer { Task { await node.stop() } }
        for command in ["gtid-errant-inject-empty", "gtid-errant-reset-master"] {
            for suffix in ["", "?noop=true"] {
                let response = await node.get("/api/\(command)/db/3307\(suffix)")
                #expect(response.status == 409, "\(command)\(suffix): \(response.bodyText)")
                #expect(response.object["Code"] as? String == "ERROR")
                #expect((response.object["Message"] as? String ?? "").contains("no errant GTID is found"), "\(response.bodyText)")
            }
        }
        let located = await node.get("/api/locate-gtid-errant/db/3307")
        #expect(located.status == 200, "locating nothing is an answer, not an error: \(located.bodyText)")
    }

    @Test func withoutOperationsTheNodeSaysSo() async throws {
        let node = try await Node(withOperations: false)
        defer { Task { await node.stop() } }
        let response = await node.get("/api/start-replica/db/3307")
        #expect(response.status == 503)
        #expect((response.object["Message"] as? String ?? "").contains("not running on this node"))
    }
}
