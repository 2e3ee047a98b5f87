import Foundation
import Testing
import OrchestratorTestKit

/// A real orchd group managing servers that accept only TLS (`Scripts/sandbox --tls`): discovery, a
/// relocate and a failover, all through `MySQLTopologyUseMutualTLS` connections. The servers refuse
/// plain TCP, so every probe, operation and master watch that works here went over TLS.
@Suite("orchd over TLS to MySQL", .serialized, .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct OrchdMySQLTLSTests {
    @Test func relocateAndFailoverOverTLS() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: "tls-test", tls: true)
        defer { sandbox.down() }
        let tls = sandbox.tlsDirectory
        let group = try OrchdProcessGroup(name: "mysql-tls", overrides: [
            "MySQLTopologyUseMutualTLS": true,
            "MySQLTopologySSLCAFile": tls + "/ca.pem",
            "MySQLTopologySSLCertFile": tls + "/client-cert.pem",
            "MySQLTopologySSLPrivateKeyFile": tls + "/client-key.pem",
        ])
        defer { group.killAll() }
        try group.startDiscovering(sandbox, through: 4, alias: "tls-test", instances: 4)
        _ = try await sandbox.sql(1, "CREATE DATABASE IF NOT EXISTS t; CREATE TABLE IF NOT EXISTS t.x (id INT PRIMARY KEY); INSERT INTO t.x VALUES (1)")

        // Relocate 4 from under 3 to under 1 (whoever leads runs it; the CLI finds the leader).
        let relocate = try group.cli(["-c", "relocate", "-i", "127.0.0.1:\(sandbox.port(4))", "-d", "127.0.0.1:\(sandbox.port(1))"])
        #expect(relocate.status == 0, "\(relocate.err)")
        #expect(await eventuallyAsync {
            // Vertical output without names: one value per line; Master_Port is the 5th, then the IO and
            // SQL threads' "Yes" further down.
            let lines = ((try? await sandbox.sql(4, "SHOW SLAVE STATUS\\G")) ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            return lines.count > 12 && lines[4] == String(sandbox.port(1)) && lines[11] == "Yes" && lines[12] == "Yes"
        }, "instance 4 replicates from 1 (over TLS: its MASTER_SSL settings were kept)")

        // Failover: kill -9 of the master; a replica is promoted and the others follow it.
        let oldMaster = "127.0.0.1:\(sandbox.port(1))"
        try await sandbox.kill(1)
        var newMaster = ""
        #expect(group.eventually {
            newMaster = try group.cli(["-c", "which-cluster-master", "-a", "tls-test"]).out
            return !newMaster.isEmpty && newMaster != oldMaster
        }, "a new master is promoted")
        let promoted = try #require(Int(newMaster.split(separator: ":").last ?? ""))
        let promotedN = promoted - sandbox.basePort + 1
        _ = try await sandbox.sql(promotedN, "INSERT INTO t.x VALUES (2)")
        for n in 2...4 where n != promotedN {
            #expect(await eventuallyAsync {
                (try? await sandbox.sql(n, "SELECT COUNT(*) FROM t.x").trimmingCharacters(in: .whitespacesAndNewlines)) == "2"
            }, "instance \(n) received the write made on the new master")
        }
        let audit = try group.cli(["-c", "api", "-P", "audit-recovery"]).out
        let recoveries = try #require(try JSONSerialization.jsonObject(with: Data(audit.utf8)) as? [[String: Any]])
        #expect(recoveries.count == 1 && recoveries.first?["IsSuccessful"] as? Bool == true, "\(audit)")
    }
}
