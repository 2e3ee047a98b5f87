import Foundation
import OrchestratorCore
import OrchestratorServer
import Testing

/// The SQLite store on a temporary file.
final class InstanceStoreTests {
    private var directories: [URL] = []

    deinit {
        for dir in directories { try? FileManager.default.removeItem(at: dir) }
    }

    private func temporaryDatabase() throws -> (InstanceStore, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("orchd-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        directories.append(dir)
        let path = dir.appendingPathComponent("orchd.sqlite").path
        return (InstanceStore(database: try BackendDatabase(path: path)), path)
    }

    private func record(_ host: String, _ port: Int, cluster: String, seen: Int64?) -> InstanceRecord {
        var instance = Instance(key: InstanceKey(hostname: host, port: port))
        instance.serverID = Int64(port)
        instance.version = "10.11.19-MariaDB"
        instance.clusterName = cluster
        instance.masterKey = cluster == "\(host):\(port)" ? nil : try? InstanceKey(parsing: cluster)
        instance.replicationIOThreadState = .running
        instance.secondsBehindMaster = seen.map { _ in 3 }
        instance.gtidCurrentPos = "0-1-\(port)"
        instance.lastSeenTimestamp = seen.map { Timestamp(secondsSinceEpoch: $0) }
        instance.isLastCheckValid = seen != nil
        instance.lastError = seen == nil ? "MySQL error 2003" : ""
        return InstanceRecord(
            instance: instance, clusterAlias: "alias-\(cluster)", clusterDomain: "d",
            firstChecked: Timestamp(secondsSinceEpoch: 1_000), lastChecked: Timestamp(secondsSinceEpoch: 2_000),
            lastAttemptedCheck: Timestamp(secondsSinceEpoch: 2_000))
    }

    @Test("upsert, read by key, by cluster and all; an update replaces the row")
    func upsertAndRead() async throws {
        let (store, _) = try temporaryDatabase()
        let a = record("db1", 3306, cluster: "db1:3306", seen: 1_500)
        let b = record("db2", 3306, cluster: "db1:3306", seen: 1_500)
        let c = record("db9", 3306, cluster: "db9:3306", seen: nil)
        try await store.upsert([a, b, c])
        #expect(try await store.record(a.key) == a)
        #expect(try await store.records(cluster: "db1:3306").map(\.key) == [a.key, b.key])
        #expect(try await store.allRecords().count == 3)
        #expect(try await store.clusterNames() == ["db1:3306", "db9:3306"])

        var changed = b
        changed.instance.readOnly = true
        changed.instance.replicationDepth = 1
        try await store.upsert(changed)
        #expect(try await store.record(b.key) == changed)
        #expect(try await store.allRecords().count == 3)
        #expect(try await store.record(InstanceKey(hostname: "nope", port: 1)) == nil)
    }

    @Test("forget one, and forget those unseen since a cutoff (never-seen ones by their first check)")
    func forgetting() async throws {
        let (store, _) = try temporaryDatabase()
        let old = record("old", 1, cluster: "old:1", seen: 1_500)
        let fresh = record("fresh", 1, cluster: "fresh:1", seen: 900_000)
        let never = record("never", 1, cluster: "never:1", seen: nil)
        try await store.upsert([old, fresh, never])
        #expect(try await store.forget(fresh.key))
        #expect(try await !store.forget(fresh.key))
        try await store.upsert(fresh)
        let forgotten = try await store.forgetUnseen(before: Timestamp(secondsSinceEpoch: 500_000))
        #expect(Set(forgotten) == [old.key, never.key])
        #expect(try await store.allRecords().map(\.key) == [fresh.key])
    }

    @Test("hostile values are stored and read back as data")
    func hostileValues() async throws {
        let (store, _) = try temporaryDatabase()
        var r = record("x'); DROP TABLE database_instance; --", 3306, cluster: "c", seen: 1)
        r.clusterAlias = "\"; DELETE FROM database_instance; \\"
        r.instance.lastError = "it's 'quoted'\n\u{0}"
        try await store.upsert(r)
        #expect(try await store.record(r.key) == r)
        #expect(try await store.allRecords().count == 1)
    }

    @Test("the sqlite3 shell reads the columns", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
    func sqliteShell() async throws {
        let (store, path) = try temporaryDatabase()
        try await store.upsert(record("db2", 3307, cluster: "db1:3306", seen: 1_500))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [
            path,
            "SELECT hostname, port, master_host, master_port, cluster_name, cluster_alias, io_thread_state, "
                + "seconds_behind_master, executed_gtid_set, last_seen, is_last_check_valid FROM database_instance",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: data, as: UTF8.self)
            == "db2|3307|db1|3306|db1:3306|alias-db1:3306|1|3|0-1-3307|1970-01-01 00:25:00|1\n")
    }

    @Test("migrations are recorded and reopening is idempotent; a bad path names the setting")
    func migrations() async throws {
        let (_, path) = try temporaryDatabase()
        let again = try BackendDatabase(path: path)
        #expect(try again.appliedMigrations() == ["001_database_instance", "002_operator_intent", "003_topology_recovery", "004_failure_detection"])
        #expect(throws: BackendDatabaseError.self) { try BackendDatabase(path: "/nonexistent-dir/x/orchd.sqlite") }
        do {
            _ = try BackendDatabase(path: "/nonexistent-dir/x/orchd.sqlite")
        } catch {
            #expect("\(error)".contains("SQLite3DataFile"))
        }
    }
}
