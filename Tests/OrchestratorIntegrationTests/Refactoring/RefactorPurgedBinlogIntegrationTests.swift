import Foundation
import OrchestratorServer
import OrchestratorTestKit
import Testing

/// MariaDB purged binary logs end to end: a replica that fell behind the new master's oldest binary log
/// is refused by the real orchestrator-client, and replication stays as it was.
@Suite("orchd refactoring: MariaDB purged binary logs", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct RefactorPurgedBinlogIntegrationTests {
    /// tree: 1 primary; 2 and 3 replicate from 1; 4 from 3.
    @Test func aReplicaBehindThePurgedBinlogsIsRefused() async throws {
        try await RefactorWorld.with("tree", alias: "refactor-purged", scenario)
    }

    private func scenario(_ w: RefactorWorld) async throws {
        let h = w.harness
        // 2 stops replicating; 1 writes, which 3 (and 4) apply; 1 and 3 then purge every older binlog.
        _ = try await w.sandbox.sql(2, "STOP SLAVE")
        let stalled = try await h.value(2, "SELECT @@gtid_slave_pos")
        try await w.expectRowArrives(writer: 1, readers: [3, 4], marker: "purged-while-2-stopped")
        for n in [1, 3] { #expect(try await purgeAllButCurrent(w, n), "PURGE BINARY LOGS on \(n) left only the current binlog") }
        let oldest = try #require(try await firstBinlog(w, 3))
        let start = try #require(try await query(w, 3, "SELECT BINLOG_GTID_POS(?, 4)", .string(oldest)).first?[position: 0])
        #expect(!start.isEmpty && start != "NULL", "3's oldest binlog starts past the write: \(start)")

        // orchd's probe reads the same start position.
        #expect(await w.eventually { await oldestStart(w, 3) == start }, "orchd sees 3's oldest binlog start \(start)")

        let before = try await w.masterPorts()
        let refused = try await w.cli(["-c", "relocate", "-i", w.key(2), "-d", w.key(3)])
        #expect(refused.status != 0, "\(refused.out)")
        for part in ["\(w.key(3)) has purged binary logs \(w.key(2)) still needs", "GTID domain 0",
                     "\(w.key(2)) is at \(stalled) (gtid_slave_pos)", "starts after \(start)", "re-clone \(w.key(2))"] {
            #expect(refused.err.contains(part), "\(part) in: \(refused.err)")
        }
        // Replication of 2 is as it was: still pointed at 1, still stopped, at the same position.
        #expect(try await w.masterPorts() == before)
        let row = try await h.slaveStatus(2)
        #expect(row?["Slave_IO_Running"] == "No" && row?["Slave_SQL_Running"] == "No")
        #expect(try await h.value(2, "SELECT @@gtid_slave_pos") == stalled)

        // 4 never purged: it still has every binlog, so 2 may move below it and catch up.
        let moved = try await w.cli(["-c", "relocate", "-i", w.key(2), "-d", w.key(4)])
        #expect(moved.status == 0 && moved.out == w.moved(2, below: 4), "\(moved.err)")
        try await w.expectReplicates(2, from: 4)
        try await w.expectRowArrives(writer: 1, readers: [2], marker: "purged-2-caught-up")
    }

    /// `FLUSH BINARY LOGS`, then `PURGE BINARY LOGS TO` the new current file until it is the only one
    /// (MariaDB keeps a file until its binlog checkpoint passes it, so one PURGE may leave it).
    private func purgeAllButCurrent(_ w: RefactorWorld, _ n: Int) async throws -> Bool {
        _ = try await w.sandbox.sql(n, "FLUSH BINARY LOGS")
        let file = try #require(try await query(w, n, "SHOW MASTER STATUS").first?["File"])
        return await w.eventually {
            _ = try? await w.sandbox.sql(n, "PURGE BINARY LOGS TO '\(file)'")
            return (try? await firstBinlog(w, n)) == file
        }
    }

    /// A query on instance `n` with the topology user, values bound (not through the code under test).
    private func query(_ w: RefactorWorld, _ n: Int, _ sql: String, _ values: MySQLValue...) async throws -> MySQLResultSet {
        try await w.harness.pool.withConnection(to: MySQLEndpoint(host: "127.0.0.1", port: w.sandbox.port(n))) {
            try await $0.query(sql, values: values)
        }
    }

    private func firstBinlog(_ w: RefactorWorld, _ n: Int) async throws -> String? {
        try await query(w, n, "SHOW BINARY LOGS").first?[position: 0]
    }

    /// orchd's `MariaDBOldestBinlogGTIDPosition` of instance `n`, from the leader's API.
    private func oldestStart(_ w: RefactorWorld, _ n: Int) async -> String? {
        guard let r = try? await w.cli(["-c", "api", "-P", "instance/127.0.0.1/\(w.sandbox.port(n))"]), r.status == 0,
              let object = try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] else { return nil }
        return object["MariaDBOldestBinlogGTIDPosition"] as? String
    }
}
