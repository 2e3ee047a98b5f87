import Foundation
import OrchestratorTestKit
import Testing

/// A demoted MariaDB master has no replication user of its own (MariaDB keeps no
/// mysql.slave_master_info to read one from): without `MySQLReplicationUser` or
/// `ReplicationCredentialsQuery` a graceful takeover and make-co-master are refused before anything
/// changes; with `ReplicationCredentialsQuery` the demoted master replicates with the user it returns.
@Suite("orchd replication credentials: refused without, ReplicationCredentialsQuery honoured", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct ReplicationCredentialsIntegrationTests {
    static var noConfiguredUser: [String: Any] { ["MySQLReplicationUser": "", "MySQLReplicationPassword": ""] }

    private func readOnly(_ w: RefactorWorld, _ n: Int) async throws -> String {
        try await w.sandbox.sql(n, "SELECT @@global.read_only").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// tree: 1 primary; 2 and 3 replicate from 1; 4 from 3.
    @Test func withoutCredentialsTakeoverAndCoMasterAreRefusedBeforeAnyChange() async throws {
        let w = try await RefactorWorld.up("tree", alias: "repl-creds-none", overrides: Self.noConfiguredUser)
        do {
            let before = try await w.masterPorts()
            for command in ["graceful-master-takeover", "graceful-master-takeover-auto"] {
                let r = try await w.cli(["-c", command, "-a", "repl-creds-none", "-d", w.key(2)])
                #expect(r.status != 0, "\(command) exited 0: \(r.out)")
                #expect(r.err.contains("MySQLReplicationUser") && r.err.contains("ReplicationCredentialsQuery"), "\(command): \(r.err)")
            }
            let co = try await w.cli(["-c", "make-co-master", "-i", w.key(2)])
            #expect(co.status != 0, "make-co-master exited 0: \(co.out)")
            #expect(co.err.contains("ReplicationCredentialsQuery"), "make-co-master: \(co.err)")
            #expect(try await w.masterPorts() == before, "nothing was repointed")
            #expect(try await readOnly(w, 1) == "0", "the primary is still writable")
            #expect(try await readOnly(w, 2) == "1", "the designated replica was not promoted")
            try await w.expectReplicates(2, from: 1)
        } catch {
            await w.down()
            throw error
        }
        await w.down()
    }

    @Test func replicationCredentialsQueryGivesTheDemotedMasterItsUser() async throws {
        var overrides = Self.noConfiguredUser
        overrides["ReplicationCredentialsQuery"] = "SELECT 'orc_repl', 'orc_repl_pw'"
        let w = try await RefactorWorld.up("tree", alias: "repl-creds-query", overrides: overrides)
        do {
            let r = try await w.cli(["-c", "graceful-master-takeover-auto", "-a", "repl-creds-query", "-d", w.key(2)])
            #expect(r.status == 0, "\(r.err)")
            #expect(try await readOnly(w, 2) == "0", "the designated replica is the writable master")
            #expect(await w.eventually { (try? await w.harness.replicates(1, from: 2)) == true },
                    "the demoted master replicates from the new one with the query's user")
            let status = try #require(try await w.harness.slaveStatus(1))
            #expect(status["Master_User"] == "orc_repl", "\(status)")
        } catch {
            await w.down()
            throw error
        }
        await w.down()
    }
}
