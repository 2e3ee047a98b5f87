import Foundation
import OrchestratorCore
import Testing

/// The refactoring planner on the fixture tree: master 1; 2 and 3 replicate from 1; 4 and 5 from 3.
@Suite("Refactoring planner: methods, steps and safety rules")
struct RefactorPlannerTests {
    let k = Fixture.key

    private func plan(_ command: RefactorCommand, _ instance: Int, _ target: Int? = nil, instances: [Instance] = Fixture.tree(),
                      state: IntentState = IntentState(), automated: Bool = false,
                      credentials: ReplicationCredentialsSource = .configured) -> Result<RefactorPlan, RefactorRefusal> {
        RefactorPlanner.plan(RefactorRequest(command, instance: Fixture.key(instance), target: target.map(Fixture.key),
                                             automated: automated),
                             instances: instances, operatorState: state, now: Fixture.now, replicationCredentials: credentials)
    }

    private func refusal(_ result: Result<RefactorPlan, RefactorRefusal>) -> RefactorRefusal? {
        if case .failure(let r) = result { return r }
        return nil
    }

    private func ok(_ result: Result<RefactorPlan, RefactorRefusal>, sourceLocation: SourceLocation = #_sourceLocation) throws -> RefactorPlan {
        switch result {
        case .success(let plan): return plan
        case .failure(let r):
            Issue.record("refused: \(r.reason)", sourceLocation: sourceLocation)
            throw r
        }
    }

    // MARK: - Methods and steps

    @Test func relocateToAnAncestorNeedsNoCatchUp() throws {
        let p = try ok(plan(.relocate, 4, 1))
        #expect(p.moves == [RefactorMove(instance: k(4), from: k(3), to: k(1), positioning: .mariadbSlavePos)])
        #expect(p.steps == [.stopReplication(k(4)), .changeMaster(k(4), to: k(1), positioning: .mariadbSlavePos),
                            .startReplication(k(4)), .waitUntilReplicating(k(4), from: k(1))])
    }

    @Test func relocateBelowAReplicaWaitsForItToCatchUp() throws {
        let p = try ok(plan(.relocate, 4, 2))
        #expect(p.steps == [.stopReplication(k(4)), .waitUntilCaughtUp(k(2), with: k(4)),
                            .changeMaster(k(4), to: k(2), positioning: .mariadbSlavePos),
                            .startReplication(k(4)), .waitUntilReplicating(k(4), from: k(2))])
        #expect(p.touched == [k(4), k(2), k(3)])
    }

    @Test func alreadyThereIsANoopSuccess() throws {
        let p = try ok(plan(.relocate, 4, 3))
        #expect(p.isNoop && p.steps.isEmpty)
        #expect(p.noopReason == "db:4 already replicates from db:3")
    }

    @Test func moveUpGoesToTheGrandparentAndRefusesAtTheTop() throws {
        let p = try ok(plan(.moveUp, 4))
        #expect(p.moves.map(\.to) == [k(1)])
        #expect(refusal(plan(.moveUp, 2))?.reason.contains("no level to move up") == true)
        #expect(refusal(plan(.moveUp, 1))?.reason.contains("is not a replica") == true)
    }

    @Test func moveBelowNeedsASibling() throws {
        let p = try ok(plan(.moveBelow, 4, 5))
        #expect(p.moves.map(\.to) == [k(5)])
        #expect(refusal(plan(.moveBelow, 4, 2))?.reason.contains("is not a sibling") == true)
    }

    @Test func multiReplicaCommands() throws {
        let relocated = try ok(plan(.relocateReplicas, 3, 2))
        #expect(relocated.moves.map(\.instance) == [k(4), k(5)])
        #expect(relocated.steps.suffix(2) == [.waitUntilReplicating(k(4), from: k(2)), .waitUntilReplicating(k(5), from: k(2))])
        let up = try ok(plan(.moveUpReplicas, 3))
        #expect(up.moves.map(\.to) == [k(1), k(1)])
        let siblings = try ok(plan(.takeSiblings, 4))
        #expect(siblings.moves == [RefactorMove(instance: k(5), from: k(3), to: k(4), positioning: .mariadbSlavePos)])
        // The target among the replicas stays; the others move below it.
        let gtid = try ok(plan(.moveReplicasGTID, 3, 4))
        #expect(gtid.moves.map(\.instance) == [k(5)])
        #expect(try ok(plan(.relocateReplicas, 4, 1)).noopReason == "db:4 has no replicas to move")
    }

    @Test func repointKeepsTheSameMasterAndUsesCoordinatesWithoutGTID() throws {
        let p = try ok(plan(.repoint, 4))
        #expect(p.moves == [RefactorMove(instance: k(4), from: k(3), to: k(3), positioning: .mariadbSlavePos)])
        let mysqlNoGTID = Fixture.tree().map { i in
            i.with { $0.version = "8.0.36"; $0.flavorName = "MySQL"; $0.usingMariaDBGTID = false; $0.gtidCurrentPos = ""
                $0.gtidSlavePos = ""; $0.gtidBinlogPos = ""; $0.execBinlogCoordinates = BinlogCoordinates(logFile: "bin.000007", logPos: 42) }
        }
        let coordinates = try ok(plan(.repointReplicas, 3, instances: mysqlNoGTID))
        #expect(coordinates.moves.map(\.positioning) == [.coordinates(file: "bin.000007", position: 42), .coordinates(file: "bin.000007", position: 42)])
        // Without GTID, a move to another master is refused: coordinates are not provably the same there.
        #expect(refusal(plan(.relocate, 4, 1, instances: mysqlNoGTID))?.reason.contains("GTID is not available") == true)
        var mysqlGTID = mysqlNoGTID.map { i in i.with { $0.usingOracleGTID = true; $0.gtidMode = "ON" } }
        mysqlGTID = mysqlGTID.replacing(1) { $0.with { $0.usingOracleGTID = false } }
        #expect(try ok(plan(.relocate, 4, 1, instances: mysqlGTID)).moves.first?.positioning == .mysqlAutoPosition)
    }

    @Test func takeMasterSwapsAnIntermediateMasterWithItsReplica() throws {
        let p = try ok(plan(.takeMaster, 4))
        #expect(p.moves == [RefactorMove(instance: k(4), from: k(3), to: k(1), positioning: .mariadbSlavePos),
                            RefactorMove(instance: k(3), from: k(1), to: k(4), positioning: .mariadbSlavePos)])
        #expect(p.steps.first == .stopReplication(k(3)))
        #expect(p.steps[1] == .waitUntilCaughtUp(k(4), with: k(3)))
        #expect(p.steps.last == .waitUntilReplicating(k(3), from: k(4)))
        #expect(refusal(plan(.takeMaster, 2))?.reason.contains("graceful-master-takeover") == true)
    }

    @Test func makeCoMasterPointsTheTopMasterAtTheReplicaByCurrentPos() throws {
        let p = try ok(plan(.makeCoMaster, 2))
        #expect(p.moves == [RefactorMove(instance: k(1), from: nil, to: k(2), positioning: .mariadbCurrentPos)])
        #expect(refusal(plan(.makeCoMaster, 4))?.reason.contains("only a top master can become a co-master") == true)
        let coMasters = Fixture.tree().replacing(1) { $0.with { $0.masterKey = Fixture.key(2); $0.usingMariaDBGTID = true } }
        // Upstream refuses (scripts grep its wording); the refusal names both servers.
        let again = refusal(plan(.makeCoMaster, 2, instances: coMasters))
        #expect(again?.reason.contains("instance db:2 is already co master of db:1") == true, "\(String(describing: again))")
    }

    @Test func makeCoMasterWithoutReplicationCredentialsIsRefusedNamingTheKeys() {
        let refused = refusal(plan(.makeCoMaster, 2, credentials: .none))
        let reason = refused?.reason ?? ""
        for needle in ["make-co-master", "MySQLReplicationUser", "ReplicationCredentialsQuery", "db:1", "db:2"] {
            #expect(reason.contains(needle), "\(needle) in \(reason)")
        }
        #expect((try? plan(.makeCoMaster, 2, credentials: .query("SELECT 'u', 'p'")).get()) != nil)
        // Other refactorings keep each replica's own user: no credentials needed.
        #expect((try? plan(.moveUp, 4, credentials: .none).get()) != nil)
    }

    // MARK: - Safety rules

    @Test func cyclesAreRefused() {
        let r = refusal(plan(.relocate, 3, 4))
        #expect(r?.kind == .unsafe)
        #expect(r?.reason.contains("replication cycle") == true)
        #expect(refusal(plan(.relocate, 1, 4))?.reason.contains("replication cycle") == true)
        #expect(refusal(plan(.relocate, 4, 4))?.reason.contains("cannot replicate from itself") == true)
    }

    @Test func targetNeedsBinlogsAndLogSlaveUpdates() {
        let noBinlog = Fixture.tree().replacing(2) { $0.with { $0.logBinEnabled = false } }
        #expect(refusal(plan(.relocate, 4, 2, instances: noBinlog))?.reason.contains("log_bin off") == true)
        let noLSU = Fixture.tree().replacing(2) { $0.with { $0.logReplicationUpdatesEnabled = false } }
        #expect(refusal(plan(.relocate, 4, 2, instances: noLSU))?.reason.contains("log_slave_updates off") == true)
        // A top master serves replicas from its own writes: log_slave_updates does not matter there.
        let masterNoLSU = Fixture.tree().replacing(1) { $0.with { $0.logReplicationUpdatesEnabled = false } }
        #expect((try? plan(.relocate, 4, 1, instances: masterNoLSU).get()) != nil)
    }

    @Test func aReplicaMustNotBeOlderThanItsNewMaster() {
        let newer = Fixture.tree().replacing(2) { $0.with { $0.version = "11.4.2-MariaDB-log" } }
        let r = refusal(plan(.relocate, 4, 2, instances: newer))
        #expect(r?.reason.contains("db:4 runs 10.11, older than db:2's 11.4") == true)
        #expect(refusal(plan(.relocate, 2, 4, instances: newer)) == nil)
    }

    @Test func errantGTIDsOnTheMovingInstanceAreRefused() {
        let errant = Fixture.tree().replacing(4) { $0.with { $0.gtidBinlogPos = "0-1-100,7-4-3"; $0.gtidCurrentPos = "0-1-100,7-4-3" } }
        let r = refusal(plan(.relocate, 4, 2, instances: errant))
        #expect(r?.reason.contains("errant GTIDs 7-4-3") == true)
        // A target that is merely behind in the master's own domain is not an errant case.
        let behind = Fixture.tree().replacing(2) { $0.with { $0.gtidBinlogPos = "0-1-98"; $0.gtidCurrentPos = "0-1-98"; $0.gtidSlavePos = "0-1-98" } }
        #expect(refusal(plan(.relocate, 4, 2, instances: behind)) == nil)
    }

    @Test func purgedBinlogsTheReplicaStillNeedsAreRefused() {
        let u = "00000000-0000-0000-0000-000000000001"
        let mysql = Fixture.tree().map { i in
            i.with { $0.version = "8.0.36"; $0.flavorName = "MySQL"; $0.usingMariaDBGTID = false; $0.usingOracleGTID = true
                $0.gtidMode = "ON"; $0.gtidCurrentPos = ""; $0.gtidSlavePos = ""; $0.gtidBinlogPos = ""
                $0.executedGtidSet = "\(u):1-100" }
        }
        let purged = mysql.replacing(2) { $0.with { $0.gtidPurged = "\(u):1-50" } }
            .replacing(4) { $0.with { $0.executedGtidSet = "\(u):1-40" } }
        #expect(refusal(plan(.relocate, 4, 2, instances: purged))?.reason.contains("purged binary logs holding \(u):41-50") == true)
        let fine = mysql.replacing(2) { $0.with { $0.gtidPurged = "\(u):1-30" } }
        #expect(refusal(plan(.relocate, 4, 2, instances: fine)) == nil)
    }

    @Test func unreachableOrUnknownInstancesAreRefused() {
        let down = Fixture.tree().replacing(2) { $0.unreachable() }
        let r = refusal(plan(.relocate, 4, 2, instances: down))
        #expect(r?.kind == .unreachable)
        #expect(r?.reason.contains("db:2 cannot be reached") == true)
        #expect(refusal(plan(.relocate, 4, 9))?.reason.contains("db:9 is not known to orchd: discover it first") == true)
    }

    @Test func maintenanceRefusesAndDowntimeOnlyStopsAutomation() {
        var state = IntentState()
        state.apply(.beginMaintenance(Maintenance(key: Fixture.key(2), owner: "alice", reason: "disk swap",
                                                  begin: Fixture.now, end: Fixture.now.adding(seconds: 600))))
        state.apply(.beginDowntime(Downtime(key: Fixture.key(5), owner: "bob", reason: "upgrade",
                                            begin: Fixture.now, end: Fixture.now.adding(seconds: 600))))
        let locked = refusal(plan(.relocate, 4, 2, state: state))
        #expect(locked?.kind == .locked)
        #expect(locked?.reason.contains("db:2 is under maintenance by alice (disk swap)") == true)
        #expect(refusal(plan(.relocate, 2, 1, state: state))?.kind == .locked)
        #expect(refusal(plan(.relocate, 5, 1, state: state)) == nil)
        #expect(refusal(plan(.relocate, 5, 1, state: state, automated: true))?.reason.contains("automation does not touch downtimed") == true)
        // Expired maintenance no longer holds.
        let later = RefactorPlanner.plan(RefactorRequest(.relocate, instance: Fixture.key(4), target: Fixture.key(2)),
                                         instances: Fixture.tree(), operatorState: state, now: Fixture.now.adding(seconds: 601))
        #expect((try? later.get()) != nil)
        // Multi-replica commands skip the locked replica and move the others.
        var replicaLocked = IntentState()
        replicaLocked.apply(.beginMaintenance(Maintenance(key: Fixture.key(4), owner: "alice", reason: "x",
                                                          begin: Fixture.now, end: Fixture.now.adding(seconds: 600))))
        let p = try? plan(.relocateReplicas, 3, 2, state: replicaLocked).get()
        #expect(p?.moves.map(\.instance) == [Fixture.key(5)])
        #expect(p?.skipped.first?.key == Fixture.key(4))
    }
}

@Suite("Maintenance as replicated operator intent")
struct MaintenanceStateTests {
    @Test func beginEndExpireAndSurviveEncoding() throws {
        var state = IntentState()
        let m = Maintenance(key: Fixture.key(2), owner: "alice", reason: "disk", begin: Fixture.now, end: Fixture.now.adding(seconds: 600))
        state.apply(.beginMaintenance(m))
        #expect(state.activeMaintenance(for: Fixture.key(2), at: Fixture.now) == m)
        #expect(state.activeMaintenance(for: Fixture.key(2), at: Fixture.now.adding(seconds: 600)) == nil)
        #expect(state.annotate(Fixture.replica(2, of: 1), at: Fixture.now).isUnderMaintenance)
        let data = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(IntentState.self, from: data) == state)
        let command = try JSONDecoder().decode(IntentCommand.self, from: JSONEncoder().encode(IntentCommand.beginMaintenance(m)))
        #expect(command == .beginMaintenance(m))
        state.apply(.endMaintenance(key: Fixture.key(2)))
        #expect(state.maintenances.isEmpty)
        // A state document written before maintenance existed still decodes.
        let old = try JSONDecoder().decode(IntentState.self, from: Data(#"{"discoveredKeys":[],"downtimes":[],"candidates":[],"globalRecoveriesDisabled":true,"clusterAliasOverrides":{},"nodeHTTPAddresses":{},"recoveries":[]}"#.utf8))
        #expect(old.globalRecoveriesDisabled && old.maintenances.isEmpty)
    }

    @Test func recoveryNeverPromotesAnInstanceUnderMaintenance() {
        var state = IntentState()
        state.apply(.beginMaintenance(Maintenance(key: Fixture.key(3), owner: "alice", reason: "disk",
                                                  begin: Fixture.now, end: Fixture.now.adding(seconds: 600))))
        let ranking = CandidateRanking(failed: Fixture.master(1).unreachable(),
                                       replicas: [Fixture.replica(2, of: 1, seq: 99), Fixture.replica(3, of: 1, seq: 100)],
                                       operatorState: state, now: Fixture.now, settings: PromotionSettings())
        #expect(ranking.best?.instance.key == Fixture.key(2))
        #expect(ranking.ranked.first { $0.instance.key == Fixture.key(3) }?.exclusions.contains { $0.contains("under maintenance") } == true)
        let free = CandidateRanking(failed: Fixture.master(1).unreachable(),
                                    replicas: [Fixture.replica(2, of: 1, seq: 99), Fixture.replica(3, of: 1, seq: 100)],
                                    operatorState: IntentState(), now: Fixture.now, settings: PromotionSettings())
        #expect(free.best?.instance.key == Fixture.key(3))
    }
}
