import OrchestratorCore
import Testing

/// `drill`: when a failover drill may run, and what it switches.
@Suite("Drill planner: refusals and switches")
struct DrillPlannerTests {
    static let block: Int64 = 3600

    private func plan(_ instances: [Instance] = Fixture.tree(), target: InstanceKey? = nil, state: IntentState = IntentState(),
                      credentials: ReplicationCredentialsSource = .configured) -> DrillPlan {
        var settings = PromotionSettings()
        settings.replicationCredentials = credentials
        let analyses = ReplicationAnalyzer.analyze(Fixture.snapshot(instances, state: state), now: Fixture.now)
        let master = instances.first { $0.key == Fixture.key(1) }
        return DrillPlanner.plan(clusterName: "db:1", clusterAlias: "shop", members: instances, master: master,
                                 target: target, analyses: analyses, operatorState: state,
                                 recoveryPeriodBlockSeconds: Self.block, now: Fixture.now, settings: settings)
    }

    private func recovery(startedAgo: Int64, acked: Bool = false, active: Bool = false) -> TopologyRecovery {
        var entry = ReplicationAnalysis(analyzedInstanceKey: Fixture.key(1),
                                        clusterDetails: ClusterInfo(clusterName: "db:1", clusterAlias: "shop", countInstances: 5, heuristicLag: 0,
                                                                    hasAutomatedMasterRecovery: true,
                                                                    hasAutomatedIntermediateMasterRecovery: true))
        entry.analysis = .deadMaster
        var r = TopologyRecovery(id: 1, uid: "r-1", analysisEntry: entry, type: "MasterRecovery",
                                 start: Fixture.now.adding(seconds: -startedAgo))
        if !active { r.resolve(successor: Fixture.key(2), successful: true, at: r.recoveryStartTimestamp.adding(seconds: 2)) }
        if acked { r.acknowledge(by: "ops", comment: "ok", at: Fixture.now) }
        return r
    }

    private func state(_ change: (inout IntentState) -> Void) -> IntentState {
        var s = IntentState()
        change(&s)
        return s
    }

    @Test("a healthy cluster: a takeover to the best replica and back to the master")
    func roundTripOnAHealthyCluster() throws {
        let p = plan()
        #expect(p.isExecutable, "\(p.refusals)")
        #expect(p.refusals.isEmpty)
        #expect(p.switches.count == 2)
        let first = try #require(p.switches.first)
        #expect(first.from == Fixture.key(1))
        #expect([Fixture.key(2), Fixture.key(3)].contains(first.to))
        #expect(p.switches.last == DrillPlan.Switch(from: first.to, to: Fixture.key(1)))
        #expect(p.explain.contains("\(Fixture.key(1)) -> \(first.to)"), "\(p.explain)")
        #expect(p.takeover?.successor == first.to)
    }

    @Test("with -d the drill switches to the target only")
    func targetOnly() {
        let p = plan(target: Fixture.key(2))
        #expect(p.isExecutable, "\(p.refusals)")
        #expect(p.switches == [DrillPlan.Switch(from: Fixture.key(1), to: Fixture.key(2))])
        #expect(!p.roundTrip)
    }

    @Test("a -d that is not a direct replica of the master is refused with the takeover's reason")
    func targetMustBeADirectReplica() {
        let p = plan(target: Fixture.key(4))
        #expect(!p.isExecutable && p.switches.isEmpty)
        #expect(p.refusals.joined().contains("must be directly replicating from the master"), "\(p.refusals)")
    }

    @Test("a cluster with a problem is refused, naming the problem")
    func problemRefuses() {
        let broken = Fixture.tree().replacing(2) { $0.stopped() }.replacing(3) { $0.stopped() }
        let p = plan(broken)
        #expect(!p.isExecutable && p.switches.isEmpty)
        #expect(p.refusals.contains { $0.hasPrefix("cluster has a problem: AllMasterReplicasNotReplicating on \(Fixture.key(1))") },
                "\(p.refusals)")
        // One stopped replica is no problem to the analysis, but the drill still refuses it.
        let one = plan(Fixture.tree().replacing(4) { $0.stopped() })
        #expect(one.refusals.contains("\(Fixture.key(4)) is not replicating"), "\(one.refusals)")
        let gone = plan(Fixture.tree().replacing(5) { $0.unreachable() })
        #expect(gone.refusals.contains { $0.contains("\(Fixture.key(5))") }, "\(gone.refusals)")
    }

    @Test("a downtimed server refuses the drill")
    func downtimeRefuses() {
        let s = state {
            _ = $0.apply(.beginDowntime(Downtime(key: Fixture.key(3), owner: "alice", reason: "upgrade", begin: Fixture.now,
                                                 end: Fixture.now.adding(seconds: 600))))
        }
        let p = plan(state: s)
        #expect(!p.isExecutable && p.switches.isEmpty)
        #expect(p.refusals.contains { $0.contains("\(Fixture.key(3)) is downtimed by alice (upgrade)") }, "\(p.refusals)")
        // An expired downtime does not.
        let expired = state {
            _ = $0.apply(.beginDowntime(Downtime(key: Fixture.key(3), owner: "alice", reason: "upgrade",
                                                 begin: Fixture.now.adding(seconds: -600), end: Fixture.now.adding(seconds: -1))))
        }
        #expect(plan(state: expired).isExecutable)
    }

    @Test("disabled recoveries, a running recovery and an unacknowledged recent recovery refuse the drill")
    func recoveryStateRefuses() {
        let disabled = plan(state: state { _ = $0.apply(.setGlobalRecoveriesDisabled(true)) })
        #expect(disabled.refusals.contains { $0.contains("recoveries are disabled") }, "\(disabled.refusals)")

        let running = plan(state: state { $0.recoveries = [recovery(startedAgo: 5, active: true)] })
        #expect(running.refusals.contains { $0.contains("recovery r-1 of the cluster is still running") }, "\(running.refusals)")

        let blocked = plan(state: state { $0.recoveries = [recovery(startedAgo: 600)] })
        #expect(blocked.refusals.contains { $0.contains("block period") && $0.contains("ack-cluster-recoveries") },
                "\(blocked.refusals)")
        for p in [disabled, running, blocked] { #expect(!p.isExecutable && p.switches.isEmpty) }

        #expect(plan(state: state { $0.recoveries = [recovery(startedAgo: 600, acked: true)] }).isExecutable)
        #expect(plan(state: state { $0.recoveries = [recovery(startedAgo: Self.block + 1)] }).isExecutable)
    }

    @Test("no suitable replica: none at all, or no replication credentials for the takeover")
    func noSuitableReplica() {
        let alone = plan([Fixture.master(1)])
        #expect(alone.refusals.contains { $0.contains("has no replica to switch to") }, "\(alone.refusals)")
        let noCredentials = plan(credentials: .none)
        #expect(!noCredentials.isExecutable)
        #expect(noCredentials.refusals.contains { $0.hasPrefix("no suitable replica:") && $0.contains("MySQLReplicationUser") },
                "\(noCredentials.refusals)")
    }

    @Test("a read-only master, or one registered must_not for the way back, refuses")
    func masterStateRefuses() {
        let readOnly = plan(Fixture.tree().replacing(1) { var m = $0; m.readOnly = true; return m })
        #expect(readOnly.refusals.contains { $0.contains("is read-only") }, "\(readOnly.refusals)")
        let mustNot = plan(Fixture.tree().replacing(1) { var m = $0; m.promotionRule = .mustNot; return m })
        #expect(mustNot.refusals.contains { $0.contains("must_not") && $0.contains("-d") }, "\(mustNot.refusals)")
        // One way to a replica is still allowed.
        #expect(plan(Fixture.tree().replacing(1) { var m = $0; m.promotionRule = .mustNot; return m }, target: Fixture.key(2))
            .isExecutable)
    }

    @Test("write unavailability is the longest gap between acknowledged writes around the switch")
    func writeUnavailability() {
        let acks: [Double] = [0, 20, 40, 60, 400, 420, 440, 1000]
        #expect(DrillReport.writeUnavailability(acks: acks, start: 50, end: 390) == 340)
        #expect(DrillReport.writeUnavailability(acks: [0, 20, 40], start: 50, end: 100) == nil, "never resumed")
        // A gap that starts after the window ends is not this switch's.
        #expect(DrillReport.writeUnavailability(acks: acks, start: 50, end: 430) == 340)
        #expect(DrillReport.writeUnavailability(acks: acks, start: 430, end: 450) == 560)
    }

    @Test("the report passes only when every switch succeeded and every invariant held")
    func reportVerdict() {
        let ok = DrillReport.SwitchResult(from: Fixture.key(1), to: Fixture.key(2), succeeded: true, recoveryUID: "u",
                                          durationMillis: 900, writeUnavailableMillis: 300, catchUpMillis: 12,
                                          hooks: ["PreGracefulTakeoverProcesses: echo (ok)"], errors: [])
        var report = DrillReport(drillID: "d", clusterName: "db:1", switches: [ok],
                                 probe: .init(enabled: true, attempts: 60, acknowledged: 50),
                                 invariants: [.init("one writable master", held: true, "writable: db:2")], finalMaster: Fixture.key(2))
        #expect(report.passed)
        #expect(report.text.contains("PASS") && report.text.contains("writes unavailable 300 ms"), "\(report.text)")
        report.invariants.append(.init("no acknowledged probe write lost", held: false, "1 missing"))
        #expect(!report.passed)
        #expect(report.text.contains("[BROKEN] no acknowledged probe write lost"))
        #expect(!DrillReport(drillID: "d", clusterName: "c", switches: [], probe: .init(enabled: false), invariants: [],
                             finalMaster: nil).passed, "a drill that switched nothing did not pass")
    }
}
