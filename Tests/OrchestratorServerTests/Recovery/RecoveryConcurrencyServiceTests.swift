import Foundation
import Synchronization
import Testing
@testable import OrchestratorServer
import OrchestratorServerTestKit

/// Two clusters lose their master at once: the real `RecoveryService` (one-node in-memory group,
/// scripted probes, recording MySQL twin) recovers the second while the first is held in its
/// pre-failover hook, and never runs two recoveries of one cluster.
@Suite("Recovery service: independent clusters recover concurrently", .serialized)
struct RecoveryConcurrencyServiceTests {
    /// Hosts "a" and "b" hold one 4-server tree each (ports 3306-3309; aliases "shop-a", "shop-b").
    final class TwoClusters: TopologyProber, Sendable {
        let instances: Mutex<[InstanceKey: Instance]>

        init() {
            var all: [InstanceKey: Instance] = [:]
            for host in ["a", "b"] {
                for (key, instance) in ScriptedProber.tree(host: host).instances {
                    var instance = instance
                    if instance.masterKey == nil { instance.suggestedClusterAlias = "shop-\(host)" }
                    all[key] = instance
                }
            }
            instances = Mutex(all)
        }

        func probe(_ key: InstanceKey) async -> ProbeResult {
            await ScriptedProber(instances: instances.withLock { $0 }).probe(key)
        }

        /// Both masters refuse connections; their replicas report the IO thread reconnecting.
        func killMasters() {
            instances.withLock { all in
                for host in ["a", "b"] {
                    let master = InstanceKey(hostname: host, port: 3306)
                    all[master] = nil
                    for (key, instance) in all where instance.masterKey == master {
                        var replica = instance
                        replica.replicationIOThreadRunning = false
                        replica.replicationIOThreadState = .other
                        replica.gtidCurrentPos = "0-3306-100"
                        replica.gtidSlavePos = "0-3306-100"
                        replica.lastIOError = "error reconnecting to master 'orc_repl@\(host):3306' - retry-time: 1  maximum-retries: 86400  message: Can't connect to server on '\(host)' (111 \"Connection refused\")"
                        all[key] = replica
                    }
                }
            }
        }
    }

    /// Holds the pre-failover hook of recoveries of `gatedHost` until `open()`; records every phase.
    final class GatedHookRunner: HookRunner, Sendable {
        let inner = RecordingHookRunner()
        let gatedHost: String
        private let isOpen = Mutex(false)
        private let waiting = Mutex(0)

        init(gatedHost: String) { self.gatedHost = gatedHost }

        func open() { isOpen.withLock { $0 = true } }
        var waiters: Int { waiting.withLock { $0 } }

        func run(phase: HookPhase, commands: [String], context: HookContext, timeoutSeconds: Int,
                 shell: String) async -> [HookResult] {
            if phase == .preFailover, context.placeholders["failedHost"] == gatedHost {
                waiting.withLock { $0 += 1 }
                for _ in 0..<2000 where !isOpen.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
            }
            return await inner.run(phase: phase, commands: commands, context: context, timeoutSeconds: timeoutSeconds,
                                   shell: shell)
        }
    }

    @Test func aClusterHeldInItsRecoveryDoesNotHoldAnother() async throws {
        let id = "10.0.0.1:10008"
        let database = try BackendDatabase()
        let machine = try IntentStateMachine(database: database)
        var settings = RaftService.Settings(id: id, voters: [id])
        settings.tickInterval = .milliseconds(10)
        let raft = try RaftService(settings: settings, storage: InMemoryRaftStorage(),
                                   transport: InMemoryRaftNetwork().endpoint(id), stateMachine: machine)
        let prober = TwoClusters()
        let discovery = Discovery(settings: DiscoverySettings(mysql: MySQLClientConfig(user: "u", password: "p")),
                                  prober: prober, store: InstanceStore(database: database))
        var nodeSettings = OrchestratorNode.Settings(raftID: id, httpAdvertise: "http://\(id)")
        nodeSettings.recoveryFilters = RecoveryFilters(masterFilters: ["*"])
        let node = OrchestratorNode(settings: nodeSettings, raft: raft, stateMachine: machine, discovery: discovery)
        let tasks = [Task { try await raft.run() }, Task { try await IntentFollower(node: node).run() }]
        defer { for task in tasks { task.cancel() } }
        var configuration = OrchestratorConfiguration()
        configuration.preFailoverProcesses = ["fence"]
        let hooks = GatedHookRunner(gatedHost: "a")
        let service = RecoveryService(node: node, recoveryOperations: RecordingMySQLOperations(), hooks: hooks,
                                      configuration: configuration, startupGrace: .zero)

        #expect(await eventually { await node.raftStatus().role == .leader }, "the single node leads")
        for host in ["a", "b"] { _ = try await discovery.discover(InstanceKey(hostname: host, port: 3309)) }
        #expect(await node.inventory().instances.count == 8, "both trees are discovered")
        prober.killMasters()
        await discovery.refresh(await node.inventory().instances.map(\.key))
        let dead = await node.analyze().filter { $0.analysis == .deadMaster }.map(\.analyzedInstanceKey.hostname).sorted()
        #expect(dead == ["a", "b"], "both masters are dead in the analysis")

        // One round starts both; "a" waits in its pre-failover hook, "b" finishes meanwhile.
        await service.checkAndRecover(waitForRecoveries: false)
        func recoveries(_ host: String) -> [TopologyRecovery] {
            node.intent.recoveries.filter { $0.analysisEntry.analyzedInstanceKey.hostname == host }
        }
        #expect(await eventually { recoveries("b").first?.isSuccessful == true },
                "b is recovered while a is held: \(node.intent.recoveries.map { "\($0.analysisEntry.analyzedInstanceKey) active=\($0.isActive)" })")
        #expect(hooks.waiters == 1, "a's recovery is waiting in its hook")
        #expect(recoveries("a").count == 1 && recoveries("a").first?.isActive == true, "a's recovery is recorded and running")

        // Another round, and an operator's recovery of "a", do not start a second recovery of it.
        await service.checkAndRecover(waitForRecoveries: false)
        let analysisOfA = try #require(await node.analyze().first { $0.analyzedInstanceKey.hostname == "a" && $0.analysis == .deadMaster })
        let manual = await service.recover(analysisOfA, trigger: .manual, command: "recover")
        guard case .failed(let reason) = manual else {
            Issue.record("a second recovery of cluster a ran: \(manual)")
            hooks.open()
            await service.waitForRecoveries()
            return
        }
        #expect(reason.contains("already running"), "\(reason)")
        #expect(hooks.waiters == 1)

        hooks.open()
        await service.waitForRecoveries()
        #expect(recoveries("a").count == 1)
        #expect(recoveries("a").first?.isSuccessful == true, "\(recoveries("a").first?.allErrors ?? [])")
        #expect(recoveries("b").count == 1)
        let ids = node.intent.recoveries.map(\.id)
        #expect(Set(ids).count == ids.count, "every recovery has its own id: \(ids)")
    }
}
