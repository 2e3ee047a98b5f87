import Foundation
import OrchestratorCore
import OrchestratorServer
import OrchestratorTestKit
import Testing

/// ReplicationOperations against real MariaDB sandboxes; every check of the outcome reads MariaDB's own
/// view (SHOW SLAVE STATUS, @@read_only, rows arriving).
@Suite(.serialized, .enabled(if: !MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct ReplicationOperationsTests {
    @Test("tree: repoint by GTID, data flows; stop/start/restart; read_only both ways; GTID waits; delay; flush")
    func treeOperations() async throws {
        try await OperationsHarness.withSandbox("tree") { h in
            let ops = h.ops
            // 4 replicates from 3; move it under 2 by GTID.
            #expect(try await h.replicates(4, from: 3))
            let moved = try await ops.repoint(h.key(4), to: h.key(2), positioning: .mariadbSlavePos)
            #expect(moved.statements.first == "STOP SLAVE")
            #expect(moved.statements.contains { $0.contains("MASTER_PORT=\(h.sandbox.port(2))") && $0.contains("MASTER_PASSWORD='****'") })
            let status = try await ops.waitUntilReplicating(h.key(4), from: h.key(2), timeoutSeconds: 20)
            #expect(status?.masterPort == h.sandbox.port(2))
            #expect(try await h.replicates(4, from: 2))
            #expect(try await h.slaveStatus(4)?["Using_Gtid"] == "Slave_Pos")
            #expect(try await h.rowArrives(writer: 1, readers: [2, 3, 4], marker: "tree-1") == [true, true, true])

            // Stop and start.
            try await ops.stopReplication(h.key(4))
            let stopped = try #require(try await h.slaveStatus(4))
            #expect(stopped["Slave_IO_Running"] == "No" && stopped["Slave_SQL_Running"] == "No")
            try await ops.startReplication(h.key(4))
            try await ops.waitUntilReplicating(h.key(4), from: h.key(2), timeoutSeconds: 20)
            #expect(try await h.replicates(4, from: 2))
            let restarted = try await ops.restartReplication(h.key(4))
            #expect(restarted.statements == ["STOP SLAVE", "START SLAVE"])
            try await ops.waitUntilReplicating(h.key(4), from: h.key(2), timeoutSeconds: 20)

            // read_only both ways, seen by MariaDB.
            #expect(try await h.value(2, "SELECT @@global.read_only") == "1")
            try await ops.setReadOnly(h.key(2), false)
            #expect(try await h.value(2, "SELECT @@global.read_only") == "0")
            #expect(try await ops.isReadOnly(h.key(2)) == false)
            try await ops.setReadOnly(h.key(2), true)
            #expect(try await h.value(2, "SELECT @@global.read_only") == "1")
            #expect(try await ops.isReadOnly(h.key(2)) == true)

            // GTID waits: reached for the master's position, timed out for a position never written.
            let position = try await ops.currentGTIDPosition(h.key(1))
            #expect(!position.isEmpty)
            #expect(try await ops.waitForGTID(h.key(3), position: position, timeoutSeconds: 10) == .reached)
            let state = try await ops.gtidState(h.key(1))
            #expect(state.binlogPos == position)
            let serverID = try await h.value(1, "SELECT @@server_id")
            let never = "0-\(serverID)-999999"
            #expect(try await ops.waitForGTID(h.key(3), position: never, timeoutSeconds: 0.5) == .timedOut)

            // Nice stop applies the relay log; the replica ends stopped and caught up.
            _ = try await h.rowArrives(writer: 1, readers: [3], marker: "tree-2")
            let nice = try await ops.stopReplicationNicely(h.key(3), timeoutSeconds: 10)
            #expect(nice.caughtUp)
            #expect(nice.result.statements.first == "STOP SLAVE IO_THREAD")
            let niceStatus = try #require(try await h.slaveStatus(3))
            #expect(niceStatus["Slave_IO_Running"] == "No" && niceStatus["Slave_SQL_Running"] == "No")
            #expect(niceStatus["Read_Master_Log_Pos"] == niceStatus["Exec_Master_Log_Pos"])
            try await ops.startReplication(h.key(3))
            try await ops.waitUntilReplicating(h.key(3), from: h.key(1), timeoutSeconds: 20)

            // Delay replication and remove it again; replication keeps running.
            try await ops.setReplicationDelay(h.key(2), seconds: 7)
            #expect(try await h.slaveStatus(2)?.int("SQL_Delay") == 7)
            try await ops.waitUntilReplicating(h.key(2), from: h.key(1), timeoutSeconds: 20)
            try await ops.setReplicationDelay(h.key(2), seconds: 0)
            #expect(try await h.slaveStatus(2)?.int("SQL_Delay") == 0)

            // Binary logs: flush moves to the next file; purging up to it leaves it the oldest. On the leaf
            // replica 4, whose binary logs no replica reads (a file being read is not purged).
            let before = try #require(try await ops.masterStatus(h.key(4)))
            try await ops.flushBinaryLogs(h.key(4))
            let after = try #require(try await ops.masterStatus(h.key(4)))
            #expect(after.fileNumber == before.fileNumber.map { $0 + 1 })
            // MariaDB keeps a file until InnoDB has checkpointed past it (a warning, not an error), so
            // purge again (bounded) until the background checkpoint allows it.
            var logs: [String] = []
            for _ in 0..<100 {
                let purged = try await ops.purgeBinaryLogs(h.key(4), to: after.logFile)
                #expect(purged.statements == ["PURGE BINARY LOGS TO '\(after.logFile)'"])
                logs = try await h.sandbox.sql(4, "SHOW BINARY LOGS").split(separator: "\n").map { String($0.split(separator: "\t")[0]) }
                if logs == [after.logFile] { break }
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            #expect(logs == [after.logFile])

            // Semi-sync switches, as MariaDB reports them.
            try await ops.setSemiSyncMaster(h.key(1), enabled: true)
            #expect(try await h.value(1, "SELECT @@global.rpl_semi_sync_master_enabled") == "1")
            try await ops.setSemiSyncMaster(h.key(1), enabled: false)
            #expect(try await h.value(1, "SELECT @@global.rpl_semi_sync_master_enabled") == "0")
            try await ops.setSemiSyncReplica(h.key(2), enabled: true, restartReplication: true)
            #expect(try await h.value(2, "SELECT @@global.rpl_semi_sync_slave_enabled") == "1")
            try await ops.waitUntilReplicating(h.key(2), from: h.key(1), timeoutSeconds: 20)
            #expect(try await h.rowArrives(writer: 1, readers: [2, 3, 4], marker: "tree-3") == [true, true, true])
        }
    }

    @Test("tree: manual failover after kill -9 of the primary: promote the intermediate, repoint its sibling")
    func treeFailover() async throws {
        try await OperationsHarness.withSandbox("tree") { h in
            let log = OperationLog()
            let ops = h.ops.recording(into: log)
            #expect(try await h.rowArrives(writer: 1, readers: [2, 3, 4], marker: "before") == [true, true, true])
            try await h.sandbox.kill(1)

            // What the executor will do: stop nicely, promote 3 (it has a replica), repoint 2 under it.
            // The replicas are stopped in parallel, as the executor will.
            let caughtUp = try await withThrowingTaskGroup(of: Bool.self) { group in
                for n in [2, 3] {
                    group.addTask { try await ops.stopReplicationNicely(h.key(n), timeoutSeconds: 5).caughtUp }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(caughtUp == [true, true])
            try await ops.resetReplicaAll(h.key(3))
            try await ops.setReadOnly(h.key(3), false)
            try await ops.repoint(h.key(2), to: h.key(3), positioning: .mariadbSlavePos)
            try await ops.waitUntilReplicating(h.key(2), from: h.key(3), timeoutSeconds: 20)

            #expect(try await h.slaveStatus(3) == nil)  // no longer a replica
            #expect(try await h.value(3, "SELECT @@global.read_only") == "0")
            #expect(try await h.replicates(2, from: 3))
            #expect(try await h.replicates(4, from: 3))
            #expect(try await h.rowArrives(writer: 3, readers: [2, 4], marker: "after") == [true, true])

            // The old primary comes back and rejoins under the new one (its gtid_slave_pos is empty).
            try await h.sandbox.start(1)
            try await ops.setReadOnly(h.key(1), true)
            try await ops.repoint(h.key(1), to: h.key(3), positioning: .mariadbCurrentPos)
            try await ops.waitUntilReplicating(h.key(1), from: h.key(3), timeoutSeconds: 20)
            #expect(try await h.rowArrives(writer: 3, readers: [1, 2, 4], marker: "rejoined") == [true, true, true])

            // Every step was recorded, in order, and succeeded (printed as figures, not asserted on time).
            for line in log.lines { print("OPS failover step: \(line)") }
            let names = log.entries.map(\.name)
            #expect(names.prefix(5) == ["stop-replica-nice", "stop-replica-nice", "reset-replica-all", "set-writeable", "repoint"])
            #expect(log.entries.allSatisfy { $0.succeeded })
            #expect(log.entries.allSatisfy { !$0.statements.joined().contains("orc_repl_pw") })
        }
    }

    @Test("chain:3: move up past the intermediate and back; kill the primary, promote, old primary rejoins")
    func chainOperations() async throws {
        try await OperationsHarness.withSandbox("chain:3") { h in
            let ops = h.ops
            #expect(try await h.replicates(3, from: 2))
            try await ops.repoint(h.key(3), to: h.key(1))
            try await ops.waitUntilReplicating(h.key(3), from: h.key(1), timeoutSeconds: 20)
            #expect(try await h.replicates(3, from: 1))
            #expect(try await h.rowArrives(writer: 1, readers: [2, 3], marker: "up") == [true, true])
            try await ops.repoint(h.key(3), to: h.key(2))
            try await ops.waitUntilReplicating(h.key(3), from: h.key(2), timeoutSeconds: 20)
            #expect(try await h.replicates(3, from: 2))

            try await h.sandbox.kill(1)
            let nice = try await ops.stopReplicationNicely(h.key(2), timeoutSeconds: 5)
            #expect(nice.caughtUp)
            try await ops.resetReplicaAll(h.key(2))
            try await ops.setReadOnly(h.key(2), false)
            #expect(try await h.rowArrives(writer: 2, readers: [3], marker: "promoted") == [true])

            try await h.sandbox.start(1)
            try await ops.setReadOnly(h.key(1), true)
            try await ops.repoint(h.key(1), to: h.key(2), positioning: .mariadbCurrentPos)
            try await ops.waitUntilReplicating(h.key(1), from: h.key(2), timeoutSeconds: 20)
            #expect(try await h.replicates(1, from: 2))
            #expect(try await h.rowArrives(writer: 2, readers: [1, 3], marker: "rejoined") == [true, true])
        }
    }

    @Test("dry run shows the SQL with the password masked and changes nothing")
    func dryRun() async throws {
        try await OperationsHarness.withSandbox("star:3") { h in
            let log = OperationLog()
            let noop = h.ops.dryRun().recording(into: log)
            let repoint = try await noop.repoint(h.key(3), to: h.key(2), positioning: .mariadbSlavePos)
            #expect(repoint.dryRun)
            #expect(repoint.statements == [
                "STOP SLAVE",
                "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=\(h.sandbox.port(2)), MASTER_USER='orc_repl', "
                    + "MASTER_PASSWORD='****', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
                "START SLAVE",
            ])
            #expect(try await noop.setReadOnly(h.key(2), false).statements == ["SET GLOBAL read_only = 0"])
            #expect(try await noop.resetReplicaAll(h.key(2)).statements == ["STOP SLAVE", "RESET SLAVE ALL"])
            let nice = try await noop.stopReplicationNicely(h.key(2), timeoutSeconds: 5)
            #expect(!nice.caughtUp && nice.result.statements.first == "STOP SLAVE IO_THREAD")
            #expect(try await noop.waitForGTID(h.key(2), position: "0-1-999999", timeoutSeconds: 30) == .notRunDryRun)
            let binlogs = try await h.sandbox.sql(1, "SHOW BINARY LOGS")
            try await noop.flushBinaryLogs(h.key(1))
            try await noop.setReplicationDelay(h.key(3), seconds: 60)

            // Nothing changed on the servers.
            #expect(try await h.replicates(3, from: 1))
            #expect(try await h.replicates(2, from: 1))
            #expect(try await h.slaveStatus(3)?.int("SQL_Delay") == 0)
            #expect(try await h.value(2, "SELECT @@global.read_only") == "1")
            #expect(try await h.sandbox.sql(1, "SHOW BINARY LOGS") == binlogs)
            #expect(log.entries.allSatisfy { $0.dryRun && $0.succeeded })
            #expect(!log.lines.joined().contains("orc_repl_pw"))

            // An unreachable instance: the dry run uses the version discovery saw.
            try await h.sandbox.kill(1)
            let dead = h.key(1)
            await #expect(throws: ReplicationOperationError.self) { try await noop.setReadOnly(dead, true) }
            noop.assumeVersion("10.11.6-MariaDB-log", for: dead)
            #expect(try await noop.setReadOnly(dead, true).statements == ["SET GLOBAL read_only = 1"])
        }
    }

    @Test("hostile values are refused or escaped; errors name the instance, statement and code")
    func hostileValuesAndErrors() async throws {
        try await OperationsHarness.withSandbox("star:2") { h in
            let ops = h.ops
            let replica = h.key(2)

            // A hostname with a quote is refused before anything is stopped.
            do {
                try await ops.repoint(replica, to: InstanceKey(hostname: "evil'; STOP SLAVE; --", port: 3306))
                Issue.record("a hostname with a quote must be refused")
            } catch let error as ReplicationOperationError {
                #expect(error.reason == .invalidValue)
                #expect(error.description.hasPrefix("127.0.0.1:\(h.sandbox.port(2)): repoint failed"))
            }
            #expect(try await h.replicates(2, from: 1))

            // A user with a quote and a backslash reaches MariaDB as data.
            let odd = ReplicationCredentials(user: "o'brien\\x", password: "pw'\"\\; DROP DATABASE meta; --")
            try await ops.stopReplication(replica)
            try await ops.changeMaster(replica, to: h.key(1), positioning: .keep, credentials: odd)
            #expect(try await h.slaveStatus(2)?["Master_User"] == "o'brien\\x")
            #expect(try await h.value(1, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'meta'") == "1")
            try await ops.changeMaster(replica, to: h.key(1), positioning: .keep, credentials: OperationsHarness.replication)
            try await ops.startReplication(replica)
            try await ops.waitUntilReplicating(replica, from: h.key(1), timeoutSeconds: 20)

            // CHANGE MASTER while replicating: MariaDB's error 1198, named with instance and statement kind.
            do {
                try await ops.changeMaster(replica, to: h.key(1), positioning: .gtid)
                Issue.record("expected MariaDB to refuse CHANGE MASTER on a running replica")
            } catch let error as ReplicationOperationError {
                #expect(error.reason == .mysql && error.code == 1198)
                #expect(error.statementKind == "CHANGE MASTER TO")
                #expect(error.description.contains("127.0.0.1:\(h.sandbox.port(2)): change-master failed at CHANGE MASTER TO: MySQL error 1198"))
                #expect(!error.description.contains("orc_repl_pw"))
            }
            #expect(try await h.replicates(2, from: 1))

            // Upstream's ReplicationCredentialsQuery, run on the instance.
            let fromQuery = try await ops.replicationCredentials(
                from: h.key(1), query: "SELECT 'orc_repl' AS user, 'orc_repl_pw' AS password")
            #expect(fromQuery == OperationsHarness.replication)
            #expect(!fromQuery.description.contains("orc_repl_pw"))

            // Self-replication, MySQL-only features, non-replicas, unreachable servers.
            await #expect(throws: ReplicationOperationError.self) { try await ops.repoint(replica, to: replica) }
            do {
                try await ops.injectEmptyTransaction(replica, gtid: "0-1-1")
                Issue.record("MariaDB has no GTID_NEXT")
            } catch let error as ReplicationOperationError {
                #expect(error.reason == .unsupported && error.description.contains("skip-query"))
            }
            do {
                try await ops.stopReplicationNicely(h.key(1), timeoutSeconds: 1)
                Issue.record("the primary is not a replica")
            } catch let error as ReplicationOperationError {
                #expect(error.reason == .unexpectedState && error.description.contains("not a replica"))
            }
            do {
                try await ops.waitUntilReplicating(replica, from: InstanceKey(hostname: "127.0.0.1", port: 1), timeoutSeconds: 0.2)
                Issue.record("replicates from instance 1, not port 1")
            } catch let error as ReplicationOperationError {
                #expect(error.reason == .timeout && error.description.contains("master 127.0.0.1:\(h.sandbox.port(1))"))
            }
            let nowhere = InstanceKey(hostname: "127.0.0.1", port: h.sandbox.port(2) + 7)
            do {
                try await ops.stopReplication(nowhere)
                Issue.record("nothing listens there")
            } catch let error as ReplicationOperationError {
                #expect(error.code == 2002 || error.code == 2003)
                #expect(error.description.hasPrefix("\(nowhere.displayString): stop-replica failed at connect"))
            }
        }
    }

    @Test("skip-query skips a duplicate-key failure; start until a GTID; detach and reattach the master host")
    func skipAndDetach() async throws {
        try await OperationsHarness.withSandbox("star:2") { h in
            let ops = h.ops
            let replica = h.key(2)
            _ = try await h.sandbox.sql(1, "CREATE TABLE meta.dup (id INT PRIMARY KEY)")
            _ = try await h.rowArrives(writer: 1, readers: [2], marker: "table")
            _ = try await h.sandbox.sql(2, "SET SESSION sql_log_bin = 0; INSERT INTO meta.dup VALUES (1)")
            _ = try await h.sandbox.sql(1, "INSERT INTO meta.dup VALUES (1)")
            // The SQL thread stops on the duplicate key (bounded wait, as seen by MariaDB).
            var errno: Int64?
            for _ in 0..<200 {
                errno = try await h.slaveStatus(2)?.int("Last_SQL_Errno")
                if errno == 1062 { break }
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            #expect(errno == 1062)
            let skipped = try await ops.skipQuery(replica)
            #expect(skipped.statements == ["STOP SLAVE", "SET GLOBAL sql_slave_skip_counter = 1", "START SLAVE"])
            try await ops.waitUntilReplicating(replica, from: h.key(1), timeoutSeconds: 20)
            #expect(try await h.rowArrives(writer: 1, readers: [2], marker: "after-skip") == [true])

            // START SLAVE UNTIL a GTID position: the replica applies up to it and stops there.
            try await ops.stopReplication(replica)
            _ = try await h.sandbox.sql(1, "INSERT INTO meta.dup VALUES (2)")
            let untilPosition = try await ops.currentGTIDPosition(h.key(1))
            _ = try await h.sandbox.sql(1, "INSERT INTO meta.dup VALUES (3)")
            try await ops.startReplicationUntilGTID(replica, position: untilPosition)
            #expect(try await ops.waitForGTID(replica, position: untilPosition, timeoutSeconds: 20) == .reached)
            var sqlThread: String?
            for _ in 0..<200 {
                sqlThread = try await h.slaveStatus(2)?["Slave_SQL_Running"]
                if sqlThread == "No" { break }
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            #expect(sqlThread == "No")
            #expect(try await h.value(2, "SELECT GROUP_CONCAT(id ORDER BY id) FROM meta.dup") == "1,2")
            try await ops.restartReplication(replica)
            try await ops.waitUntilReplicating(replica, from: h.key(1), timeoutSeconds: 20)
            #expect(try await ops.waitForGTID(replica, position: try await ops.currentGTIDPosition(h.key(1)), timeoutSeconds: 20) == .reached)
            #expect(try await h.value(2, "SELECT GROUP_CONCAT(id ORDER BY id) FROM meta.dup") == "1,2,3")

            try await ops.detachReplicaMasterHost(replica)
            #expect(try await h.slaveStatus(2)?["Master_Host"] == "//127.0.0.1")
            #expect(try await ops.detachReplicaMasterHost(replica).note == "already detached")
            try await ops.reattachReplicaMasterHost(replica)
            #expect(try await h.slaveStatus(2)?["Master_Host"] == "127.0.0.1")
            try await ops.waitUntilReplicating(replica, from: h.key(1), timeoutSeconds: 20)
            #expect(try await h.rowArrives(writer: 1, readers: [2], marker: "reattached") == [true])
        }
    }
}
