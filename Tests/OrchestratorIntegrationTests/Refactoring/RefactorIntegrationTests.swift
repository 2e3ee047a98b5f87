import Foundation
import OrchestratorTestKit
import Testing

/// Relocation commands end to end: real MariaDB, a real 3-node orchd group, the real orchestrator-client.
@Suite("orchd refactoring: relocate, move-up, move-below, take-master, repoint-replicas", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct RefactorIntegrationTests {
    /// tree: 1 primary; 2 and 3 replicate from 1; 4 from 3.
    @Test func treeRelocationsRefusalsAndNoop() async throws {
        try await RefactorWorld.with("tree", alias: "refactor-tree", treeScenario)
    }

    private func treeScenario(_ w: RefactorWorld) async throws {
        // --noop prints the plan and the SQL, and changes nothing.
        let before = try await w.masterPorts()
        let dry = try await w.cli(["-c", "relocate", "-i", w.key(4), "-d", w.key(1), "--noop"])
        #expect(dry.status == 0, "\(dry.err)")
        #expect(dry.out.contains("CHANGE MASTER TO"), "\(dry.out)")
        #expect(dry.out.contains("STOP SLAVE"), "\(dry.out)")
        #expect(dry.out.contains("move \(w.key(4)) from \(w.key(3)) to \(w.key(1))"), "\(dry.out)")
        #expect(try await w.masterPorts() == before)
        try await w.expectReplicates(4, from: 3)

        // relocate the intermediate master's replica to the primary, and back.
        let up = try await w.cli(["-c", "relocate", "-i", w.key(4), "-d", w.key(1)])
        #expect(up.status == 0, "\(up.err)")
        #expect(up.out == w.moved(4, below: 1))
        try await w.expectReplicates(4, from: 1)
        try await w.expectRowArrives(writer: 1, readers: [4], marker: "relocate-up")
        let back = try await w.cli(["-c", "relocate", "-i", w.key(4), "-d", w.key(3)])
        #expect(back.status == 0, "\(back.err)")
        #expect(back.out == w.moved(4, below: 3))
        try await w.expectReplicates(4, from: 3)
        try await w.expectRowArrives(writer: 1, readers: [4], marker: "relocate-back")

        // Already there: a successful no-op.
        let again = try await w.cli(["-c", "relocate", "-i", w.key(4), "-d", w.key(3)])
        #expect(again.status == 0 && again.out == w.moved(4, below: 3), "\(again.err)")

        // move-up: 4 becomes a sibling of 3.
        let moveUp = try await w.cli(["-c", "move-up", "-i", w.key(4)])
        #expect(moveUp.out == w.moved(4, below: 1), "\(moveUp.err)")
        try await w.expectReplicates(4, from: 1)

        // move-below: 4 below its sibling 2 (2 becomes an intermediate master).
        let below = try await w.cli(["-c", "move-below", "-i", w.key(4), "-d", w.key(2)])
        #expect(below.out == w.moved(4, below: 2), "\(below.err)")
        try await w.expectReplicates(4, from: 2)

        // take-master: 4 swaps with its intermediate master 2.
        let take = try await w.cli(["-c", "take-master", "-i", w.key(4)])
        #expect(take.out == w.moved(4, below: 1), "\(take.err)")
        try await w.expectReplicates(4, from: 1)
        try await w.expectReplicates(2, from: 4)
        try await w.expectRowArrives(writer: 1, readers: [2, 3, 4], marker: "take-master")

        // repoint-replicas: 4's replica 2 is pointed at it again.
        let repoint = try await w.cli(["-c", "repoint-replicas", "-i", w.key(4)])
        #expect(repoint.status == 0, "\(repoint.err)")
        #expect(repoint.out == w.key(2))
        try await w.expectReplicates(2, from: 4)

        // Refusals leave replication untouched: a cycle, then maintenance.
        let settled = try await w.masterPorts()
        let cycle = try await w.cli(["-c", "relocate", "-i", w.key(4), "-d", w.key(2)])
        #expect(cycle.status != 0)
        #expect(cycle.err.contains("replication cycle"), "\(cycle.err)")
        #expect(try await w.masterPorts() == settled)
        try await w.expectReplicates(4, from: 1)

        let begin = try await w.cli(["-c", "begin-maintenance", "-i", w.key(2), "-o", "tester", "-r", "disk swap"])
        #expect(begin.status == 0 && begin.out == w.key(2), "\(begin.err)")
        let instanceJSON = try await w.cli(["-c", "api", "-P", "instance/127.0.0.1/\(w.sandbox.port(2))"]).out
        let instance = try JSONSerialization.jsonObject(with: Data(instanceJSON.utf8)) as? [String: Any]
        #expect(instance?["IsUnderMaintenance"] as? Bool == true)
        let locked = try await w.cli(["-c", "relocate", "-i", w.key(2), "-d", w.key(1)])
        #expect(locked.status != 0)
        #expect(locked.err.contains("under maintenance by tester (disk swap)"), "\(locked.err)")
        #expect(try await w.masterPorts() == settled)
        let end = try await w.cli(["-c", "end-maintenance", "-i", w.key(2)])
        #expect(end.status == 0, "\(end.err)")
        let freed = try await w.cli(["-c", "relocate", "-i", w.key(2), "-d", w.key(1)])
        #expect(freed.out == w.moved(2, below: 1), "\(freed.err)")
        try await w.expectReplicates(2, from: 1)
        try await w.expectRowArrives(writer: 1, readers: [2, 3, 4], marker: "after-maintenance")

        // An errant transaction written on 4 (its own domain, so its replication keeps running): 4 can
        // no longer move below servers that lack it, and nothing changes.
        _ = try await w.sandbox.sql(4, "SET SESSION gtid_domain_id = 9; INSERT INTO meta.ops_probe VALUES ('errant')")
        let beforeErrant = try await w.masterPorts()
        let errant = try await w.cli(["-c", "relocate", "-i", w.key(4), "-d", w.key(3)])
        #expect(errant.status != 0)
        #expect(errant.err.contains("errant GTIDs 9-"), "\(errant.err)")
        #expect(try await w.masterPorts() == beforeErrant)
        try await w.expectReplicates(4, from: 1)
    }

    /// chain:4: i replicates from i-1.
    @Test func chainRelocateTakeMasterAndTheOtherMoves() async throws {
        let w = try await RefactorWorld.up("chain:4", alias: "refactor-chain")
        do {
            // The deepest replica to the primary and back.
            let up = try await w.cli(["-c", "relocate", "-i", w.key(4), "-d", w.key(1)])
            #expect(up.out == w.moved(4, below: 1), "\(up.err)")
            try await w.expectReplicates(4, from: 1)
            let back = try await w.cli(["-c", "relocate", "-i", w.key(4), "-d", w.key(3)])
            #expect(back.out == w.moved(4, below: 3), "\(back.err)")
            try await w.expectReplicates(4, from: 3)
            // take-master in the middle of the chain: 1 <- 2 <- 4 <- 3.
            let take = try await w.cli(["-c", "take-master", "-i", w.key(4)])
            #expect(take.out == w.moved(4, below: 2), "\(take.err)")
            try await w.expectReplicates(4, from: 2)
            try await w.expectReplicates(3, from: 4)
            // relocate-replicas: 4's replica (3) below the primary.
            let replicas = try await w.cli(["-c", "relocate-replicas", "-i", w.key(4), "-d", w.key(1)])
            #expect(replicas.out == w.key(3), "\(replicas.err)")
            try await w.expectReplicates(3, from: 1)
            try await w.expectRowArrives(writer: 1, readers: [2, 3, 4], marker: "chain")

            // Now 1 <- 2 <- 4 and 1 <- 3. move-below-gtid: 3 below 2.
            let gtid = try await w.cli(["-c", "move-below-gtid", "-i", w.key(3), "-d", w.key(2)])
            #expect(gtid.out == w.moved(3, below: 2), "\(gtid.err)")
            try await w.expectReplicates(3, from: 2)
            // take-siblings: 4 takes its sibling 3.
            let siblings = try await w.cli(["-c", "take-siblings", "-i", w.key(4)])
            #expect(siblings.out == w.moved(4, below: 2), "\(siblings.err)")
            try await w.expectReplicates(3, from: 4)
            // move-up-replicas: 4's replica 3 becomes its sibling again.
            let upReplicas = try await w.cli(["-c", "move-up-replicas", "-i", w.key(4)])
            #expect(upReplicas.out == w.key(3), "\(upReplicas.err)")
            try await w.expectReplicates(3, from: 2)
            // move-replicas-gtid: 2's replicas (3, 4) below the primary.
            let gtidReplicas = try await w.cli(["-c", "move-replicas-gtid", "-i", w.key(2), "-d", w.key(1)])
            #expect(gtidReplicas.out.split(separator: "\n").sorted() == [w.key(3), w.key(4)].map { Substring($0) }, "\(gtidReplicas.err)")
            try await w.expectReplicates(3, from: 1)
            try await w.expectReplicates(4, from: 1)
            try await w.expectRowArrives(writer: 1, readers: [2, 3, 4], marker: "chain-gtid")
            // make-co-master: the primary also replicates from 2 (by current_pos: its own writes count).
            let coMaster = try await w.cli(["-c", "make-co-master", "-i", w.key(2)])
            #expect(coMaster.out == w.moved(2, below: 1), "\(coMaster.err)")
            #expect(try await w.harness.replicates(1, from: 2), "MariaDB: the primary replicates from 2")
            try await w.expectRowArrives(writer: 2, readers: [1, 3, 4], marker: "co-master")
            // The ring is still one cluster, found by its alias, named after the writable co-master.
            #expect(await w.eventually {
                (try? await w.cli(["-c", "which-cluster-master", "-a", "refactor-chain"]))?.out == w.key(1)
            }, "the co-master cluster is reachable by its alias")
        } catch {
            await w.down()
            throw error
        }
        await w.down()
    }
}
