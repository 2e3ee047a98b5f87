import Foundation
import Testing
import OrchestratorTestKit

/// `RecoverNonWriteableMaster`: a master with replicas left `read_only=1` is made writeable by the leader,
/// audited as a recovery of its own kind with the generic failover hooks (not the master-failover ones),
/// and, like any recovery, not repeated within RecoveryPeriodBlockSeconds.
@Suite("orchd group: RecoverNonWriteableMaster", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct OrchdNonWriteableMasterTests {
    @Test func aReadOnlyMasterIsMadeWriteableOnceAndAudited() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:2", alias: "nonwriteable")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "nonwriteable", overrides: ["RecoverNonWriteableMaster": true])
        defer { group.killAll() }
        for i in 0..<OrchdProcessGroup.size {
            try group.rewriteConfig(i, extra: [
                "PostFailoverProcesses": ["echo post-failover {failureType} {failedHost}:{failedPort} >> \(group.dir)/hooks.log"],
            ])
        }
        try group.startDiscovering(sandbox, through: 2, alias: "nonwriteable", instances: 2)
        #expect(await sandbox.readOnly(1) == "0")

        try await sandbox.sql(1, "SET GLOBAL read_only = 1")
        #expect(await eventuallyAsync(seconds: 40) { await sandbox.readOnly(1) == "0" }, "the leader made the master writeable")
        var audited: [[String: Any]] = []
        #expect(group.eventually(seconds: 30) {
            audited = try recoveries(group).filter { ($0["Type"] as? String) == "NonWriteableMasterRecovery" }
            return audited.count == 1 && (audited.first?["IsSuccessful"] as? Bool) == true
        }, "one successful NonWriteableMasterRecovery in the audit: \(audited)")
        let master = "127.0.0.1:\(sandbox.port(1))"
        #expect(group.eventually { group.hookLog.contains("post-failover NoWriteableMasterStructureWarning \(master)") },
                "PostFailoverProcesses ran: \(group.hookLog)")
        #expect(!group.hookLog.contains { $0.hasPrefix("promoted") }, "no master-failover hook for an unlock: \(group.hookLog)")

        // Within the block period the same problem is detected but not recovered again.
        try await sandbox.sql(1, "SET GLOBAL read_only = 1")
        #expect(group.eventually(seconds: 30) {
            try apiJSON(group, "replication-analysis").contains { ($0["Analysis"] as? String) == "NoWriteableMasterStructureWarning" }
        }, "the read-only master is detected again")
        try await Task.sleep(for: .seconds(5))
        #expect(await sandbox.readOnly(1) == "1", "a second unlock waits for the block period or an acknowledgement")
        #expect(try recoveries(group).filter { ($0["Type"] as? String) == "NonWriteableMasterRecovery" }.count == 1)
    }
}
