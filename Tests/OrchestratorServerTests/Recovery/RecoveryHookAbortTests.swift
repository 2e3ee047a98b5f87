import Foundation
import Synchronization
import Testing
@testable import OrchestratorServer
import OrchestratorServerTestKit

/// A failing PreFailoverProcesses hook aborts a dead-master recovery before any MySQL operation, through
/// the real `RecoveryService` on a one-node in-memory group (no sockets): scripted probes, the
/// recording hook runner and the recording MySQL twin.
@Suite("Recovery service: pre-failover hooks gate the MySQL steps", .serialized)
struct RecoveryHookAbortTests {
    static let master = InstanceKey(hostname: "db", port: 3306)

    /// Probes answer from the scripted tree until `killMaster()`: then :3306 refuses connections and its
    /// replicas report their IO thread reconnecting with error 2003, as MariaDB does after kill -9.
    final class KillableProber: TopologyProber, Sendable {
        let instances: Mutex<[InstanceKey: Instance]>

        init() { instances = Mutex(ScriptedProber.tree().instances) }

        func probe(_ key: InstanceKey) async -> ProbeResult {
            await ScriptedProber(instances: instances.withLock { $0 }).probe(key)
        }

        func killMaster() {
            instances.withLock { all in
                all[RecoveryHookAbortTests.master] = nil
                for (key, instance) in all where instance.masterKey == RecoveryHookAbortTests.master {
                    var replica = instance
                    replica.replicationIOThreadRunning = false
                    replica.replicationIOThreadState = .other
                    // Both replicas applied everything the master wrote (MariaDB GTID positions).
                    replica.gtidCurrentPos = "0-3306-100"
                    replica.gtidSlavePos = "0-3306-100"
                    replica.lastIOError = "error reconnecting to master 'orc_repl@db:3306' - retry-time: 1  maximum-retries: 86400  message: Can't connect to server on 'db' (111 \"Connection refused\")"
                    all[key] = replica
                }
            }
        }
    }

    /// One leader node with a dead master in view, and the service under test.
    struct Fixture {
        let node: OrchestratorNode
        let service: RecoveryService
        let hooks: RecordingHookRunner
        let mysql: RecordingMySQLOperations
        /// The scripted world, to bring servers back.
        let prober: KillableProber
        let tasks: [Task<Void, any Error>]

        init(failingPreHook: Bool) async throws {
            let id = "10.0.0.1:10008"
            let database = try BackendDatabase()
            let machine = try IntentStateMachine(database: database)
            var settings = RaftService.Settings(id: id, voters: [id])
            settings.tickInterval = .milliseconds(10)
            let raft = try RaftService(settings: settings, storage: InMemoryRaftStorage(),
                                       transport: InMemoryRaftNetwork().endpoint(id), stateMachine: machine)
            let prober = KillableProber()
            self.prober = prober
            let discovery = Discovery(
                settings: DiscoverySettings(mysql: MySQLClientConfig(user: "u", password: "p")),
                prober: prober, store: InstanceStore(database: database))
            var nodeSettings = OrchestratorNode.Settings(raftID: id, httpAdvertise: "http://\(id)")
            nodeSettings.recoveryFilters = RecoveryFilters(masterFilters: ["alias=shop"])
            let node = OrchestratorNode(settings: nodeSettings, raft: raft, stateMachine: machine, discovery: discovery)
            self.node = node
            tasks = [Task { try await raft.run() }, Task { try await IntentFollower(node: node).run() }]

            var configuration = OrchestratorConfiguration()
            configuration.preFailoverProcesses = ["check-the-fence"]
            configuration.postMasterFailoverProcesses = ["post-master"]
            configuration.postFailoverProcesses = ["post"]
            configuration.postUnsuccessfulFailoverProcesses = ["post-unsuccessful"]
            hooks = RecordingHookRunner(failing: failingPreHook ? ["check-the-fence"] : [])
            mysql = RecordingMySQLOperations()
            service = RecoveryService(node: node, recoveryOperations: mysql, hooks: hooks, configuration: configuration,
                                      startupGrace: .zero)

            #expect(await eventually { await node.raftStatus().role == .leader }, "the single node leads")
            _ = try await discovery.discover(InstanceKey(hostname: "db", port: 3309))
            #expect(await node.inventory().instances.count == 4, "the scripted tree is discovered")
            prober.killMaster()
            await discovery.refresh(await node.inventory().instances.map(\.key))
        }

        /// The node's DeadMaster analysis of :3306 (fails the test when there is none).
        func deadMaster() async throws -> ReplicationAnalysis {
            let analyses = await node.analyze()
            return try #require(analyses.first { $0.analyzedInstanceKey == RecoveryHookAbortTests.master
                && $0.analysis == .deadMaster }, "DeadMaster on db:3306 in \(analyses.map { "\($0.analyzedInstanceKey) \($0.analysis)" })")
        }

        func stop() async {
            for task in tasks { task.cancel() }
            for task in tasks { _ = try? await task.value }
        }
    }

    @Test func aFailingPreFailoverHookAbortsBeforeAnyMySQLOperation() async throws {
        let fixture = try await Fixture(failingPreHook: true)
        let analysis = try await fixture.deadMaster()

        let outcome = await fixture.service.recover(analysis, trigger: .automatic, command: "automated")

        guard case .unsuccessful(let recovery) = outcome else {
            Issue.record("expected an unsuccessful recovery, got \(outcome)")
            await fixture.stop()
            return
        }
        #expect(fixture.mysql.calls.isEmpty, "no MySQL operation runs after the pre-hook failed: \(fixture.mysql.calls)")
        #expect(!recovery.isSuccessful)
        #expect(recovery.successorKey == nil)
        #expect(recovery.allErrors.contains { $0.hasPrefix("PreFailoverProcesses:") && $0.contains("check-the-fence") },
                "the reason names the phase and the hook: \(recovery.allErrors)")
        #expect(recovery.steps.map(\.name) == ["hook PreFailoverProcesses"], "\(recovery.steps.map(\.name))")
        #expect(recovery.steps.first?.ok == false)
        // Upstream returns before its post hooks when a pre-failover hook fails (the recovery was not
        // attempted): not even PostUnsuccessfulFailoverProcesses runs.
        #expect(fixture.hooks.phases == [.preFailover], "\(fixture.hooks.phases)")

        // The audit every node reads (replicated through Raft) says the same.
        let recorded = try #require(fixture.node.intent.recoveries.first { $0.uid == recovery.uid })
        #expect(recorded.isSuccessful == false)
        #expect(recorded.recoveryEndTimestamp != nil, "the aborted recovery is resolved, not left active")
        #expect(recorded.allErrors == recovery.allErrors)
        await fixture.stop()
    }

    @Test func aSucceedingPreFailoverHookLetsTheStepsRun() async throws {
        let fixture = try await Fixture(failingPreHook: false)
        let analysis = try await fixture.deadMaster()

        let outcome = await fixture.service.recover(analysis, trigger: .automatic, command: "automated")

        guard case .recovered(let recovery) = outcome else {
            Issue.record("expected a successful recovery, got \(outcome); MySQL calls: \(fixture.mysql.calls)")
            await fixture.stop()
            return
        }
        let calls = fixture.mysql.calls
        let successor = try #require(recovery.successorKey)
        #expect([3307, 3308].contains(successor.port), "a direct replica of the dead master is promoted: \(successor)")
        #expect(calls.contains { $0.operation == "reset-replica-all" && $0.key == successor }, "\(calls)")
        #expect(calls.contains { $0.operation == "set-writeable" && $0.key == successor }, "\(calls)")
        let sibling = InstanceKey(hostname: "db", port: successor.port == 3307 ? 3308 : 3307)
        #expect(calls.contains { $0.operation == "repoint" && $0.key == sibling && $0.detail.hasPrefix("to \(successor)") },
                "the other direct replica replicates from the promoted one: \(calls)")
        #expect(!calls.contains { $0.key == RecoveryHookAbortTests.master && $0.operation != "set-read-only" },
                "the dead master is at most fenced: \(calls)")
        #expect(fixture.hooks.phases == [.preFailover, .postMasterFailover, .postFailover], "\(fixture.hooks.phases)")
        #expect(recovery.isSuccessful)
        await fixture.stop()
    }
}
