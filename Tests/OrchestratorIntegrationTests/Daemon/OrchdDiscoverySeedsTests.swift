import Foundation
import Testing
import OrchestratorTestKit

/// `DiscoverySeeds` end to end: a group started with seeds, and no discover call, knows the sandbox on
/// every node; a seed that is down is recorded as failing and retried, and no node stops.
@Suite("orchd group: DiscoverySeeds", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct OrchdDiscoverySeedsTests {
    @Test func seedsAreDiscoveredOnEveryNodeWithoutADiscoverCall() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: "seeded")
        defer { sandbox.down() }
        let downSeed = try closedLoopbackPort()
        let group = try OrchdProcessGroup(name: "seeds", overrides: [
            "DiscoverySeeds": ["127.0.0.1:\(sandbox.port(4))", "127.0.0.1:\(downSeed)"],
        ])
        defer { group.killAll() }
        try group.startAll()
        #expect(group.eventually { group.leader() != nil }, "a leader is elected")

        for i in 0..<OrchdProcessGroup.size {
            #expect(group.eventually {
                try group.cli(["-c", "which-cluster-instances", "-a", "seeded"], apis: group.api(i))
                    .out.split(separator: "\n").count == 4
            }, "node \(i) found the whole tree from the seed on its own")
            #expect(group.eventually {
                try group.sqlite(i, "SELECT is_last_check_valid || ':' || (last_error <> '') FROM database_instance "
                                 + "WHERE port = \(downSeed)") == "0:1"
            }, "node \(i) recorded the seed that is down as failing, with the error")
        }
        let master = try group.cli(["-c", "which-cluster-master", "-a", "seeded"])
        #expect(master.out == "127.0.0.1:\(sandbox.port(1))", "\(master.err)")
        // The down seed is retried every poll: its last attempt moves on (the backend row of an unchanged
        // instance is refreshed once a minute, at a phase of its own); every node still answers.
        let firstAttempt = try group.sqlite(0, "SELECT last_attempted_check FROM database_instance WHERE port = \(downSeed)")
        #expect(group.eventually(seconds: 90) {
            try group.sqlite(0, "SELECT last_attempted_check FROM database_instance WHERE port = \(downSeed)") != firstAttempt
        }, "the seed that is down is probed again")
        for i in 0..<OrchdProcessGroup.size {
            #expect(try group.cli(["-c", "raft-leader"], apis: group.api(i)).status == 0, "node \(i) still serves")
        }
    }
}
