import Foundation
import OrchestratorCore
import OrchestratorServer
import OrchestratorTestKit

/// Operations wired to a sandbox the way the executor will wire them: the topology user's pool and the
/// sandbox's replication user.
struct OperationsHarness {
    static let replication = ReplicationCredentials(user: "orc_repl", password: "orc_repl_pw")

    let sandbox: MariaDBSandbox
    let pool: MySQLConnectionPool
    let ops: ReplicationOperations

    init(_ sandbox: MariaDBSandbox) {
        self.sandbox = sandbox
        pool = MySQLConnectionPool(config: MySQLClientConfig(
            user: MariaDBSandbox.topologyUser, password: MariaDBSandbox.topologyPassword, readTimeoutSeconds: 10))
        ops = ReplicationOperations(pool: pool, options: .init(credentials: Self.replication))
    }

    func key(_ n: Int) -> InstanceKey { InstanceKey(hostname: "127.0.0.1", port: sandbox.port(n)) }

    /// `SHOW SLAVE STATUS` read directly with the client, by column name (not through the code under
    /// test); nil when not a replica.
    func slaveStatus(_ n: Int) async throws -> MySQLRow? {
        try await pool.withConnection(to: MySQLEndpoint(host: "127.0.0.1", port: sandbox.port(n))) {
            try await $0.query("SHOW SLAVE STATUS").first
        }
    }

    /// Scalar query as root through the sandbox script.
    func value(_ n: Int, _ sql: String) async throws -> String {
        try await sandbox.sql(n, sql).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// MariaDB's view: instance `n` replicates from instance `master` with both threads running.
    func replicates(_ n: Int, from master: Int) async throws -> Bool {
        guard let row = try await slaveStatus(n) else { return false }
        return row.int("Master_Port") == Int64(sandbox.port(master)) && row["Slave_IO_Running"] == "Yes"
            && row["Slave_SQL_Running"] == "Yes"
    }

    /// Writes a row on `writer` and waits (by GTID, through the code under test) until `readers` have it;
    /// returns whether each reader then holds the row.
    func rowArrives(writer: Int, readers: [Int], marker: String) async throws -> [Bool] {
        _ = try await sandbox.sql(writer, "CREATE TABLE IF NOT EXISTS meta.ops_probe (marker VARCHAR(64) PRIMARY KEY)")
        _ = try await sandbox.sql(writer, "INSERT INTO meta.ops_probe VALUES ('\(marker)')")
        let position = try await ops.currentGTIDPosition(key(writer))
        var found: [Bool] = []
        for r in readers {
            _ = try await ops.waitForGTID(key(r), position: position, timeoutSeconds: 20)
            let count = try await value(r, "SELECT COUNT(*) FROM meta.ops_probe WHERE marker = '\(marker)'")
            found.append(count == "1")
        }
        return found
    }

    func shutdown() async {
        await pool.shutdown()
        sandbox.down()
    }
}

extension OperationsHarness {
    /// Runs `body` on a fresh sandbox, which is torn down afterwards whatever happens.
    static func withSandbox(_ topology: String, _ body: (OperationsHarness) async throws -> Void) async throws {
        let sandbox = try await MariaDBSandbox.up(topology: topology)
        let harness = OperationsHarness(sandbox)
        do {
            try await body(harness)
        } catch {
            await harness.shutdown()
            throw error
        }
        await harness.shutdown()
    }
}
