import OrchestratorCore
import Testing

@Suite("Recovery planner: candidate ranking, reasons, steps")
struct PlannerTests {
    static let u1 = "00000000-0000-0000-0000-000000000001"
    static let u2 = "00000000-0000-0000-0000-000000000002"

    private func failover(_ replicas: [Instance], state: IntentState = IntentState(),
                          settings: PromotionSettings = PromotionSettings(), master: Instance = Fixture.master(1).unreachable()) -> RecoveryPlan {
        RecoveryPlanner.planMasterFailover(failed: master, replicas: replicas, operatorState: state, now: Fixture.now, settings: settings)
    }

    private func candidate(_ port: Int, _ rule: PromotionRule) -> IntentState {
        var state = IntentState()
        state.apply(.registerCandidate(CandidateRegistration(key: Fixture.key(port), promotionRule: rule,
                                                             registeredAt: Fixture.now, until: Fixture.now.adding(seconds: 3600))))
        return state
    }

    private func mysql(_ port: Int, _ executed: String, errant: String = "") -> Instance {
        Fixture.replica(port, of: 1).with {
            $0.flavorName = "MySQL"; $0.version = "8.0.36"; $0.usingMariaDBGTID = false; $0.usingOracleGTID = true
            $0.gtidSlavePos = ""; $0.gtidCurrentPos = ""; $0.gtidBinlogPos = ""
            $0.executedGtidSet = executed; $0.gtidErrant = errant
        }
    }

    @Test func mostAdvancedWinsAndOthersAreRepointed() throws {
        let plan = failover([Fixture.replica(2, of: 1, seq: 99), Fixture.replica(3, of: 1, seq: 100), Fixture.replica(4, of: 1, seq: 98)])
        #expect(plan.isExecutable)
        #expect(plan.successor == Fixture.key(3))
        #expect(plan.basis == "MariaDB GTID")
        #expect(plan.lostTransactions.isEmpty && plan.lostReplicas.isEmpty)
        #expect(plan.verdicts.map(\.key) == [Fixture.key(3), Fixture.key(2), Fixture.key(4)])
        #expect(plan.verdict(for: Fixture.key(2))?.role == .repointed)
        #expect(plan.verdict(for: Fixture.key(4))?.missingTransactions == "0-1-100")
        #expect(plan.steps == [
            .stopReplication([Fixture.key(2), Fixture.key(3), Fixture.key(4)]),
            .waitUntilApplied(Fixture.key(3), upTo: .relayLogEnd),
            .promote(Fixture.key(3), setWritable: true),
            .repoint(Fixture.key(2), to: Fixture.key(3), start: true),
            .repoint(Fixture.key(4), to: Fixture.key(3), start: true),
            .fenceOldMaster(Fixture.key(1)),
            .downtime(Fixture.key(1), reason: "lost-in-recovery", seconds: 365 * 24 * 3600),
        ])
    }

    @Test func preferCandidateWinsAtEqualPosition() {
        let plan = failover([Fixture.replica(2, of: 1), Fixture.replica(3, of: 1)], state: candidate(3, .prefer))
        #expect(plan.successor == Fixture.key(3))
        #expect(plan.verdict(for: Fixture.key(2))?.reasons.contains { $0.contains("promotion rule neutral ranks below") } == true)
    }

    @Test func preferNotLosesToNeutral() {
        let plan = failover([Fixture.replica(2, of: 1), Fixture.replica(3, of: 1)], state: candidate(2, .preferNot))
        #expect(plan.successor == Fixture.key(3))
    }

    /// A `prefer` candidate that lags is promoted once it has caught up from the more advanced replica
    /// (upstream promotes the most advanced, moves the preferred one under it and swaps them).
    @Test func laggingPreferCandidateCatchesUpAndWins() {
        let lagging = Fixture.replica(2, of: 1, seq: 90).with {
            $0.secondsBehindMaster = 300
            $0.execBinlogCoordinates = BinlogCoordinates(logFile: "bin.000001", logPos: 400)
        }
        let caughtUp = Fixture.replica(3, of: 1, seq: 100)
        let plan = failover([lagging, caughtUp], state: candidate(2, .prefer))
        #expect(plan.successor == Fixture.key(2))
        #expect(plan.lostTransactions.isEmpty && plan.lostReplicas.isEmpty)
        #expect(plan.verdict(for: Fixture.key(2))?.reasons.first?.contains("promotion rule prefer: chosen over the more advanced db:3") == true)
        let donor = plan.verdict(for: Fixture.key(3))
        #expect(donor?.role == .donor)
        #expect(donor?.reasons.contains { $0.contains("more advanced than db:2, whose promotion rule prefer wins") } == true)
        let catchUp = plan.steps.firstIndex(of: .catchUp(Fixture.key(2), from: Fixture.key(3), upTo: .gtid("0-1-100")))
        let promote = plan.steps.firstIndex(of: .promote(Fixture.key(2), setWritable: true))
        #expect(catchUp != nil && promote != nil && catchUp! < promote!)
        #expect(plan.steps.contains(.repoint(Fixture.key(3), to: Fixture.key(2), start: true)))
    }

    /// Upstream #1260: a lagging MariaDB replica must not win over a caught-up one when nothing can
    /// catch it up: preference never costs data.
    @Test func laggingPreferCandidateWithoutADonorLosesToTheCaughtUpOne() {
        let lagging = Fixture.replica(2, of: 1, seq: 90).with { $0.secondsBehindMaster = 300 }
        // db:3 is the most advanced but purged the binary logs db:2 would need: it cannot catch it up.
        let caughtUp = Fixture.replica(3, of: 1, seq: 100).with { $0.oldestBinlogGTIDPosition = "0-1-95" }
        let plan = failover([lagging, caughtUp], state: candidate(2, .prefer))
        #expect(plan.successor == Fixture.key(3))
        #expect(plan.lostTransactions.isEmpty)
        #expect(!plan.steps.contains { if case .catchUp = $0 { return true }; return false })
        #expect(plan.verdict(for: Fixture.key(3))?.reasons.first?.contains("most advanced position") == true)
    }

    @Test("a must_not donor's explanation says how orchd differs from upstream, which would lose it")
    func mustNotDonorExplainsTheDifferenceFromUpstream() {
        let plan = failover([Fixture.replica(2, of: 1, seq: 100), Fixture.replica(3, of: 1, seq: 95)], state: candidate(2, .mustNot))
        #expect(plan.explain.contains("upstream orchestrator would count it as ahead of the successor and lose it"))
    }

    @Test func mustNotIsNeverPromotedAndServesAsDonor() {
        let plan = failover([Fixture.replica(2, of: 1, seq: 100), Fixture.replica(3, of: 1, seq: 95)], state: candidate(2, .mustNot))
        #expect(plan.successor == Fixture.key(3))
        let donor = plan.verdict(for: Fixture.key(2))
        #expect(donor?.role == .donor && donor?.promotable == false)
        #expect(donor?.reasons.contains("not promotable: promotion rule is must_not") == true)
        #expect(plan.lostTransactions.isEmpty)
        #expect(plan.steps.contains(.catchUp(Fixture.key(3), from: Fixture.key(2), upTo: .gtid("0-1-100"))))
        let catchUp = plan.steps.firstIndex(of: .catchUp(Fixture.key(3), from: Fixture.key(2), upTo: .gtid("0-1-100")))!
        let promote = plan.steps.firstIndex(of: .promote(Fixture.key(3), setWritable: true))!
        #expect(catchUp < promote)
    }

    @Test func lostTransactionsReportedWhenNoDonorCanServe() {
        // The most advanced replica has no log_slave_updates: it cannot be promoted nor serve as donor.
        let ahead = Fixture.replica(2, of: 1, seq: 100).with { $0.logReplicationUpdatesEnabled = false }
        let plan = failover([ahead, Fixture.replica(3, of: 1, seq: 97)])
        #expect(plan.successor == Fixture.key(3))
        #expect(plan.lostTransactions == "0-1-100")
        #expect(plan.lostReplicas == [Fixture.key(2)])
        #expect(plan.verdict(for: Fixture.key(2))?.reasons.contains { $0.contains("log_slave_updates is off") } == true)
        #expect(plan.steps.contains(.detach(Fixture.key(2))))
        #expect(plan.steps.contains(.downtime(Fixture.key(2), reason: "lost-in-recovery", seconds: 3600)))
        #expect(plan.warnings.contains { $0.contains("0-1-100") })
    }

    @Test func errantGTIDLosesAtEqualPositionAndIsReported() {
        let errant = mysql(2, "\(Self.u1):1-100,\(Self.u2):1-3", errant: "\(Self.u2):1-3")
        let clean = mysql(3, "\(Self.u1):1-100")
        let plan = failover([errant, clean], state: candidate(2, .prefer))
        #expect(plan.basis == "MySQL GTID")
        #expect(plan.successor == Fixture.key(3))
        let v = plan.verdict(for: Fixture.key(2))
        #expect(v?.errantGTIDs == "\(Self.u2):1-3")
        #expect(v?.reasons.contains { $0.contains("errant GTIDs") } == true)
        #expect(v?.role == .repointed)
        #expect(plan.lostTransactions.isEmpty)
    }

    @Test func mysqlLostTransactionsAreTheSetDifference() {
        let ahead = mysql(2, "\(Self.u1):1-110").with { $0.logBinEnabled = false }
        let plan = failover([ahead, mysql(3, "\(Self.u1):1-100")])
        #expect(plan.successor == Fixture.key(3))
        #expect(plan.lostTransactions == "\(Self.u1):101-110")
        #expect(plan.verdict(for: Fixture.key(3))?.missingTransactions == "\(Self.u1):101-110")
    }

    @Test func missingLogSlaveUpdatesLoses() {
        let plan = failover([Fixture.replica(2, of: 1).with { $0.logReplicationUpdatesEnabled = false }, Fixture.replica(3, of: 1)])
        #expect(plan.successor == Fixture.key(3))
        #expect(plan.verdict(for: Fixture.key(2))?.promotable == false)
    }

    @Test func exclusionsHostnameDataCenterVersionLag() {
        var settings = PromotionSettings()
        settings.promotionIgnoreHostnameFilters = ["^backup"]
        settings.preventCrossDataCenterMasterFailover = true
        settings.failMasterPromotionOnLagMinutes = 1
        let master = Fixture.master(1).unreachable().with { $0.dataCenter = "dc1" }
        let backup = Fixture.replica(2, of: 1).with { $0.key = InstanceKey(hostname: "backup1", port: 2); $0.dataCenter = "dc1" }
        let remote = Fixture.replica(3, of: 1).with { $0.dataCenter = "dc2" }
        let newer = Fixture.replica(4, of: 1).with { $0.dataCenter = "dc1"; $0.version = "11.4.2-MariaDB-log" }
        let lagging = Fixture.replica(5, of: 1).with { $0.dataCenter = "dc1"; $0.secondsBehindMaster = 120; $0.replicationLagSeconds = 120 }
        let good = Fixture.replica(6, of: 1, seq: 99).with { $0.dataCenter = "dc1" }
        let plan = failover([backup, remote, newer, lagging, good], settings: settings, master: master)
        #expect(plan.successor == Fixture.key(6))
        func reasons(_ key: InstanceKey) -> String { plan.verdict(for: key)?.reasons.joined(separator: "|") ?? "" }
        #expect(reasons(backup.key).contains("PromotionIgnoreHostnameFilters"))
        #expect(reasons(remote.key).contains("PreventCrossDataCenterMasterFailover"))
        #expect(reasons(newer.key).contains("version 11.4 is newer"))
        #expect(reasons(lagging.key).contains("FailMasterPromotionOnLagMinutes"))
        // The excluded ones are ahead of db:6 by one transaction: db:6 catches up from one of them.
        #expect(plan.steps.contains { if case .catchUp(Fixture.key(6), _, _) = $0 { return true }; return false })
        #expect(plan.lostTransactions.isEmpty)
    }

    @Test func unreachableReplicaIsLostAndDowntimedNotDetached() {
        let plan = failover([Fixture.replica(2, of: 1).unreachable(), Fixture.replica(3, of: 1)])
        #expect(plan.successor == Fixture.key(3))
        #expect(plan.lostReplicas == [Fixture.key(2)])
        #expect(!plan.steps.contains(.detach(Fixture.key(2))))
        #expect(plan.steps.last == .downtime(Fixture.key(2), reason: "lost-in-recovery", seconds: 3600))
        #expect(plan.steps.first == .stopReplication([Fixture.key(3)]))
    }

    @Test func noPromotableReplicaMeansNoPlan() {
        let plan = failover([Fixture.replica(2, of: 1)], state: candidate(2, .mustNot))
        #expect(!plan.isExecutable && plan.successor == nil)
        #expect(plan.errors.first?.contains("no replica") == true)
        #expect(plan.explain.contains("ERROR: no replica"))
    }

    @Test func downtimedSuccessorHasItsDowntimeEnded() {
        var state = IntentState()
        state.apply(.beginDowntime(Downtime(key: Fixture.key(2), owner: "ops", reason: "x", begin: Fixture.now,
                                            end: Fixture.now.adding(seconds: 60))))
        let plan = failover([Fixture.replica(2, of: 1)], state: state)
        #expect(plan.successor == Fixture.key(2))
        #expect(plan.steps.last == .endDowntime(Fixture.key(2)))
        // The failed master is downtimed lost-in-recovery (informational: it blocks no later recovery).
        #expect(plan.steps.contains(.downtime(Fixture.key(1), reason: "lost-in-recovery", seconds: LostInRecovery.failedMasterDowntimeSeconds)))
    }

    @Test func explainNamesSuccessorStepsAndReasons() {
        let plan = failover([Fixture.replica(2, of: 1, seq: 90), Fixture.replica(3, of: 1)])
        let text = plan.explain
        #expect(text.contains("Failover of dead master db:1"))
        #expect(text.contains("Successor: db:3"))
        #expect(text.contains("promote db:3"))
        #expect(text.contains("#2 db:2 [repointed"))
        #expect(text.contains("behind db:3: lacks 0-1-100"))
    }
}

@Suite("Recovery planner: co-masters")
struct CoMasterPlannerTests {
    @Test func deadCoMasterPromotesTheOtherCoMaster() {
        // db:1 and db:2 replicate from each other; db:3 (more advanced by key order tie) replicates from db:1.
        let failed = Fixture.master(1).unreachable().with { $0.isCoMaster = true; $0.masterKey = Fixture.key(2) }
        let other = Fixture.replica(2, of: 1).with { $0.isCoMaster = true }
        let plain = Fixture.replica(3, of: 1).with { $0.key = InstanceKey(hostname: "a", port: 3) }
        let plan = RecoveryPlanner.planMasterFailover(failed: failed, replicas: [plain, other], operatorState: IntentState(),
                                                      now: Fixture.now, settings: PromotionSettings())
        #expect(plan.successor == Fixture.key(2))
        #expect(plan.verdicts.first?.reasons.first?.contains("CoMasterRecoveryMustPromoteOtherCoMaster") == true)
        #expect(plan.verdicts.map(\.rank) == [1, 2])
        var loose = PromotionSettings()
        loose.coMasterRecoveryMustPromoteOtherCoMaster = false
        let free = RecoveryPlanner.planMasterFailover(failed: failed, replicas: [plain, other], operatorState: IntentState(),
                                                      now: Fixture.now, settings: loose)
        #expect(free.successor == plain.key)
    }
}

@Suite("Recovery planner: no GTID")
struct NoGTIDPlannerTests {
    private func plain(_ port: Int, pos: Int64) -> Instance {
        Fixture.replica(port, of: 1).with {
            $0.usingMariaDBGTID = false; $0.gtidSlavePos = ""; $0.gtidCurrentPos = ""; $0.gtidBinlogPos = ""
            $0.execBinlogCoordinates = BinlogCoordinates(logFile: "bin.000001", logPos: pos)
        }
    }

    @Test func severalNonGTIDReplicasAreRefused() {
        let plan = RecoveryPlanner.planMasterFailover(failed: Fixture.master(1).unreachable(), replicas: [plain(2, pos: 10), plain(3, pos: 20)],
                                                      operatorState: IntentState(), now: Fixture.now, settings: PromotionSettings())
        #expect(!plan.isExecutable && plan.steps.isEmpty)
        #expect(plan.errors.first?.contains("GTID") == true)
    }

    @Test func singleNonGTIDReplicaCanBePromoted() {
        let plan = RecoveryPlanner.planMasterFailover(failed: Fixture.master(1).unreachable(), replicas: [plain(2, pos: 10)],
                                                      operatorState: IntentState(), now: Fixture.now, settings: PromotionSettings())
        #expect(plan.isExecutable && plan.successor == Fixture.key(2) && plan.basis == "binlog coordinates")
    }
}
