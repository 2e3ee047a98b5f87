import Foundation
import Testing
import OrchestratorTestKit

/// Automated master failover end to end: real MariaDB, three real orchd nodes, kill -9 of the master.
@Suite("orchd failover: kill -9 of a sandbox master", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct OrchdFailoverTests {
    @Test func deadMasterIsReplacedAndASecondFailoverWorksAfterAck() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: "failover-test")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "failover")
        defer { group.killAll() }
        try group.startAll()
        #expect(group.eventually { group.leader() != nil })
        let deepest = "127.0.0.1:\(sandbox.port(4))"
        #expect(group.eventually { try group.cli(["-c", "discover", "-i", deepest]).status == 0 })
        #expect(group.eventually {
            try group.cli(["-c", "which-cluster-instances", "-a", "failover-test"]).out.split(separator: "\n").count == 4
        })
        _ = try await sandbox.sql(1, "CREATE DATABASE IF NOT EXISTS t; CREATE TABLE IF NOT EXISTS t.x (id INT PRIMARY KEY); INSERT INTO t.x VALUES (1)")

        // First failover.
        let oldMaster = "127.0.0.1:\(sandbox.port(1))"
        try await sandbox.kill(1)
        var newMaster = ""
        #expect(group.eventually {
            newMaster = try group.cli(["-c", "which-cluster-master", "-a", "failover-test"]).out
            return !newMaster.isEmpty && newMaster != oldMaster
        }, "a new master is promoted")
        let promoted = try #require(Int(newMaster.split(separator: ":").last ?? ""))
        #expect([sandbox.port(2), sandbox.port(3)].contains(promoted))
        let promotedN = promoted - sandbox.basePort + 1
        #expect(try await sandbox.sql(promotedN, "SELECT @@read_only").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        // Every other reachable replica replicates from the new topology; a write arrives everywhere.
        _ = try await sandbox.sql(promotedN, "INSERT INTO t.x VALUES (2)")
        for n in 2...4 where n != promotedN {
            #expect(await eventuallyAsync {
                (try? await sandbox.sql(n, "SELECT COUNT(*) FROM t.x").trimmingCharacters(in: .whitespacesAndNewlines)) == "2"
            }, "instance \(n) received the write made on the new master")
        }
        let audit = try group.cli(["-c", "api", "-P", "audit-recovery"]).out
        let recoveries = try #require(try JSONSerialization.jsonObject(with: Data(audit.utf8)) as? [[String: Any]])
        #expect(recoveries.count == 1)
        #expect(recoveries.first?["IsSuccessful"] as? Bool == true)
        #expect((recoveries.first?["SuccessorKey"] as? [String: Any])?["Port"] as? Int == promoted)
        #expect(((recoveries.first?["Steps"] as? [Any])?.count ?? 0) >= 3)
        // Hooks ran once, on the leader, with upstream's placeholders and ORC_* variables.
        #expect(group.hookLog.contains("detected DeadMaster \(oldMaster)"), "\(group.hookLog)")
        #expect(group.hookLog.contains("promoted \(oldMaster) \(newMaster) failover-test"), "\(group.hookLog)")
        // The failed master is downtimed lost-in-recovery through the replicated intent (it blocks nothing:
        // the second failover below still runs once acknowledged).
        #expect(group.eventually { try group.cli(["-c", "downtimed"]).out.contains(oldMaster) },
                "downtimed lists the failed master: \((try? group.cli(["-c", "downtimed"]).out) ?? "")")
        let downtimes = try group.cli(["-c", "api", "-P", "downtimed"]).out
        #expect(downtimes.contains("lost-in-recovery"), "\(downtimes)")

        // A second failure within the block period is detected but waits for an acknowledgement.
        try await sandbox.kill(promotedN)
        #expect(group.eventually {
            let out = try group.cli(["-c", "api", "-P", "audit-failure-detection"]).out
            guard let detections = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] else { return false }
            return detections.contains { detection in
                let analysis = detection["AnalysisEntry"] as? [String: Any]
                let key = analysis?["AnalyzedInstanceKey"] as? [String: Any]
                return key?["Port"] as? Int == promoted && detection["RecoveryAllowed"] as? Bool == false
                    && (detection["Decision"] as? String ?? "").contains("RecoveryPeriodBlockSeconds")
            }
        }, "the leader detected the second failure and recorded that the block period holds it")
        let blocked = try group.cli(["-c", "api", "-P", "audit-recovery"]).out
        #expect((try JSONSerialization.jsonObject(with: Data(blocked.utf8)) as? [[String: Any]])?.count == 1,
                "no recovery while blocked")
        #expect(try group.cli(["-c", "which-cluster-master", "-a", "failover-test"]).out == newMaster)
        let ack = try group.cli(["-c", "ack-cluster-recoveries", "-a", "failover-test", "-r", "test done"])
        #expect(ack.status == 0, "\(ack.err)")
        #expect(group.eventually {
            let m = try group.cli(["-c", "which-cluster-master", "-a", "failover-test"]).out
            return !m.isEmpty && m != newMaster && m != oldMaster
        }, "the second failover promotes another replica")
        let second = try group.cli(["-c", "api", "-P", "audit-recovery"]).out
        let all = try #require(try JSONSerialization.jsonObject(with: Data(second.utf8)) as? [[String: Any]])
        #expect(all.count == 2)
        #expect(all.allSatisfy { $0["IsSuccessful"] as? Bool == true })
    }
}

/// Polls an async condition (a hang guard, not a timing check).
func eventuallyAsync(seconds: Double = 30, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return await condition()
}

@Suite("orchd graceful takeover", .serialized, .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct OrchdTakeoverTests {
    @Test func gracefulTakeoverBothWays() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: "takeover-test")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "takeover")
        defer { group.killAll() }
        try group.startAll()
        #expect(group.eventually { group.leader() != nil })
        #expect(group.eventually { try group.cli(["-c", "discover", "-i", "127.0.0.1:\(sandbox.port(4))"]).status == 0 })
        #expect(group.eventually {
            try group.cli(["-c", "which-cluster-instances", "-a", "takeover-test"]).out.split(separator: "\n").count == 4
        })
        _ = try await sandbox.sql(1, "CREATE DATABASE IF NOT EXISTS t; CREATE TABLE IF NOT EXISTS t.x (id INT PRIMARY KEY); INSERT INTO t.x VALUES (1)")
        let oldMaster = "127.0.0.1:\(sandbox.port(1))"
        let designated = "127.0.0.1:\(sandbox.port(2))"

        // --noop plans and changes nothing.
        let dry = try group.cli(["-c", "graceful-master-takeover-auto", "-a", "takeover-test", "-d", designated, "--noop"])
        #expect(dry.status == 0, "\(dry.err)")
        #expect(dry.out.contains("Successor: \(designated)"))
        #expect(try await sandbox.sql(1, "SELECT @@read_only").trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        // -auto: the designated replica becomes the writable master, the old master replicates from it.
        let auto = try group.cli(["-c", "graceful-master-takeover-auto", "-a", "takeover-test", "-d", designated])
        #expect(auto.status == 0, "\(auto.err)")
        #expect(auto.out == designated)
        #expect(try await sandbox.sql(2, "SELECT @@read_only").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(try await sandbox.sql(1, "SELECT @@read_only").trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        _ = try await sandbox.sql(2, "INSERT INTO t.x VALUES (2)")
        for n in [1, 3, 4] {
            #expect(await eventuallyAsync {
                (try? await sandbox.sql(n, "SELECT COUNT(*) FROM t.x").trimmingCharacters(in: .whitespacesAndNewlines)) == "2"
            }, "instance \(n) follows the new master")
        }
        #expect(group.eventually { try group.cli(["-c", "which-cluster-master", "-a", "takeover-test"]).out == designated })

        // And back, without -auto: the demoted master is pointed at the new one but not started.
        #expect(group.eventually {
            try group.cli(["-c", "which-replicas", "-i", designated]).out.contains(oldMaster)
        })
        let back = try group.cli(["-c", "graceful-master-takeover", "-a", "takeover-test", "-d", oldMaster])
        #expect(back.status == 0, "\(back.err)")
        #expect(try await sandbox.sql(1, "SELECT @@read_only").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let status = try await sandbox.sql(2, "SHOW SLAVE STATUS")
        #expect(status.contains("\(sandbox.port(1))"), "the old master now points at the new one")
    }
}
