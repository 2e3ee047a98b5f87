import Foundation
import Testing
import OrchestratorTestKit

/// A leader cut off from its peers (nftables on loopback) must not touch MySQL while the majority
/// elects a new leader that recovers the dead master.
@Suite("orchd leader isolation", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"),
       .enabled(if: LeaderIsolation.unavailableReason == nil,
                "needs root, a usable nft and a writable cgroup v2 under /sys/fs/cgroup (see LeaderIsolation.unavailableReason)"))
struct OrchdLeaderIsolationTests {
    @Test func isolatedLeaderDoesNothingWhileTheMajorityRecovers() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:3", alias: "isolation-test")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "isolation", cgroupBase: LeaderIsolation.cgroupBase("isolation"))
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 3, alias: "isolation-test", instances: 3)
        let oldLeader = try #require(group.leader())
        let isolated = try #require(group.index(ofRaftID: oldLeader))
        let others = (0..<OrchdProcessGroup.size).filter { $0 != isolated }
        let majorityAPIs = others.map(group.api).joined(separator: " ")
        func raftPort(_ i: Int) -> Int { Int(group.raftID(i).split(separator: ":")[1])! }

        let isolation = LeaderIsolation()
        defer { isolation.remove() }
        try isolation.isolate(cgroup: try #require(group.cgroup(isolated)), host: "127.0.0.\(isolated + 1)",
                              port: raftPort(isolated), peerPorts: others.map(raftPort))
        let oldMaster = "127.0.0.1:\(sandbox.port(1))"
        try await sandbox.kill(1)

        // The majority elects a new leader, which recovers.
        #expect(group.eventually {
            let leader = try group.cli(["-c", "raft-leader"], apis: majorityAPIs).out
            return !leader.isEmpty && leader != oldLeader
        }, "the majority elects a new leader")
        var newMaster = ""
        #expect(group.eventually(seconds: 45) {
            newMaster = try group.cli(["-c", "which-cluster-master", "-a", "isolation-test"], apis: majorityAPIs).out
            return !newMaster.isEmpty && newMaster != oldMaster
        }, "a replica is promoted")
        let promoted = try #require(Int(newMaster.split(separator: ":").last ?? ""))
        #expect(await sandbox.readOnly(promoted - sandbox.basePort + 1) == "0")
        let audit = try apiJSON(group, "audit-recovery", apis: majorityAPIs)
        #expect(audit.count == 1, "one recovery")
        #expect(audit.first?["IsSuccessful"] as? Bool == true)
        #expect(audit.first?["ProcessingNodeHostname"] as? String != group.api(isolated),
                "the isolated old leader did not run the recovery")

        // The isolated node reports itself unhealthy and never ran a MySQL-changing step.
        #expect(group.eventually { httpStatus("\(group.api(isolated))/api/raft-health") == "500" },
                "the isolated node's raft-health answers 500")
        let log = (try? String(contentsOfFile: "\(group.dir)/node\(isolated)/orchd.log", encoding: .utf8)) ?? ""
        #expect(!log.contains("-> ok"), "the isolated node completed no recovery step")
    }
}

/// The HTTP status code of a GET (curl), "000" when nothing answered.
func httpStatus(_ url: String) -> String {
    LeaderIsolation.run(["curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", url]).output
}
