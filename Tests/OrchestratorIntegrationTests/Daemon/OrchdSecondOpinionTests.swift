import Foundation
import Testing
import OrchestratorTestKit

/// A network partition cuts the leader and the replicas off from a master that one orchd follower can
/// still reach (nftables: only that follower's cgroup may connect to the master's port). Holistic
/// detection says DeadMaster; the follower's second opinion (the master answers, writable) vetoes the
/// failover, so there are never two writable masters. When the follower loses the master too, the
/// failover goes ahead.
@Suite("orchd second opinion: no failover of a master a peer still reaches", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"),
       .enabled(if: LeaderIsolation.unavailableReason == nil,
                "needs root, a usable nft and a writable cgroup v2 under /sys/fs/cgroup (see LeaderIsolation.unavailableReason)"))
struct OrchdSecondOpinionTests {
    @Test func aPeerThatReachesTheWritableMasterVetoesTheFailover() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:3", alias: "opinion-test")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "opinion", cgroupBase: LeaderIsolation.cgroupBase("opinion"))
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 3, alias: "opinion-test", instances: 3)
        let leader = try #require(group.leader())
        let leaderIndex = try #require(group.index(ofRaftID: leader))
        let witness = (leaderIndex + 1) % OrchdProcessGroup.size
        let master = "127.0.0.1:\(sandbox.port(1))"

        // Only the witness may reach the master's port; the replicas reconnect, and fail.
        let partition = LeaderIsolation(table: "orchd_test_\(getpid())_opinion")
        defer { partition.remove() }
        let witnessCgroup = try #require(group.cgroup(witness))
        try partition.onlyCgroupReaches(port: sandbox.port(1), cgroup: witnessCgroup)
        for replica in [2, 3] { _ = try await sandbox.sql(replica, "STOP SLAVE IO_THREAD; START SLAVE IO_THREAD") }

        // The leader sees a dead master, asks, and is told the master lives: it does not fail over.
        #expect(group.eventually(seconds: 40) {
            // Whoever leads now decides (and records the veto); the witness never sees the master dead.
            let detections = try apiJSON(group, "audit-failure-detection", apis: group.leaderAPI() ?? group.api(leaderIndex))
            return detections.contains {
                (($0["AnalysisEntry"] as? [String: Any])?["Analysis"] as? String)?.hasPrefix("DeadMaster") == true
                    && ($0["Decision"] as? String ?? "").contains("writable from orchd node \(group.raftID(witness))")
            }
        }, "the leader detects DeadMaster and records the witness's veto")
        usleep(3_000_000)
        #expect(try apiJSON(group, "audit-recovery").isEmpty, "no failover while a peer reaches the writable master")
        #expect(try group.cli(["-c", "which-cluster-master", "-a", "opinion-test"]).out == master)
        #expect(await sandbox.readOnly(1) == "0")
        // The witness loses the master too: now it is dead to everyone, and the failover goes ahead.
        partition.remove()
        try partition.onlyCgroupReaches(port: sandbox.port(1), cgroup: nil)
        var newMaster = ""
        #expect(group.eventually(seconds: 45) {
            newMaster = try group.cli(["-c", "which-cluster-master", "-a", "opinion-test"]).out
            return !newMaster.isEmpty && newMaster != master
        }, "a replica is promoted once no peer reaches the master")
        let audit = try apiJSON(group, "audit-recovery")
        #expect(audit.count == 1)
        let entry = audit.first?["AnalysisEntry"] as? [String: Any]
        // Refused connections fail at once, so the peers answer in time; at least the one that never
        // reached the master agrees it is gone (a peer that answers late gives no opinion).
        #expect((entry?["CountAdditionalAgreeingNodes"] as? Int ?? 0) >= 1, "the peers agreed the master is gone")

        // Acknowledged on a follower (as the web UI's button does, over the same API): reaches the leader.
        let follower = group.api((leaderIndex + 2) % OrchdProcessGroup.size)
        let acknowledged = try group.cli(["-c", "ack-cluster-recoveries", "-a", "opinion-test", "-r", "seen in the UI"],
                                         apis: follower)
        #expect(acknowledged.status == 0, "\(acknowledged.err)")
        #expect(group.eventually {
            try apiJSON(group, "audit-recovery").first?["AcknowledgedComment"] as? String == "seen in the UI"
        }, "the recovery is acknowledged with its comment")
    }
}

extension LeaderIsolation {
    /// Refuses every connection to `port` on loopback (a TCP reset, so established connections fail at
    /// once instead of hanging until a read timeout) except from the processes in `cgroup` (none when nil).
    func onlyCgroupReaches(port: Int, cgroup: String?) throws {
        var allow = ""
        if let cgroup {
            let relative = String(cgroup.dropFirst("/sys/fs/cgroup/".count))
            let level = Self.cgroup2Mount.map { cgroup.dropFirst($0.count + 1).split(separator: "/").count } ?? 1
            allow = "socket cgroupv2 level \(level) \"\(relative)\" tcp dport \(port) accept\n"
        }
        try apply("""
            table inet \(table) {
                chain out {
                    type filter hook output priority 0; policy accept;
                    \(allow)tcp dport \(port) reject with tcp reset
                }
            }
            """)
    }
}
