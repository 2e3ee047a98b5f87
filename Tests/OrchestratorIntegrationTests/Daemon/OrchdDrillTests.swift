import Foundation
import Testing
import OrchestratorTestKit

/// `drill` end to end: a real MariaDB tree and three real orchd nodes.
@Suite("orchd failover drill", .serialized, .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct OrchdDrillTests {
    @Test func drillRoundTripPassesAndIsRefusedUnderDowntime() async throws {
        let alias = "drill-test"
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: alias)
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "drill", overrides: [
            "PreGracefulTakeoverProcesses": ["echo drill-pre {failedHost}:{failedPort} {command}"],
        ])
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 4, alias: alias, instances: 4)
        let master = "127.0.0.1:\(sandbox.port(1))"

        // --noop: the plan, nothing changes.
        var dry: (status: Int32, out: String, err: String) = (0, "", "")
        #expect(group.eventually(seconds: 60) {
            dry = try group.cli(["-c", "drill", "-a", alias, "--noop"])
            return dry.status == 0
        }, "the drill can be planned once every node sees a healthy cluster: \(dry.err)")
        #expect(dry.out.contains("Switches"), "\(dry.out)")
        #expect(dry.out.contains("-> \(master)"), "the drill comes back to the master: \(dry.out)")
        #expect(await sandbox.readOnly(1) == "0")

        // Refused under downtime, with the reason; nothing changes.
        let replica = "127.0.0.1:\(sandbox.port(3))"
        let downtime = try group.cli(["-c", "begin-downtime", "-i", replica, "-o", "test", "-r", "drill test", "-u", "10m"])
        #expect(downtime.status == 0, "\(downtime.err)")
        let refused = try group.cli(["-c", "drill", "-a", alias])
        #expect(refused.status != 0)
        #expect(refused.err.contains("refused") && refused.err.contains("\(replica) is downtimed"), "\(refused.err)")
        #expect(await sandbox.readOnly(1) == "0", "a refused drill changes nothing")
        #expect(try group.cli(["-c", "end-downtime", "-i", replica]).status == 0)

        // The round trip: passes, the master is back, every probe row is everywhere.
        var drill: (status: Int32, out: String, err: String) = (0, "", "")
        #expect(group.eventually(seconds: 30) {
            drill = try group.cli(["-c", "drill", "-a", alias])
            return !drill.err.contains("downtimed")
        })
        print("drill report:\n\(drill.out)")
        #expect(drill.status == 0, "\(drill.out)\n\(drill.err)")
        #expect(drill.out.contains(": PASS"), "\(drill.out)")
        #expect(drill.out.contains("switch 1:") && drill.out.contains("switch 2:"), "\(drill.out)")
        #expect(drill.out.contains("writes unavailable") && !drill.out.contains("not measured"), "the probe ran: \(drill.out)")
        #expect(drill.out.contains("[held] one writable master"), "\(drill.out)")
        #expect(drill.out.contains("hook PreGracefulTakeoverProcesses: echo drill-pre"), "hooks are listed: \(drill.out)")
        #expect(drill.out.contains("[held] no acknowledged probe write lost"), "\(drill.out)")
        #expect(await sandbox.readOnly(1) == "0")
        for n in 2...4 { #expect(await sandbox.readOnly(n) == "1", "instance \(n) is read-only again") }
        #expect(group.eventually { try group.cli(["-c", "which-cluster-master", "-a", alias]).out == master })
        let rows = try await sandbox.sql(4, "SELECT COUNT(*) FROM meta.orchd_drill").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect((Int(rows) ?? 0) > 10, "the probe's rows reached the deepest replica: \(rows)")

        // Audited like any takeover: two successful recoveries by command "drill", on every node.
        for i in 0..<OrchdProcessGroup.size {
            #expect(group.eventually {
                let audit = try group.cli(["-c", "api", "-P", "audit-recovery"], apis: group.api(i)).out
                let all = try JSONSerialization.jsonObject(with: Data(audit.utf8)) as? [[String: Any]] ?? []
                let drills = all.filter { (($0["AnalysisEntry"] as? [String: Any])?["CommandHint"] as? String) == "drill" }
                return drills.count == 2 && drills.allSatisfy { $0["IsSuccessful"] as? Bool == true }
            }, "node \(i) audits both switches")
        }

        // One way to -d, with orchd's user no longer allowed to write the probe table: the drill runs and
        // passes, and the report says why the probe was skipped.
        for n in 1...4 {
            _ = try await sandbox.sql(n, "SET SESSION sql_log_bin = 0; REVOKE INSERT ON meta.orchd_drill FROM '\(MariaDBSandbox.topologyUser)'@'%'")
        }
        let target = "127.0.0.1:\(sandbox.port(2))"
        var oneWay: (status: Int32, out: String, err: String) = (0, "", "")
        #expect(group.eventually(seconds: 60) {
            oneWay = try group.cli(["-c", "drill", "-a", alias, "-d", target])
            return !oneWay.err.contains("refused")
        }, "the cluster settles after the round trip: \(oneWay.err)")
        print("drill report (one way, no probe):\n\(oneWay.out)")
        #expect(oneWay.status == 0, "\(oneWay.out)\n\(oneWay.err)")
        #expect(oneWay.out.contains("\(master) -> \(target): ok") && !oneWay.out.contains("switch 2:"), "\(oneWay.out)")
        #expect(oneWay.out.contains("probe: skipped: the MySQL user \(MariaDBSandbox.topologyUser) may not write meta.orchd_drill"),
                "\(oneWay.out)")
        #expect(await sandbox.readOnly(2) == "0" && sandbox.port(2) > 0)
        #expect(await sandbox.readOnly(1) == "1")
    }
}
