import Foundation
import Testing
@testable import OrchestratorServer
import OrchestratorServerTestKit

/// After a master failover the failed master is downtimed `lost-in-recovery` through the replicated
/// intent (so `downtimed` lists it), and the leader ends that downtime once the server replicates again.
@Suite("Recovery service: the failed master's lost-in-recovery downtime", .serialized)
struct LostInRecoveryDowntimeTests {
    @Test func failedMasterIsDowntimedUntilItReplicatesAgain() async throws {
        let fixture = try await RecoveryHookAbortTests.Fixture(failingPreHook: false)
        let master = RecoveryHookAbortTests.master
        let analysis = try await fixture.deadMaster()

        let outcome = await fixture.service.recover(analysis, trigger: .automatic, command: "automated")
        guard case .recovered(let recovery) = outcome, let successor = recovery.successorKey else {
            Issue.record("expected a successful recovery, got \(outcome)")
            await fixture.stop()
            return
        }
        let downtime = try #require(fixture.node.intent.activeDowntime(for: master, at: fixture.node.now),
                                    "the failed master is downtimed through the replicated intent")
        #expect(downtime.reason == "lost-in-recovery")
        #expect(downtime.end.seconds(since: downtime.begin) == 365 * 24 * 3600, "upstream's LostInRecoveryDowntimeSeconds")
        #expect(recovery.steps.contains { $0.name == "downtime" }, "\(recovery.steps.map(\.name))")

        // Still down: a round keeps the downtime.
        await fixture.service.checkAndRecover()
        #expect(fixture.node.intent.activeDowntime(for: master, at: fixture.node.now) != nil)

        // The old master comes back and replicates from the successor: the leader ends the downtime.
        let prober = fixture.prober
        prober.instances.withLock { all in
            for (key, var instance) in all where key != master {
                if key == successor {
                    instance.masterKey = nil
                    instance.replicationIOThreadRunning = false
                    instance.replicationSQLThreadRunning = false
                    instance.replicationIOThreadState = .noThread
                    instance.replicationSQLThreadState = .noThread
                } else if instance.masterKey == master {
                    instance.masterKey = successor
                    instance.replicationIOThreadRunning = true
                    instance.replicationIOThreadState = .running
                    instance.lastIOError = ""
                }
                all[key] = instance
            }
            var back = all[InstanceKey(hostname: "db", port: 3309)]!
            back.key = master
            back.serverID = 3306
            back.masterKey = successor
            all[master] = back
        }
        await fixture.node.discovery.refresh(await fixture.node.inventory().instances.map(\.key) + [master])
        #expect(await fixture.node.discovery.instance(master)?.replicaRunning == true)
        await fixture.service.checkAndRecover()
        #expect(fixture.node.intent.activeDowntime(for: master, at: fixture.node.now) == nil,
                "the leader ended the downtime of the server replicating again")
        await fixture.stop()
    }
}
