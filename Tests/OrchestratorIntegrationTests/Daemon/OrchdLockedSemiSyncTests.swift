import Foundation
import Testing
import OrchestratorTestKit

/// A MariaDB master with semi-sync on and no semi-sync replica acknowledging: LockedSemiSyncMasterHypothesis
/// at first, LockedSemiSyncMaster once its binlog has not moved for ReasonableLockedSemiSyncMasterSeconds.
@Suite("orchd group: LockedSemiSyncMaster", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct OrchdLockedSemiSyncTests {
    @Test func aSemiSyncMasterWithoutAcknowledgementsIsLockedOnceItsBinlogStaysStill() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:2", alias: "semisync")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "semisync", overrides: ["ReasonableLockedSemiSyncMasterSeconds": 3])
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 2, alias: "semisync", instances: 2)

        // Semi-sync on, with a timeout long enough that the master keeps waiting for an acknowledgement
        // no replica sends (none has semi-sync enabled).
        try await sandbox.sql(1, "SET GLOBAL rpl_semi_sync_master_timeout = 100000000; "
            + "SET GLOBAL rpl_semi_sync_master_enabled = ON")
        let status = try await sandbox.sql(1, "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_status'")
        #expect(status.contains("ON"), "MariaDB reports semi-sync active: \(status)")

        let master = "\(sandbox.port(1))"
        func analysis() throws -> String? {
            try apiJSON(group, "replication-analysis").first {
                ($0["AnalyzedInstanceKey"] as? [String: Any]).map { "\($0["Port"] ?? "")" } == master
            }?["Analysis"] as? String
        }
        #expect(group.eventually(seconds: 60) { try analysis() == "LockedSemiSyncMaster" },
                "the master is locked after 3 s without binlog movement: \(String(describing: try? analysis()))")
        try await sandbox.sql(1, "SET GLOBAL rpl_semi_sync_master_enabled = OFF")
        #expect(group.eventually { try analysis() != "LockedSemiSyncMaster" }, "no longer locked once semi-sync is off")
    }
}
