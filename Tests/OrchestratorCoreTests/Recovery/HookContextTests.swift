import OrchestratorCore
import Testing

@Suite("Recovery: hook placeholders and ORC_ environment")
struct HookContextTests {
    private func recovery(successful: Bool) -> TopologyRecovery {
        let dead = Fixture.tree().replacing(1) { $0.unreachable() }
            .replacing(2) { $0.failingToConnect() }.replacing(3) { $0.failingToConnect() }
        let entry = ReplicationAnalyzer.analyze(Fixture.snapshot(dead), now: Fixture.now).first!
        var r = TopologyRecovery(id: 7, uid: "uid-7", analysisEntry: entry, type: "MasterRecovery", start: Fixture.now)
        r.lostReplicas = [Fixture.key(3)]
        if successful { r.resolve(successor: Fixture.key(2), successful: true, at: Fixture.now) }
        return r
    }

    @Test func placeholdersExpand() {
        let context = HookContext(recovery: recovery(successful: true), orchestratorHost: "orc1",
                                  successorBinlogCoordinates: BinlogCoordinates(logFile: "bin.000002", logPos: 345))
        let text = context.expand("/hooks/post {failureType} {failedHost}:{failedPort} -> {successorHost}:{successorPort} "
                                  + "{failureCluster} lost={lostReplicas}/{countLostReplicas} {lostSlaves} {successorBinlogCoordinates} ${HOME} {nope}")
        #expect(text == "/hooks/post DeadMaster db:1 -> db:2 db:1 lost=db:3/1 db:3 bin.000002:345 ${HOME} {nope}")
        #expect(context.placeholders["instanceType"] == "master")
        #expect(context.placeholders["isSuccessful"] == "true")
    }

    @Test func environmentCarriesUpstreamNames() {
        let env = Dictionary(uniqueKeysWithValues: HookContext(recovery: recovery(successful: true), command: "force-master-failover",
                                                               orchestratorHost: "orc1").environment)
        #expect(env["ORC_FAILURE_TYPE"] == "DeadMaster")
        #expect(env["ORC_FAILED_HOST"] == "db" && env["ORC_FAILED_PORT"] == "1")
        #expect(env["ORC_SUCCESSOR_HOST"] == "db" && env["ORC_SUCCESSOR_PORT"] == "2")
        #expect(env["ORC_COMMAND"] == "force-master-failover")
        #expect(env["ORC_REPLICA_HOSTS"] == "db:2,db:3")
        #expect(env["ORC_SUCCESSOR_BINLOG_COORDINATES"] == nil)
    }

    @Test func unsuccessfulRecoveryHasNoSuccessorValues() {
        let context = HookContext(recovery: recovery(successful: false), orchestratorHost: "orc1")
        #expect(context.placeholders["successorHost"] == nil)
        #expect(context.expand("{successorHost}") == "{successorHost}")
        #expect(context.placeholders["isSuccessful"] == "false")
    }
}
