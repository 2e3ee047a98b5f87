import Foundation
import OrchestratorCore

/// What ``ReplicationOperations/stopReplicationNicely(_:timeoutSeconds:)`` achieved.
public struct NiceStopResult: Sendable, Equatable {
    public let result: OperationResult
    /// True when the SQL thread applied everything the IO thread had read before replication stopped
    /// (always false in a dry run, which does not wait).
    public let caughtUp: Bool
    /// The status after stopping (nil in a dry run).
    public let status: ReplicaStatus?
}

extension ReplicationOperations {
    // MARK: - Replication threads

    /// `STOP SLAVE` / `STOP REPLICA`.
    @discardableResult
    public func stopReplication(_ key: InstanceKey) async throws -> OperationResult {
        try await perform("stop-replica", key) { context in
            try await context.change(context.sql.stopReplication())
            return context.result()
        }
    }

    /// `START SLAVE` / `START REPLICA`. Does not wait for the threads to connect: see
    /// ``waitUntilReplicating(_:from:timeoutSeconds:)`` and ``awaitReplicationThreads(_:timeoutSeconds:)``.
    @discardableResult
    public func startReplication(_ key: InstanceKey) async throws -> OperationResult {
        try await perform("start-replica", key) { context in
            try await context.change(context.sql.startReplication())
            return context.result()
        }
    }

    /// Stop, then start.
    @discardableResult
    public func restartReplication(_ key: InstanceKey) async throws -> OperationResult {
        try await perform("restart-replica", key) { context in
            try await context.change(context.sql.stopReplication())
            try await context.change(context.sql.startReplication())
            return context.result()
        }
    }

    /// Stops the IO thread, lets the SQL thread apply what is already in the relay log (up to
    /// `timeoutSeconds`), then stops replication. Upstream's `stop-replica-nice`; the first step of a
    /// failover on each candidate. A stopped or failed SQL thread ends the wait early.
    @discardableResult
    public func stopReplicationNicely(_ key: InstanceKey, timeoutSeconds: Double) async throws -> NiceStopResult {
        try await perform("stop-replica-nice", key) { context in
            let sql = context.sql
            let before = try await Self.requireReplica(context)
            if !before.sqlRunning {
                // Nothing can be applied: just make sure the IO thread stops too.
                try await context.change(sql.stopReplication())
                context.note = "SQL thread was not running"
                return NiceStopResult(result: context.result(), caughtUp: false, status: context.isDryRun ? nil : before)
            }
            try await context.change(sql.stopIOThread())
            context.shown.append("-- wait up to \(timeoutSeconds)s until the SQL thread applied the relay log")
            var caughtUp = false
            if !context.isDryRun {
                let deadline = Date().addingTimeInterval(timeoutSeconds)
                while true {
                    let status = try await Self.requireReplica(context)
                    if status.sqlThreadCaughtUp { caughtUp = true; break }
                    if !status.sqlRunning || Date() >= deadline { break }
                    try await context.pause()
                }
            }
            try await context.change(sql.stopReplication())
            context.note = context.isDryRun ? nil : (caughtUp ? "caught up" : "stopped before the SQL thread caught up")
            let after = context.isDryRun ? nil : try await Self.requireReplica(context)
            return NiceStopResult(result: context.result(), caughtUp: caughtUp, status: after)
        }
    }

    /// Starts replication that stops once `position` (a MariaDB GTID position or a MySQL GTID set) has
    /// been applied.
    @discardableResult
    public func startReplicationUntilGTID(_ key: InstanceKey, position: String) async throws -> OperationResult {
        try await perform("start-replica-until", key) { context in
            try await context.change(try context.sql.startReplication(untilGTID: position))
            return context.result()
        }
    }

    // MARK: - Reset

    /// Stops replication and `RESET SLAVE`: relay logs removed, master settings kept.
    @discardableResult
    public func resetReplica(_ key: InstanceKey) async throws -> OperationResult {
        try await perform("reset-replica", key) { context in
            try await context.change(context.sql.stopReplication())
            try await context.change(context.sql.resetReplica(all: false))
            return context.result()
        }
    }

    /// Stops replication and `RESET SLAVE ALL`: the instance no longer replicates from anything (the
    /// promotion step of a failover). MariaDB keeps `gtid_slave_pos`.
    @discardableResult
    public func resetReplicaAll(_ key: InstanceKey) async throws -> OperationResult {
        try await perform("reset-replica-all", key) { context in
            try await context.change(context.sql.stopReplication())
            try await context.change(context.sql.resetReplica(all: true))
            return context.result()
        }
    }

    // MARK: - Skipping and delay

    /// Skips the replicated transaction the SQL thread is stuck on, then starts replication.
    /// MariaDB and MySQL without auto-position: `sql_slave_skip_counter = 1`. MySQL with auto-position:
    /// an empty transaction under the next GTID of the master (`Master_UUID`).
    @discardableResult
    public func skipQuery(_ key: InstanceKey) async throws -> OperationResult {
        try await perform("skip-query", key) { context in
            let sql = context.sql
            let status = try await Self.requireReplica(context)
            try await context.change(sql.stopReplication())
            if context.dialect.isMySQL && status.usesGTID {
                let executed = try await context.read(sql.gtidStateQuery()).first?["executed"] ?? ""
                let gtid = try Self.nextGTID(executed: executed, masterUUID: status.masterUUID, context: context)
                try await Self.injectEmpty(gtid, context: context)
            } else {
                try await context.change(sql.skipOneEventGroup())
            }
            try await context.change(sql.startReplication())
            return context.result()
        }
    }

    /// The GTID after the last one executed from `masterUUID`.
    static func nextGTID(executed: String, masterUUID: String, context: OperationContext) throws -> String {
        guard !masterUUID.isEmpty else {
            throw context.fail(.unexpectedState, "the replica does not report its master's server UUID")
        }
        let set: MySQLGTIDSet
        do { set = try MySQLGTIDSet(parsing: executed) } catch {
            throw context.fail(.unexpectedState, "cannot parse gtid_executed '\(executed)': \(error)")
        }
        let last = set.ranges.filter { $0.key.uuid.lowercased() == masterUUID.lowercased() && $0.key.tag.isEmpty }
            .values.flatMap { $0 }.map(\.upper).max() ?? 0
        return "\(masterUUID):\(last + 1)"
    }

    /// Sets the replication delay (`MASTER_DELAY`), restarting replication around the change when it
    /// was running. 0 removes the delay.
    @discardableResult
    public func setReplicationDelay(_ key: InstanceKey, seconds: Int) async throws -> OperationResult {
        try await perform("delay-replication", key) { context in
            let sql = context.sql
            let statement = try sql.changeMasterDelay(seconds: seconds)
            let status = try await Self.requireReplica(context)
            let wasRunning = status.threadsActive
            if wasRunning { try await context.change(sql.stopReplication()) }
            try await context.change(statement)
            if wasRunning { try await context.change(sql.startReplication()) }
            return context.result()
        }
    }
}
