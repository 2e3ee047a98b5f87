import Foundation
import OrchestratorCore
import Testing

/// MariaDB: a move is refused when the new master's oldest binary log starts past the mover's position.
/// Fixture tree: master 1; 2 and 3 replicate from 1; 4 and 5 from 3; all at 0-1-100 unless changed.
@Suite("Refactoring planner: MariaDB purged binary logs")
struct RefactorPurgedBinlogTests {
    private func refusal(_ instance: Int, _ target: Int, _ instances: [Instance], command: RefactorCommand = .relocate) -> RefactorRefusal? {
        let result = RefactorPlanner.plan(
            RefactorRequest(command, instance: Fixture.key(instance), target: Fixture.key(target)),
            instances: instances, operatorState: IntentState(), now: Fixture.now)
        if case .failure(let r) = result { return r }
        return nil
    }

    /// 2's oldest binlog starts at `start`; 4 has replicated up to `replicaSeq` in domain 0.
    private func world(start: String, replicaSeq: UInt64) -> [Instance] {
        Fixture.tree()
            .replacing(2) { $0.with { $0.oldestBinlogGTIDPosition = start } }
            .replacing(4) { $0.with { $0.gtidSlavePos = "0-1-\(replicaSeq)"; $0.gtidCurrentPos = "0-1-\(replicaSeq)"
                $0.gtidBinlogPos = "0-1-\(replicaSeq)" } }
    }

    @Test func aReplicaBehindTheOldestBinlogIsRefusedWithTheReasonAndTheFix() throws {
        let r = try #require(refusal(4, 2, world(start: "0-1-60", replicaSeq: 50)))
        #expect(r.kind == .unsafe)
        for part in ["db:2 has purged binary logs db:4 still needs", "GTID domain 0", "db:4 is at 0-1-50 (gtid_slave_pos)",
                     "starts after 0-1-60", "nothing was changed", "re-clone db:4", "below a server that still has"] {
            #expect(r.reason.contains(part), "\(part) in: \(r.reason)")
        }
    }

    @Test func aReplicaAtOrPastTheOldestBinlogStartMoves() {
        #expect(refusal(4, 2, world(start: "0-1-50", replicaSeq: 50)) == nil)
        #expect(refusal(4, 2, world(start: "0-1-40", replicaSeq: 50)) == nil)
        // The start's writer does not matter: sequence numbers order a domain.
        #expect(refusal(4, 2, world(start: "0-2-50", replicaSeq: 50)) == nil)
    }

    @Test func anUnknownOrEmptyStartClaimsNothing() {
        #expect(refusal(4, 2, world(start: "", replicaSeq: 1)) == nil)
        #expect(refusal(4, 2, world(start: "not a position", replicaSeq: 1)) == nil)
    }

    @Test func aDomainTheReplicaNeverSawIsMissingFromTheStart() throws {
        let r = try #require(refusal(4, 2, world(start: "0-1-60,3-7-5", replicaSeq: 100)))
        #expect(r.reason.contains("GTID domain 3, db:4 is at nothing (gtid_slave_pos)"), "\(r.reason)")
        #expect(r.reason.contains("starts after 3-7-5"), "\(r.reason)")
        // A domain whose start is 0 lost nothing.
        #expect(refusal(4, 2, world(start: "0-1-60,3-7-0", replicaSeq: 100)) == nil)
    }

    @Test func aReplicaByCoordinatesIsJudgedByItsCurrentPosition() throws {
        let byCoordinates = world(start: "0-1-60", replicaSeq: 50).replacing(4) { $0.with { $0.usingMariaDBGTID = false } }
        let r = try #require(refusal(4, 2, byCoordinates))
        #expect(r.reason.contains("db:4 is at 0-1-50 (gtid_current_pos)"), "\(r.reason)")
        // Its current position past the start: it moves, whatever its (stale) slave position says.
        let ahead = byCoordinates.replacing(4) { $0.with { $0.gtidCurrentPos = "0-1-100"; $0.gtidBinlogPos = "0-1-100" } }
        #expect(refusal(4, 2, ahead) == nil)
    }

    @Test func multiReplicaMovesSkipTheReplicaWithTheReason() throws {
        let result = RefactorPlanner.plan(
            RefactorRequest(.relocateReplicas, instance: Fixture.key(3), target: Fixture.key(2)),
            instances: world(start: "0-1-60", replicaSeq: 50), operatorState: IntentState(), now: Fixture.now)
        let plan = try result.get()
        #expect(plan.moves.map(\.instance) == [Fixture.key(5)])
        #expect(plan.skipped.map(\.key) == [Fixture.key(4)])
        #expect(plan.skipped.first?.reason.contains("db:4 is at 0-1-50") == true)
    }

    @Test func theFieldSurvivesTheStoredJSON() throws {
        var i = Fixture.master(1)
        i.oldestBinlogGTIDPosition = "0-1-60,3-7-5"
        let data = try JSONEncoder().encode(i)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["MariaDBOldestBinlogGTIDPosition"] as? String == "0-1-60,3-7-5")
        #expect(try JSONDecoder().decode(Instance.self, from: data) == i)
        #expect(i.oldestBinlogGTIDStart?.sequence(inDomain: 3) == 5)
    }
}
