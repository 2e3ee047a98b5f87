import Foundation
import Testing
import OrchestratorTestKit

/// `reload-configuration` through the real client, and SIGHUP, on real orchd processes.
@Suite("orchd reload-configuration and SIGHUP", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct OrchdReloadConfigurationTests {
    @Test func reloadReportsAppliedAndRestartKeysAndSIGHUPReloads() async throws {
        let group = try OrchdProcessGroup(name: "reload")
        defer { group.killAll() }
        try group.startAll()
        #expect(group.eventually { group.leader() != nil }, "a leader is elected")
        let leader = try #require(group.leader().flatMap(group.index(ofRaftID:)))
        for i in 0..<OrchdProcessGroup.size {
            try group.rewriteConfig(i, extra: ["RecoveryPeriodBlockSeconds": 60, "InstancePollSeconds": 2])
        }
        let r = try group.cli(["-c", "reload-configuration"], apis: group.api(leader))
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("applied RecoveryPeriodBlockSeconds"), "\(r.out)")
        #expect(r.out.contains("need a restart: InstancePollSeconds"), "\(r.out)")

        // SIGHUP on a follower: it reloads (and keeps running, instead of the default: terminate).
        let follower = (leader + 1) % OrchdProcessGroup.size
        group.signal(follower, SIGHUP)
        #expect(group.eventually { group.log(follower).contains("configuration reloaded") }, "\(group.log(follower).suffix(2000))")
        #expect(try group.cli(["-c", "raft-state"], apis: group.api(follower)).status == 0, "the follower still answers")
    }
}
