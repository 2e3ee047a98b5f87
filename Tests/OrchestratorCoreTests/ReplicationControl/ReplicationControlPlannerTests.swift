import OrchestratorCore
import Testing

/// The replication-control planner on the fixture tree (master 1; 2 and 3 below it; 4 and 5 below 3):
/// steps per command, and the refusals with their reasons.
@Suite("Replication-control planner: steps and refusals")
struct ReplicationControlPlannerTests {
    static let k = Fixture.key
    static let running = ReplicaThreads(masterHost: "db", masterPort: 1, ioThread: "Yes", sqlThread: "Yes")
    static let stopped = ReplicaThreads(masterHost: "db", masterPort: 1, ioThread: "No", sqlThread: "No")

    static func plan(
        _ request: ReplicationControlRequest, on port: Int, threads: ReplicaThreads?, instances: [Instance] = Fixture.tree(),
        force: Bool = false
    ) -> Result<ReplicationControlPlan, ReplicationControlRefusal> {
        let inventory = Inventory(probed: instances, intent: IntentState(), now: Fixture.now)
        let instance = inventory.instance(k(port))!
        return ReplicationControlPlanner.plan(request, instance: instance, replica: threads, inventory: inventory,
                                              options: ReplicationControlOptions(force: force, startTimeoutSeconds: 7))
    }

    // MARK: - Plans

    struct PlanCase: Sendable, CustomTestStringConvertible {
        var request: ReplicationControlRequest
        var port: Int = 2
        var threads: ReplicaThreads? = ReplicationControlPlannerTests.running
        var force = false
        var steps: [ReplicationControlStep]
        var testDescription: String { "\(request.name)\(force ? " forced" : "") -> \(steps)" }
    }

    static let planCases: [PlanCase] = [
        PlanCase(request: .command(.startReplica), threads: stopped, steps: [.startReplication, .awaitReplicating(timeoutSeconds: 7)]),
        PlanCase(request: .command(.restartReplica), steps: [.restartReplication, .awaitReplicating(timeoutSeconds: 7)]),
        PlanCase(request: .command(.stopReplica), steps: [.stopReplication]),
        PlanCase(request: .command(.resetReplica), threads: stopped, steps: [.resetReplica]),
        PlanCase(request: .command(.detachReplica), steps: [.detachMasterHost]),
        PlanCase(request: .command(.reattachReplicaMasterHost), steps: [.reattachMasterHost]),
        PlanCase(request: .command(.skipQuery),
                 threads: ReplicaThreads(masterHost: "db", masterPort: 1, ioThread: "Yes", sqlThread: "No",
                                         lastSQLErrno: 1062, lastSQLError: "Duplicate entry '1'"),
                 steps: [.skipQuery]),
        PlanCase(request: .command(.skipQuery), force: true, steps: [.skipQuery]),
        PlanCase(request: .command(.setWriteable), threads: stopped, steps: [.setReadOnly(false)]),
        PlanCase(request: .command(.setWriteable), force: true, steps: [.setReadOnly(false)]),
        PlanCase(request: .command(.setWriteable), port: 1, threads: nil, steps: [.setReadOnly(false)]),
        PlanCase(request: .command(.setReadOnly), steps: [.setReadOnly(true)]),
        PlanCase(request: .command(.flushBinaryLogs), port: 1, threads: nil, steps: [.flushBinaryLogs]),
        PlanCase(request: .command(.enableSemiSyncReplica), steps: [.setSemiSyncReplica(enabled: true, restartIOThread: true)]),
        PlanCase(request: .command(.disableSemiSyncReplica), threads: stopped,
                 steps: [.setSemiSyncReplica(enabled: false, restartIOThread: false)]),
        PlanCase(request: .delayReplication(seconds: 30), steps: [.setReplicationDelay(seconds: 30)]),
        PlanCase(request: .purgeBinaryLogs(to: BinlogFileName("bin.000001")), port: 1, threads: nil,
                 steps: [.purgeBinaryLogs(to: BinlogFileName("bin.000001"))]),
    ]

    @Test(arguments: planCases)
    func plans(_ c: PlanCase) throws {
        switch Self.plan(c.request, on: c.port, threads: c.threads, force: c.force) {
        case .success(let plan):
            #expect(plan.steps == c.steps)
            #expect(plan.instance == Self.k(c.port))
        case .failure(let refusal):
            Issue.record("refused: \(refusal)")
        }
    }

    // MARK: - Refusals

    struct RefusalCase: Sendable, CustomTestStringConvertible {
        var name: String
        var request: ReplicationControlRequest
        var port: Int = 2
        var threads: ReplicaThreads? = ReplicationControlPlannerTests.running
        var instances: [Instance] = Fixture.tree()
        var kind: ReplicationControlRefusal.Kind = .unsafe
        /// Words the DBA must read: the reason and what to do instead.
        var says: [String]
        var testDescription: String { name }
    }

    static func tree(replica2File: String, replica3File: String = "binlog.1000002") -> [Instance] {
        var instances = Fixture.tree()
        instances[1].readBinlogCoordinates = BinlogCoordinates(logFile: replica2File, logPos: 4)
        instances[2].readBinlogCoordinates = BinlogCoordinates(logFile: replica3File, logPos: 4)
        return instances
    }

    static var masterUnreachable: [Instance] {
        var instances = Fixture.tree()
        instances[0].isLastCheckValid = false
        return instances
    }

    static let refusalCases: [RefusalCase] = [
        RefusalCase(name: "set-writeable on a replicating replica", request: .command(.setWriteable),
                    says: ["replicates from db:1", "errant", "Stop or detach its replication first", "force=true"]),
        RefusalCase(name: "reset-replica while running", request: .command(.resetReplica), says: ["replication is running", "stop it first"]),
        RefusalCase(name: "reset-replica while the IO thread connects", request: .command(.resetReplica),
                    threads: ReplicaThreads(masterHost: "db", masterPort: 1, ioThread: "Connecting", sqlThread: "No"),
                    says: ["IO Connecting", "stop-replica"]),
        RefusalCase(name: "skip-query without an SQL error", request: .command(.skipQuery),
                    says: ["no failing transaction", "healthy one would be lost", "force=true"]),
        RefusalCase(name: "start-replica on a detached master host", request: .command(.startReplica),
                    threads: ReplicaThreads(masterHost: "//db", masterPort: 1, ioThread: "No", sqlThread: "No"),
                    says: ["detached (//db)", "reattach-replica-master-host"]),
        RefusalCase(name: "stop-replica on a master", request: .command(.stopReplica), port: 1, threads: nil, kind: .notAReplica,
                    says: ["not a replica"]),
        RefusalCase(name: "delay-replication on a master", request: .delayReplication(seconds: 5), port: 1, threads: nil,
                    kind: .notAReplica, says: ["not a replica"]),
        RefusalCase(name: "purge while replica 2 reads an older file", request: .purgeBinaryLogs(to: BinlogFileName("binlog.1000001")),
                    port: 1, threads: nil, instances: tree(replica2File: "binlog.1000000"),
                    says: ["db:2 (reading binlog.1000000)", "force=true"]),
        RefusalCase(name: "purge while replica 2 reads binlog.999999 (text order says it is newer)",
                    request: .purgeBinaryLogs(to: BinlogFileName("binlog.1000000")), port: 1, threads: nil,
                    instances: tree(replica2File: "binlog.999999"), says: ["db:2 (reading binlog.999999)"]),
        RefusalCase(name: "purge while a replica's file is unknown", request: .purgeBinaryLogs(to: BinlogFileName("binlog.1000000")),
                    port: 1, threads: nil, instances: tree(replica2File: ""), says: ["db:2 (reading unknown)"]),
        RefusalCase(name: "flush-binary-logs without log_bin", request: .command(.flushBinaryLogs), port: 1, threads: nil,
                    instances: { var i = Fixture.tree(); i[0].logBinEnabled = false; return i }(), says: ["binary logging is off"]),
    ]

    @Test(arguments: refusalCases)
    func refusals(_ c: RefusalCase) {
        switch Self.plan(c.request, on: c.port, threads: c.threads, instances: c.instances) {
        case .success(let plan):
            Issue.record("planned \(plan.steps) instead of refusing")
        case .failure(let refusal):
            #expect(refusal.kind == c.kind)
            for words in c.says { #expect(refusal.message.contains(words), "\(refusal.message) lacks \(words)") }
        }
    }

    @Test func setWriteableOnAReplicaOfAnUnreachableMasterIsAllowed() {
        let result = Self.plan(.command(.setWriteable), on: 2, threads: Self.running, instances: Self.masterUnreachable)
        #expect((try? result.get())?.steps == [.setReadOnly(false)])
    }

    @Test func purgeIsAllowedOnceEveryReplicaReadsTheFileOrANewerOne() {
        // Text order would refuse this (it sorts "binlog.1000000" before "binlog.999999").
        let result = Self.plan(.purgeBinaryLogs(to: BinlogFileName("binlog.999999")), on: 1, threads: nil,
                               instances: Self.tree(replica2File: "binlog.1000000", replica3File: "binlog.999999"))
        #expect((try? result.get())?.steps == [.purgeBinaryLogs(to: BinlogFileName("binlog.999999"))])
    }

    @Test func forcedPurgeIgnoresReplicasBehind() {
        let result = Self.plan(.purgeBinaryLogs(to: BinlogFileName("binlog.1000001")), on: 1, threads: nil,
                               instances: Self.tree(replica2File: "binlog.000001"), force: true)
        #expect((try? result.get())?.steps == [.purgeBinaryLogs(to: BinlogFileName("binlog.1000001"))])
    }
}
