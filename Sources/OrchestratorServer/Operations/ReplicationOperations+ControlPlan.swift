import Foundation
import OrchestratorCore

extension ReplicaStatus {
    /// The thread states and errors, as the core planners read them.
    public var threads: ReplicaThreads {
        ReplicaThreads(masterHost: masterHost, masterPort: masterPort, ioThread: ioThread, sqlThread: sqlThread,
                       lastIOErrno: lastIOErrno, lastIOError: lastIOError, lastSQLErrno: lastSQLErrno, lastSQLError: lastSQLError)
    }
}

extension ReplicationOperations {
    // MARK: - Replication-control plans

    /// Runs the steps of a ``ReplicationControlPlan`` in order on its instance, one operation each, and
    /// returns their results (statements and notes). The first failing step throws; later steps do not
    /// run. In a dry run the waits run no statement either.
    public func execute(_ plan: ReplicationControlPlan) async throws -> [OperationResult] {
        var results: [OperationResult] = []
        for step in plan.steps { results.append(try await run(step, on: plan.instance)) }
        return results
    }

    private func run(_ step: ReplicationControlStep, on key: InstanceKey) async throws -> OperationResult {
        switch step {
        case .startReplication: try await startReplication(key)
        case .stopReplication: try await stopReplication(key)
        case .stopReplicationNicely(let timeout): try await stopReplicationNicely(key, timeoutSeconds: timeout).result
        case .restartReplication: try await restartReplication(key)
        case .resetReplica: try await resetReplica(key)
        case .detachMasterHost: try await detachReplicaMasterHost(key)
        case .reattachMasterHost: try await reattachReplicaMasterHost(key)
        case .skipQuery: try await skipQuery(key)
        case .setReadOnly(let on): try await setReadOnly(key, on)
        case .flushBinaryLogs: try await flushBinaryLogs(key)
        case .purgeBinaryLogs(let file): try await purgeBinaryLogs(key, to: file.name)
        case .setSemiSyncMaster(let enabled): try await setSemiSyncMaster(key, enabled: enabled)
        case .setSemiSyncReplica(let enabled, let restart):
            try await setSemiSyncReplica(key, enabled: enabled, restartReplication: restart)
        case .setReplicationDelay(let seconds): try await setReplicationDelay(key, seconds: seconds)
        case .changeMasterCredentials: try await changeMasterCredentials(key)
        case .awaitReplicating(let timeout): try await awaitReplicationThreads(key, timeoutSeconds: timeout)
        }
    }

    /// After `START SLAVE`: re-reads the replica status until ``ReplicationStartOutcome`` says both
    /// threads run (returns) or replication will not run (throws `.unexpectedState` with the reason,
    /// e.g. the IO thread's error), at most `timeoutSeconds` (then throws `.timeout` with what was
    /// last seen). A dry run only shows the wait.
    @discardableResult
    public func awaitReplicationThreads(_ key: InstanceKey, timeoutSeconds: Double) async throws -> OperationResult {
        try await perform("wait-for-replication-threads", key) { context in
            context.shown.append("-- wait up to \(timeoutSeconds)s until both replication threads run")
            guard !context.isDryRun else { return context.result() }
            let deadline = Date().addingTimeInterval(timeoutSeconds)
            while true {
                let status = ReplicaStatus(try await context.read(context.sql.replicaStatus()))
                let timeIsUp = Date() >= deadline
                switch ReplicationStartOutcome.evaluate(status?.threads, deadlinePassed: timeIsUp) {
                case .replicating:
                    return context.result()
                case .pending:
                    try await context.pause()
                case .failed(let reason):
                    throw context.fail(timeIsUp ? .timeout : .unexpectedState,
                                       "replication was started, but " + reason + (timeIsUp ? " (after \(timeoutSeconds)s)" : ""))
                }
            }
        }
    }
}
