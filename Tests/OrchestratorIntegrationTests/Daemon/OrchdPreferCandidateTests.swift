import Foundation
import Testing
import OrchestratorTestKit

/// Candidate choice as upstream: a `prefer` candidate that is behind its siblings when the master dies is
/// still promoted — after catching up from the most advanced one, so no acknowledged row is lost.
@Suite("orchd failover: a lagging prefer candidate", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct OrchdPreferCandidateTests {
    @Test func aLaggingPreferCandidateCatchesUpAndIsPromoted() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:3", alias: "prefer-lag")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "prefer-lag")
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 3, alias: "prefer-lag", instances: 3)
        let preferred = "127.0.0.1:\(sandbox.port(3))"
        #expect(group.eventually {
            try group.cli(["-c", "register-candidate", "-i", preferred, "--promotion-rule", "prefer"]).status == 0
        }, "register-candidate")
        _ = try await sandbox.sql(1, "CREATE DATABASE IF NOT EXISTS t; CREATE TABLE t.x (id INT PRIMARY KEY); INSERT INTO t.x VALUES (1)")
        #expect(await eventuallyAsync { (try? await sandbox.sql(3, "SELECT COUNT(*) FROM t.x").trimmingCharacters(in: .whitespacesAndNewlines)) == "1" })

        // The preferred replica stops fetching; the master goes on writing; only replica 2 has rows 2...6.
        _ = try await sandbox.sql(3, "STOP SLAVE IO_THREAD")
        for id in 2...6 { _ = try await sandbox.sql(1, "INSERT INTO t.x VALUES (\(id))") }
        #expect(await eventuallyAsync { (try? await sandbox.sql(2, "SELECT COUNT(*) FROM t.x").trimmingCharacters(in: .whitespacesAndNewlines)) == "6" })
        #expect(try await sandbox.sql(3, "SELECT COUNT(*) FROM t.x").trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        // The plan says so before anything happens.
        #expect(group.eventually {
            try group.cli(["-c", "failover-plan", "-a", "prefer-lag"]).out.contains("promotion rule prefer: chosen over the more advanced")
        }, "failover-plan: \((try? group.cli(["-c", "failover-plan", "-a", "prefer-lag"]).out) ?? "")")

        try await sandbox.kill(1)
        var master = ""
        #expect(group.eventually(seconds: 60) {
            master = try group.cli(["-c", "which-cluster-master", "-a", "prefer-lag"]).out
            return master == preferred
        }, "the prefer candidate is promoted: \(master)")
        #expect(await eventuallyAsync { await sandbox.readOnly(3) == "0" })
        #expect(try await sandbox.sql(3, "SELECT COUNT(*) FROM t.x").trimmingCharacters(in: .whitespacesAndNewlines) == "6",
                "it caught up from replica 2 before promotion")
        #expect(await eventuallyAsync { await sandbox.replicationSource(2) == (sandbox.port(3), true) }, "replica 2 follows it")
        let audit = try recoveries(group)
        #expect(audit.count == 1 && (audit.first?["IsSuccessful"] as? Bool) == true, "\(audit)")
        let steps = (audit.first?["Steps"] as? [[String: Any]])?.compactMap { $0["Name"] as? String } ?? []
        #expect(steps.contains("catch-up"), "\(steps)")
    }
}
