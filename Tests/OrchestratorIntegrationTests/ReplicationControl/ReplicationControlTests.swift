import Foundation
import OrchestratorCore
import OrchestratorServer
import OrchestratorTestKit
import Testing

/// Replication control and GTID hygiene end to end: a MariaDB `tree` sandbox (1 master; 2 and 3 below
/// it; 4 below 3), three real orchd nodes, driven by the real orchestrator-client; every effect is
/// checked on the MariaDB side.
@Suite("orchd replication control + errant GTIDs (3 real orchd, MariaDB tree)", .serialized,
       .disabled(if: MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct ReplicationControlTests {
    /// The sandbox, the group and a topology-user pool for reading `SHOW SLAVE STATUS` by column.
    struct Fixture {
        let sandbox: MariaDBSandbox
        let group: OrchdProcessGroup
        let pool: MySQLConnectionPool

        func instance(_ n: Int) -> String { "127.0.0.1:\(sandbox.port(n))" }

        func cli(_ arguments: String...) throws -> (status: Int32, out: String, err: String) { try group.cli(arguments) }

        /// `-c api -P path` (the raw response).
        func api(_ path: String) throws -> String { try group.cli(["-c", "api", "-P", path]).out }

        func value(_ n: Int, _ sql: String) async throws -> String {
            try await sandbox.sql(n, sql).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func slaveStatus(_ n: Int) async throws -> MySQLRow? {
            try await pool.withConnection(to: MySQLEndpoint(host: "127.0.0.1", port: sandbox.port(n))) {
                try await $0.query("SHOW SLAVE STATUS").first
            }
        }

        func threads(_ n: Int) async throws -> String {
            guard let row = try await slaveStatus(n) else { return "not a replica" }
            return "\(row["Slave_IO_Running"] ?? "?")/\(row["Slave_SQL_Running"] ?? "?")"
        }

        func replicating(_ n: Int) async -> Bool { (try? await threads(n)) == "Yes/Yes" }
    }

    static func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "tree", alias: "control-test")
        defer { sandbox.down() }
        let group = try OrchdProcessGroup(name: "control")
        defer { group.killAll() }
        try group.startAll()
        let pool = MySQLConnectionPool(config: MySQLClientConfig(
            user: MariaDBSandbox.topologyUser, password: MariaDBSandbox.topologyPassword))
        let fixture = Fixture(sandbox: sandbox, group: group, pool: pool)
        #expect(group.eventually { group.leader() != nil }, "a leader is elected")
        #expect(group.eventually { try group.cli(["-c", "discover", "-i", fixture.instance(4)]).status == 0 })
        #expect(group.eventually {
            try group.cli(["-c", "which-cluster-instances", "-a", "control-test"]).out.split(separator: "\n").count == 4
        })
        do { try await body(fixture) } catch {
            await pool.shutdown()
            throw error
        }
        await pool.shutdown()
    }

    @Test func controlCommandsChangeRealReplicationAndErrantGTIDsAreRepaired() async throws {
        try await Self.withFixture { f in
            let r2 = f.instance(2)
            let master = f.instance(1)

            // stop / start, checked in SHOW SLAVE STATUS.
            let stop = try f.cli("-c", "stop-replica", "-i", r2)
            #expect(stop.status == 0 && stop.out == r2, "\(stop.err)")
            #expect(try await f.threads(2) == "No/No")
            #expect(try f.cli("-c", "is-replication-stopped", "-i", r2).out == r2, "orchd's view followed at once")
            let start = try f.cli("-c", "start-replica", "-i", r2)
            #expect(start.status == 0 && start.out == r2, "\(start.err)")
            #expect(await eventuallyAsync { await f.replicating(2) })

            // Sent to a follower only: proxied to the leader, which runs it.
            let leader = try #require(f.group.leader())
            let follower = (try #require(f.group.index(ofRaftID: leader)) + 1) % OrchdProcessGroup.size
            let viaFollower = try f.group.cli(["-c", "stop-replica", "-i", f.instance(3)], apis: f.group.api(follower))
            #expect(viaFollower.status == 0 && viaFollower.out == f.instance(3), "\(viaFollower.err)")
            #expect(try await f.threads(3) == "No/No")
            let startViaFollower = try f.group.cli(["-c", "start-replica", "-i", f.instance(3)], apis: f.group.api(follower))
            #expect(startViaFollower.status == 0, "\(startViaFollower.err)")
            #expect(await eventuallyAsync { await f.replicating(3) })

            // --noop: the SQL is printed and nothing changes.
            let noop = try f.cli("-c", "stop-replica", "-i", r2, "--noop")
            #expect(noop.status == 0 && noop.out == "STOP SLAVE", "\(noop)")
            let noopDelay = try f.group.cli(["-c", "delay-replication", "-i", r2, "-S", "30", "--noop"])
            #expect(noopDelay.out.split(separator: "\n") == ["STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY=30", "START SLAVE"],
                    "\(noopDelay)")
            #expect(await f.replicating(2), "a dry run leaves replication running")
            #expect(try await f.slaveStatus(2)?.int("SQL_Delay") == 0)

            // Refusals leave replication untouched.
            let reset = try f.cli("-c", "reset-replica", "-i", r2)
            #expect(reset.status != 0 && reset.err.contains("stop it first"), "\(reset.err)")
            let writeable = try f.cli("-c", "set-writeable", "-i", r2)
            #expect(writeable.status != 0 && writeable.err.contains("force=true"), "\(writeable.err)")
            #expect(try await f.value(2, "SELECT @@read_only") == "1")
            let skipHealthy = try f.cli("-c", "skip-query", "-i", r2)
            #expect(skipHealthy.status != 0 && skipHealthy.err.contains("no failing transaction"), "\(skipHealthy.err)")
            #expect(await f.replicating(2))

            // read_only both ways on a stopped replica.
            _ = try f.cli("-c", "stop-replica", "-i", r2)
            #expect(try f.cli("-c", "set-writeable", "-i", r2).status == 0)
            #expect(try await f.value(2, "SELECT @@read_only") == "0")
            #expect(try f.cli("-c", "set-read-only", "-i", r2).status == 0)
            #expect(try await f.value(2, "SELECT @@read_only") == "1")
            #expect(try f.cli("-c", "start-replica", "-i", r2).status == 0)

            // delay-replication: SQL_Delay, threads kept running.
            let delay = try f.group.cli(["-c", "delay-replication", "-i", r2, "-S", "7"])
            #expect(delay.status == 0, "\(delay.err)")
            #expect(try await f.slaveStatus(2)?.int("SQL_Delay") == 7)
            #expect(await eventuallyAsync { await f.replicating(2) })
            _ = try f.group.cli(["-c", "delay-replication", "-i", r2, "-S", "0"])
            #expect(try await f.slaveStatus(2)?.int("SQL_Delay") == 0)

            // flush-binary-logs: a new binary log file on the master.
            let before = try await f.value(1, "SHOW MASTER STATUS").split(separator: "\t").first.map(String.init) ?? ""
            #expect(try f.cli("-c", "flush-binary-logs", "-i", master).status == 0)
            let after = try await f.value(1, "SHOW MASTER STATUS").split(separator: "\t").first.map(String.init) ?? ""
            #expect(!before.isEmpty && after > before, "\(before) -> \(after)")

            // purge-binary-logs: refused while replica 2 (stopped) still reads an older file, then done.
            _ = try f.cli("-c", "stop-replica", "-i", r2)
            #expect(try f.cli("-c", "flush-binary-logs", "-i", master).status == 0)
            let newest = try await f.value(1, "SHOW MASTER STATUS").split(separator: "\t").first.map(String.init) ?? ""
            let refused = try f.group.cli(["-c", "purge-binary-logs", "-i", master, "-n", newest])
            #expect(refused.status != 0 && refused.err.contains(r2), "\(refused.err)")
            #expect(try await f.value(1, "SHOW BINARY LOGS").split(separator: "\n").count >= 3, "nothing was purged")
            #expect(try f.cli("-c", "start-replica", "-i", r2).status == 0)
            #expect(f.group.eventually { try f.group.cli(["-c", "purge-binary-logs", "-i", master, "-n", newest]).status == 0 },
                    "purged once every replica reads \(newest)")
            #expect(try await f.value(1, "SHOW BINARY LOGS").split(separator: "\t").first.map(String.init) == newest)

            // Semi-sync (built into MariaDB 10.11), both sides, back off again.
            #expect(try f.cli("-c", "enable-semi-sync-master", "-i", master).status == 0)
            #expect(try await f.value(1, "SELECT @@rpl_semi_sync_master_enabled") == "1")
            #expect(try f.cli("-c", "disable-semi-sync-master", "-i", master).status == 0)
            #expect(try await f.value(1, "SELECT @@rpl_semi_sync_master_enabled") == "0")
            #expect(try f.cli("-c", "enable-semi-sync-replica", "-i", r2).status == 0)
            #expect(try await f.value(2, "SELECT @@rpl_semi_sync_slave_enabled") == "1")
            #expect(try f.cli("-c", "disable-semi-sync-replica", "-i", r2).status == 0)
            #expect(try await f.value(2, "SELECT @@rpl_semi_sync_slave_enabled") == "0")
            #expect(await eventuallyAsync { await f.replicating(2) })

            // change-master-credentials keeps replication running; restart-replica-statements only prints.
            let creds = try f.cli("-c", "change-master-credentials", "-i", r2)
            #expect(creds.status == 0, "\(creds.err)")
            #expect(try await f.slaveStatus(2)?["Master_User"] == "orc_repl")
            #expect(await eventuallyAsync { await f.replicating(2) })
            let credsNoop = try f.cli("-c", "change-master-credentials", "-i", r2, "--noop")
            #expect(credsNoop.out.contains("MASTER_PASSWORD='****'") && !credsNoop.out.contains("orc_repl_pw"), "\(credsNoop.out)")
            let wrapped = try f.group.cli(["-c", "restart-replica-statements", "-i", r2, "-q", "ALTER TABLE t.x ENGINE=InnoDB"])
            #expect(wrapped.out == #"[ "STOP SLAVE", "ALTER TABLE t.x ENGINE=InnoDB", "START SLAVE" ]"#, "\(wrapped)")

            // detach / reattach the master host.
            #expect(try f.cli("-c", "detach-replica-master-host", "-i", r2).status == 0)
            #expect(try await f.slaveStatus(2)?["Master_Host"] == "//127.0.0.1")
            #expect(try await f.slaveStatus(2)?["Slave_IO_Running"] == "No")
            #expect(try f.cli("-c", "start-replica", "-i", r2).status != 0, "start on a detached replica is refused")
            #expect(try f.cli("-c", "reattach-replica-master-host", "-i", r2).status == 0)
            #expect(try await f.slaveStatus(2)?["Master_Host"] == "127.0.0.1")
            #expect(await eventuallyAsync { await f.replicating(2) })

            // start-replica answers once both threads run: with a wrong replication password it fails
            // after its bounded wait, naming the IO thread's error.
            _ = try await f.sandbox.sql(2, "STOP SLAVE; CHANGE MASTER TO MASTER_PASSWORD='wrong'")
            let failing = try f.group.cli(["-c", "api", "-P", "start-replica/127.0.0.1/\(f.sandbox.port(2))?timeout=2"])
            #expect(failing.status != 0, "\(failing)")
            #expect((failing.out + failing.err).contains("1045"), "the reason names the IO error: \(failing)")
            #expect(try f.cli("-c", "change-master-credentials", "-i", r2).status == 0)
            let restarted = try f.cli("-c", "start-replica", "-i", r2)
            #expect(restarted.status == 0, "\(restarted.err)")
            #expect(await f.replicating(2), "start-replica answered once both threads ran")

            // skip-query on a real duplicate-key failure.
            _ = try await f.sandbox.sql(1, "CREATE DATABASE IF NOT EXISTS t; CREATE TABLE t.dup (id INT PRIMARY KEY)")
            #expect(await eventuallyAsync { (try? await f.value(2, "SELECT COUNT(*) FROM t.dup")) == "0" })
            _ = try await f.sandbox.sql(2, "SET SESSION sql_log_bin = 0; INSERT INTO t.dup VALUES (1)")
            _ = try await f.sandbox.sql(1, "INSERT INTO t.dup VALUES (1)")
            #expect(await eventuallyAsync { (try? await f.slaveStatus(2))??.int("Last_SQL_Errno") == 1062 })
            let skip = try f.cli("-c", "skip-query", "-i", r2)
            #expect(skip.status == 0, "\(skip.err)")
            _ = try await f.sandbox.sql(1, "INSERT INTO t.dup VALUES (2)")
            #expect(await eventuallyAsync { (try? await f.value(2, "SELECT COUNT(*) FROM t.dup WHERE id = 2")) == "1" })
            #expect(await f.replicating(2))

            // Errant GTID: a write on replica 2 with the binary log on.
            _ = try await f.sandbox.sql(1, "CREATE TABLE t.errant (id INT PRIMARY KEY)")
            #expect(await eventuallyAsync { (try? await f.value(2, "SELECT COUNT(*) FROM t.errant")) == "0" })
            _ = try await f.sandbox.sql(2, "INSERT INTO t.errant VALUES (1)")
            let errantGTID = try await f.value(2, "SELECT @@gtid_binlog_pos")
            var errant = ""
            #expect(f.group.eventually {
                errant = try f.cli("-c", "which-gtid-errant", "-i", r2).out
                return !errant.isEmpty
            }, "which-gtid-errant reports the replica's own write")
            #expect(errant == errantGTID, "\(errant) vs \(errantGTID)")
            let located = try f.cli("-c", "locate-gtid-errant", "-i", r2)
            #expect(located.status == 0, "\(located.err)")
            let files = located.out.split(separator: "\n").map(String.init)
            #expect(files.count == 1, "\(located.out)")
            if let file = files.first {
                let events = try await f.value(2, "SHOW BINLOG EVENTS IN '\(file)'")
                #expect(events.contains("GTID \(errantGTID)"), "the located file holds the errant transaction")
            }
            let reset2 = try f.cli("-c", "gtid-errant-reset-master", "-i", r2)
            #expect(reset2.status != 0 && reset2.err.contains("gtid-errant-inject-empty"), "\(reset2.err)")
            let dry = try f.api("gtid-errant-inject-empty/127.0.0.1/\(f.sandbox.port(2))?noop=true")
            #expect(dry.contains("gtid_seq_no") && dry.contains("FLUSH HOSTS"), "\(dry)")
            #expect(try f.cli("-c", "which-gtid-errant", "-i", r2).out == errantGTID, "the dry run changed nothing")

            let inject = try f.cli("-c", "gtid-errant-inject-empty", "-i", r2)
            #expect(inject.status == 0 && inject.out == r2, "\(inject.err)")
            #expect(try f.cli("-c", "which-gtid-errant", "-i", r2).out.isEmpty, "the answer already shows it repaired")
            let again = try f.cli("-c", "gtid-errant-inject-empty", "-i", r2)
            #expect(again.status != 0 && again.err.contains("no errant GTID is found"), "a repaired instance is refused: \(again)")
            let masterState = try await f.value(1, "SELECT @@gtid_binlog_state")
            #expect(masterState.split(separator: ",").contains(Substring(errantGTID)), "the master binlogged it: \(masterState)")
            let masterPositions = try await f.value(1, "SELECT @@gtid_binlog_pos, @@gtid_current_pos").split(separator: "\t")
            #expect(masterPositions.count == 2 && masterPositions[0] == masterPositions[1],
                    "the master's current_pos still follows its own binlog: \(masterPositions)")
            for n in 2...4 { #expect(await eventuallyAsync { await f.replicating(n) }, "instance \(n) replicates") }
            // Replication still carries writes everywhere, and nobody reports errant GTIDs.
            _ = try await f.sandbox.sql(1, "INSERT INTO t.dup VALUES (3)")
            for n in 2...4 {
                #expect(await eventuallyAsync { (try? await f.value(n, "SELECT COUNT(*) FROM t.dup WHERE id = 3")) == "1" })
            }
            // Below an intermediate master (4 replicates from 3): the no-op travels 1 -> 3 -> 4.
            let r4 = f.instance(4)
            _ = try await f.sandbox.sql(4, "INSERT INTO t.errant VALUES (4)")
            #expect(f.group.eventually { !(try f.cli("-c", "which-gtid-errant", "-i", r4).out.isEmpty) })
            let inject4 = try f.cli("-c", "gtid-errant-inject-empty", "-i", r4)
            #expect(inject4.status == 0, "\(inject4.err)")
            #expect(f.group.eventually { try f.cli("-c", "which-gtid-errant", "-i", r4).out.isEmpty })
            _ = try await f.sandbox.sql(1, "INSERT INTO t.dup VALUES (4)")
            for n in 2...4 {
                #expect(await eventuallyAsync { (try? await f.value(n, "SELECT COUNT(*) FROM t.dup WHERE id = 4")) == "1" })
                #expect(await f.replicating(n), "instance \(n) replicates")
            }

            let all = try JSONSerialization.jsonObject(with: Data(try f.api("all-instances").utf8)) as? [[String: Any]] ?? []
            #expect(all.count == 4, "\(all.map { $0["Key"] ?? "" })")
            #expect(all.allSatisfy { ($0["GtidErrant"] as? String) == "" }, "no instance has errant GTIDs left")
        }
    }
}
