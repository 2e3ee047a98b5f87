import OrchestratorCore
import Testing

/// MariaDB's purged-binlog rule where recovery picks a server to replicate from: the new parent of a
/// dead intermediate master's replica, and the donor that catches a failover's successor up.
@Suite("Recovery planner: purged binary logs of new parents and donors")
struct PlannerPurgedBinlogParentTests {
    // MARK: - Dead intermediate master

    /// Master 1 with replicas 2 (sibling) and 3 (the dead intermediate master); 3 had replicas 4
    /// (at 0-1-98) and 5 (at 0-1-99).
    private func relocation(masterUp: Bool, masterStart: String, siblingStart: String) -> RecoveryPlan {
        let master = Fixture.master(1).with { $0.oldestBinlogGTIDPosition = masterStart }
        // In another data center than db:3: the master comes before it as a new parent.
        let sibling = Fixture.replica(2, of: 1).with { $0.oldestBinlogGTIDPosition = siblingStart; $0.dataCenter = "dc2" }
        let im = Fixture.replica(3, of: 1).unreachable()
        let replicas = [Fixture.replica(4, of: 3, depth: 2, seq: 98).failingToConnect(),
                        Fixture.replica(5, of: 3, depth: 2, seq: 99).failingToConnect()]
        return RecoveryPlanner.planIntermediateMasterRecovery(
            failed: im, replicas: replicas, master: masterUp ? master : master.unreachable(), siblings: [sibling, im],
            operatorState: IntentState(), now: Fixture.now, settings: PromotionSettings())
    }

    struct RelocationCase: Sendable, CustomTestStringConvertible {
        var masterUp: Bool, masterStart: String, siblingStart: String
        /// The new parent of db:4 and db:5 (nil: lost), and the plan's "new parent".
        var parentOf4: Int?, parentOf5: Int?, successor: Int
        var testDescription: String { "master \(masterUp ? "up" : "down") from \(masterStart), sibling from \(siblingStart)" }
    }

    static let relocationCases: [RelocationCase] = [
        .init(masterUp: true, masterStart: "", siblingStart: "", parentOf4: 1, parentOf5: 1, successor: 1),
        .init(masterUp: true, masterStart: "0-1-98", siblingStart: "0-1-99", parentOf4: 1, parentOf5: 1, successor: 1),
        .init(masterUp: true, masterStart: "0-1-99", siblingStart: "", parentOf4: 2, parentOf5: 1, successor: 1),
        .init(masterUp: true, masterStart: "0-1-100", siblingStart: "0-1-50", parentOf4: 2, parentOf5: 2, successor: 2),
        .init(masterUp: true, masterStart: "0-1-99", siblingStart: "0-1-99", parentOf4: nil, parentOf5: 1, successor: 1),
        .init(masterUp: true, masterStart: "0-1-100", siblingStart: "0-1-100", parentOf4: nil, parentOf5: nil, successor: 1),
        .init(masterUp: false, masterStart: "", siblingStart: "0-1-99", parentOf4: nil, parentOf5: 2, successor: 2),
        .init(masterUp: false, masterStart: "", siblingStart: "", parentOf4: 2, parentOf5: 2, successor: 2),
    ]

    @Test(arguments: relocationCases)
    func deadIntermediateMasterReplicasGoWhereTheirBinlogsAre(_ c: RelocationCase) {
        let plan = relocation(masterUp: c.masterUp, masterStart: c.masterStart, siblingStart: c.siblingStart)
        #expect(plan.isExecutable)
        #expect(plan.successor == Fixture.key(c.successor))
        for (port, parent) in [(4, c.parentOf4), (5, c.parentOf5)] {
            let verdict = plan.verdict(for: Fixture.key(port))
            if let parent {
                #expect(verdict?.role == .repointed, "db:\(port)")
                #expect(plan.steps.contains(.repoint(Fixture.key(port), to: Fixture.key(parent), start: true)), "db:\(port)")
                #expect(!plan.lostReplicas.contains(Fixture.key(port)), "db:\(port)")
            } else {
                #expect(verdict?.role == .lost, "db:\(port)")
                #expect(verdict?.reasons.first?.hasPrefix("lost: db:\(c.successor) has purged binary logs it needs") == true, "db:\(port)")
                #expect(!plan.steps.contains { if case .repoint(Fixture.key(port), _, _) = $0 { return true }; return false }, "db:\(port)")
                #expect(plan.steps.contains(.downtime(Fixture.key(port), reason: "lost-in-recovery", seconds: 3600)), "db:\(port)")
                #expect(plan.lostReplicas.contains(Fixture.key(port)), "db:\(port)")
            }
        }
    }

    @Test func theReasonsNameTheParentPassedOver() throws {
        let moved = try #require(relocation(masterUp: true, masterStart: "0-1-99", siblingStart: "").verdict(for: Fixture.key(4)))
        #expect(moved.reasons == ["new parent: sibling db:2 in data center \"dc2\"",
                                  "not moved under db:1: db:1 has purged binary logs db:4 needs (GTID domain 0: db:4 is at 0-1-98, "
                                    + "the oldest binary log on db:1 starts after 0-1-99)"])
        let lost = try #require(relocation(masterUp: true, masterStart: "0-1-99", siblingStart: "0-1-99").verdict(for: Fixture.key(4)))
        #expect(lost.reasons == ["lost: db:1 has purged binary logs it needs (GTID domain 0: it is at 0-1-98, "
                                    + "the oldest binary log on db:1 starts after 0-1-99); re-clone it",
                                 "not moved under db:2: db:2 has purged binary logs db:4 needs (GTID domain 0: db:4 is at 0-1-98, "
                                    + "the oldest binary log on db:2 starts after 0-1-99)"])
    }

    @Test func aReplicaAheadOfEveryParentIsLostWithTheReasonNotBroken() throws {
        // Master down; the only sibling, db:2, has binlogged up to 0-1-98: db:4 (at 98) can go under
        // it, db:5 (at 99, one event it got through the dead db:3) cannot: MariaDB would refuse it.
        let sibling = Fixture.replica(2, of: 1, seq: 98)
        let im = Fixture.replica(3, of: 1).unreachable()
        let replicas = [Fixture.replica(4, of: 3, depth: 2, seq: 98).failingToConnect(),
                        Fixture.replica(5, of: 3, depth: 2, seq: 99).failingToConnect()]
        let plan = RecoveryPlanner.planIntermediateMasterRecovery(
            failed: im, replicas: replicas, master: Fixture.master(1).unreachable(), siblings: [sibling, im],
            operatorState: IntentState(), now: Fixture.now, settings: PromotionSettings())
        #expect(plan.isExecutable)
        #expect(plan.steps.contains(.repoint(Fixture.key(4), to: Fixture.key(2), start: true)))
        #expect(!plan.steps.contains { if case .repoint(Fixture.key(5), _, _) = $0 { return true }; return false })
        #expect(plan.lostReplicas == [Fixture.key(5)])
        let lost = try #require(plan.verdict(for: Fixture.key(5)))
        #expect(lost.role == .lost)
        #expect(lost.reasons.first == "lost: db:5 is ahead of db:2 in GTID domain 0 (db:5 at 0-1-99, db:2 has binlogged up to 0-1-98); "
                + "no new parent has what it has")

        // With the master up (it has everything its replicas have), both go under it.
        let up = RecoveryPlanner.planIntermediateMasterRecovery(
            failed: im, replicas: replicas, master: Fixture.master(1), siblings: [sibling, im],
            operatorState: IntentState(), now: Fixture.now, settings: PromotionSettings())
        #expect(up.lostReplicas.isEmpty)
        #expect(up.steps.contains(.repoint(Fixture.key(5), to: Fixture.key(1), start: true)))
    }

    // MARK: - Donor catch-up in master failover

    /// Dead master 1; db:2 (0-1-100) and db:3 (0-1-99) are `must_not`, so db:4 (0-1-95) is promoted
    /// and catches up from the most advanced donor that still has the binary logs it needs.
    private func failover(start2: String, start3: String) -> RecoveryPlan {
        let replicas = [Fixture.replica(2, of: 1, seq: 100).with { $0.promotionRule = .mustNot; $0.oldestBinlogGTIDPosition = start2 },
                        Fixture.replica(3, of: 1, seq: 99).with { $0.promotionRule = .mustNot; $0.oldestBinlogGTIDPosition = start3 },
                        Fixture.replica(4, of: 1, seq: 95)]
        return RecoveryPlanner.planMasterFailover(failed: Fixture.master(1).unreachable(), replicas: replicas,
                                                  operatorState: IntentState(), now: Fixture.now, settings: PromotionSettings())
    }

    struct DonorCase: Sendable, CustomTestStringConvertible {
        var start2: String, start3: String
        /// The donor (nil: none), the expected loss, and the replicas lost.
        var donor: Int?, lostTransactions: String, lost: [Int]
        var testDescription: String { "db:2 from \(start2), db:3 from \(start3)" }
    }

    static let donorCases: [DonorCase] = [
        .init(start2: "", start3: "", donor: 2, lostTransactions: "", lost: []),
        .init(start2: "0-1-95", start3: "0-1-96", donor: 2, lostTransactions: "", lost: []),
        .init(start2: "0-1-96", start3: "", donor: 3, lostTransactions: "0-1-100", lost: [2]),
        .init(start2: "0-1-96", start3: "0-1-96", donor: nil, lostTransactions: "0-1-100", lost: [2, 3]),
    ]

    @Test(arguments: donorCases)
    func aDonorThatPurgedWhatTheSuccessorNeedsIsPassedOver(_ c: DonorCase) throws {
        let plan = failover(start2: c.start2, start3: c.start3)
        #expect(plan.successor == Fixture.key(4))
        let catchUps = plan.steps.compactMap { step -> InstanceKey? in
            if case .catchUp(Fixture.key(4), let from, _) = step { return from }
            return nil
        }
        #expect(catchUps == (c.donor.map { [Fixture.key($0)] } ?? []))
        if let donor = c.donor {
            #expect(plan.verdict(for: Fixture.key(donor))?.role == .donor)
            #expect(plan.steps.contains(.catchUp(Fixture.key(4), from: Fixture.key(donor), upTo: .gtid("0-1-\(102 - donor)"))))
        }
        #expect(plan.lostTransactions == c.lostTransactions)
        #expect(plan.lostReplicas == c.lost.map { Fixture.key($0) })
        #expect(plan.warnings.contains { $0.contains("0-1-100") } == !c.lostTransactions.isEmpty)
        let winner = try #require(plan.verdict(for: Fixture.key(4)))
        for port in [2, 3] where c.lost.contains(port) {
            let why = "db:\(port) has purged binary logs db:4 needs (GTID domain 0: db:4 is at 0-1-95, "
                + "the oldest binary log on db:\(port) starts after 0-1-96)"
            #expect(plan.verdict(for: Fixture.key(port))?.reasons.contains("cannot serve as donor: \(why)") == true, "db:\(port)")
            #expect(winner.reasons.contains("not caught up from db:\(port): \(why)"), "db:\(port)")
        }
        if c.donor == nil {
            #expect(winner.reasons.first == "best promotable replica, but lacks 0-1-100 and no donor can catch it up")
        }
    }
}
