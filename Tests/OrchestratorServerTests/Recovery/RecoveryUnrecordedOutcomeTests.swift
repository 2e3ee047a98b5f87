import Foundation
import Synchronization
import Testing
@testable import OrchestratorServer
import OrchestratorServerTestKit

/// A leader that finishes a recovery but cannot record its outcome (cut off from its peers at that
/// moment) keeps the outcome and records it once it leads again, instead of leaving the replicated audit
/// with an active record (or a later "abandoned").
@Suite("Recovery service: an outcome that cannot be recorded is kept and retried", .serialized)
struct RecoveryUnrecordedOutcomeTests {
    /// Runs nothing (like `RecordingHookRunner`) and, when `phase` starts, cuts `id` off from its peers.
    final class PartitioningHookRunner: HookRunner, Sendable {
        let network: InMemoryRaftNetwork
        let id: RaftNodeID
        let phase: HookPhase
        let fired = Mutex(false)

        init(network: InMemoryRaftNetwork, id: RaftNodeID, at phase: HookPhase) {
            self.network = network
            self.id = id
            self.phase = phase
        }

        func run(phase: HookPhase, commands: [String], context: HookContext, timeoutSeconds: Int,
                 shell: String) async -> [HookResult] {
            if phase == self.phase, !fired.withLock({ $0 }) {
                fired.withLock { $0 = true }
                network.isolate(id)
            }
            return []
        }
    }

    @Test func theOutcomeIsRecordedWhenTheNodeLeadsAgain() async throws {
        let network = InMemoryRaftNetwork()
        let ids = ["10.0.0.1:10008", "10.0.0.2:10008", "10.0.0.3:10008"]
        var rafts: [RaftService] = []
        var nodes: [OrchestratorNode] = []
        var tasks: [Task<Void, any Error>] = []
        let prober = RecoveryHookAbortTests.KillableProber()
        for id in ids {
            let database = try BackendDatabase()
            let machine = try IntentStateMachine(database: database)
            var settings = RaftService.Settings(id: id, voters: ids)
            settings.tickInterval = .milliseconds(10)
            let raft = try RaftService(settings: settings, storage: InMemoryRaftStorage(), transport: network.endpoint(id),
                                       stateMachine: machine)
            let discovery = Discovery(settings: DiscoverySettings(mysql: MySQLClientConfig(user: "u", password: "p")),
                                      prober: prober, store: InstanceStore(database: database))
            var nodeSettings = OrchestratorNode.Settings(raftID: id, httpAdvertise: "http://\(id)")
            nodeSettings.recoveryFilters = RecoveryFilters(masterFilters: ["alias=shop"])
            let node = OrchestratorNode(settings: nodeSettings, raft: raft, stateMachine: machine, discovery: discovery)
            rafts.append(raft)
            nodes.append(node)
            tasks += [Task { try await raft.run() }, Task { try await IntentFollower(node: node).run() }]
        }
        defer { for task in tasks { task.cancel() } }
        // Node 0 leads (a transfer if the election chose another).
        #expect(await eventually {
            if await nodes[0].raftStatus().role == .leader { return true }
            for i in 1..<nodes.count {
                let role = await nodes[i].raftStatus().role
                if role == .leader { try? await rafts[i].transferLeadership(to: ids[0]) }
            }
            return false
        }, "node 0 leads")
        let node = nodes[0]
        _ = try await node.discovery.discover(InstanceKey(hostname: "db", port: 3309))
        prober.killMaster()
        await node.discovery.refresh(await node.inventory().instances.map(\.key))
        let analysis = try #require(await node.analyze().first {
            $0.analyzedInstanceKey == RecoveryHookAbortTests.master && $0.analysis == .deadMaster
        })

        // The post-failover hooks run after the MySQL steps; the node is cut off right then, so the final
        // write of the recovery's outcome cannot reach a quorum.
        let hooks = PartitioningHookRunner(network: network, id: ids[0], at: .postFailover)
        let mysql = RecordingMySQLOperations()
        var configuration = OrchestratorConfiguration()
        configuration.postFailoverProcesses = ["notify"]
        let service = RecoveryService(node: node, recoveryOperations: mysql, hooks: hooks, configuration: configuration,
                                      startupGrace: .zero)
        let outcome = await service.recover(analysis, trigger: .automatic, command: "automated")
        guard case .recovered(let recovery) = outcome else {
            Issue.record("expected the recovery itself to succeed, got \(outcome)")
            return
        }
        #expect(mysql.operations.contains("reset-replica-all"), "\(mysql.calls)")
        #expect(await service.unrecordedOutcomeCount() == 1, "the outcome is kept on the node")
        #expect(node.intent.recoveries.first { $0.uid == recovery.uid }?.isSuccessful != true,
                "the replicated audit does not have the outcome yet")

        // The partition heals; node 0 leads again and records what it did.
        network.heal()
        #expect(await eventually(seconds: 20) {
            if await node.raftStatus().role == .leader { return true }
            for i in 1..<nodes.count {
                let role = await nodes[i].raftStatus().role
                if role == .leader { try? await rafts[i].transferLeadership(to: ids[0]) }
            }
            return false
        }, "node 0 leads again")
        await service.checkAndRecover()
        #expect(await service.unrecordedOutcomeCount() == 0)
        for other in nodes {
            #expect(await eventually {
                let recorded = other.intent.recoveries.first { $0.uid == recovery.uid }
                return recorded?.isSuccessful == true && recorded?.isActive == false && recorded?.successorKey == recovery.successorKey
            }, "every node's audit shows the real outcome")
        }
    }
}
