import Foundation
import Testing
import OrchestratorTestKit

/// Real processes end to end: a MariaDB tree sandbox, three orchd nodes over Raft/TCP, and the CLI.
@Suite("orchd group: 3 real processes + MariaDB sandbox", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct OrchdGroupTests {
    @Test func discoverThroughFollowerFailoverOfLeaderTransferAndCatchUp() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: "group-test")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "group")
        defer { group.killAll() }
        try group.startAll()

        #expect(group.eventually { group.leader() != nil }, "a leader is elected")
        let leader = try #require(group.leader())
        let leaderIndex = try #require(group.index(ofRaftID: leader))
        let follower = (leaderIndex + 1) % OrchdProcessGroup.size

        // discover sent to a follower only: proxied to the leader, applied everywhere.
        let deepest = "127.0.0.1:\(sandbox.port(4))"
        #expect(group.eventually {
            try group.cli(["-c", "discover", "-i", deepest], apis: group.api(follower)).status == 0
        })
        let discovered = try group.cli(["-c", "discover", "-i", deepest], apis: group.api(follower))
        #expect(discovered.out == deepest, "\(discovered.err)")
        for i in 0..<OrchdProcessGroup.size {
            #expect(group.eventually { try group.sqlite(i, "SELECT count(*) FROM database_instance") == "4" },
                    "node \(i) has the 4 instances in its own SQLite")
        }
        let depths = try group.sqlite(follower, "SELECT port || ':' || replication_depth FROM database_instance ORDER BY port")
        #expect(depths.split(separator: "\n") == ["\(sandbox.port(1)):0", "\(sandbox.port(2)):1", "\(sandbox.port(3)):1",
                                                  "\(sandbox.port(4)):2"])
        let master = try group.cli(["-c", "which-cluster-master", "-a", "group-test"])
        #expect(master.out == "127.0.0.1:\(sandbox.port(1))")
        let topology = try group.cli(["-c", "topology", "-a", "group-test"])
        #expect(topology.out.split(separator: "\n").count == 4)

        // kill -9 the leader (whoever leads now): a new one appears and the CLI (all endpoints listed) keeps working.
        let killed = try #require(group.leader())
        let killedIndex = try #require(group.index(ofRaftID: killed))
        group.kill9(killedIndex)
        #expect(group.eventually { (group.leader() ?? killed) != killed }, "a new leader after kill -9")
        let clusters = try group.cli(["-c", "clusters"])
        #expect(clusters.status == 0)
        #expect(clusters.out == "127.0.0.1:\(sandbox.port(1))")
        // Changes the dead node misses: a downtime and a candidate registration.
        let downtime = try group.cli(["-c", "begin-downtime", "-i", "127.0.0.1:\(sandbox.port(2))", "-o", "test", "-r", "r"])
        #expect(downtime.status == 0, "\(downtime.err)")
        for n in 0..<6 {
            _ = try group.cli(["-c", "register-candidate", "-i", "127.0.0.1:\(sandbox.port(3))",
                               "-R", n % 2 == 0 ? "prefer" : "neutral"])
        }

        // The restarted node catches up (snapshot threshold is 5, so possibly by snapshot).
        try group.start(killedIndex)
        #expect(group.eventually {
            try group.sqlite(killedIndex, "SELECT count(*) FROM database_instance_downtime") == "1"
        }, "restarted node applied what it missed")
        #expect(group.eventually {
            try group.sqlite(killedIndex, "SELECT promotion_rule FROM candidate_database_instance") == "neutral"
        })

        // raft-elect-leader -H makes the named node leader (all nodes share one host name: match on address).
        let target = group.raftID(killedIndex)
        let elect = try group.cli(["-c", "raft-elect-leader", "-H", target])
        #expect(elect.status == 0, "\(elect.err)")
        #expect(group.eventually { group.leader() == target }, "\(target) leads after raft-elect-leader")
    }
}
