import Foundation
import Logging

/// Runs a `RecoveryPlan`'s steps against the real servers, in order, on the Raft leader only: before
/// every step that changes MySQL it confirms leadership with a quorum (ReadIndex) and stops if that
/// fails, so a leader cut off from its peers never touches a topology. Each step is recorded (and
/// replicated) in the recovery's audit as it completes.
struct RecoveryExecutor {
    let node: OrchestratorNode
    /// Every MySQL change and read of a step goes through here (the seam tests replace).
    let operations: any RecoveryMySQLOperations
    let logger: Logger
    /// Bounds for waits on replicas (relay-log catch-up, GTID waits).
    var waitTimeoutSeconds: Double = 10
    /// The replication user for servers repointed by this plan (from `ReplicationCredentialsQuery`);
    /// nil: the configured `MySQLReplicationUser`, else each replica keeps its own.
    var credentials: ReplicationCredentials?
    /// Runs right after a promote step succeeded, with the promoted server; its step (the recovery's
    /// key-value publication) joins the audit.
    var afterPromotion: (@Sendable (InstanceKey) async -> RecoveryStepRecord)?

    /// Executes `plan`, updating `recovery` (steps, errors, outcome). Returns whether it succeeded.
    func execute(_ plan: RecoveryPlan, recovery: inout TopologyRecovery) async -> Bool {
        for step in plan.steps {
            var record = RecoveryStepRecord(step: step)
            record.started = node.now
            do {
                if step.changesMySQL { try await node.raft.confirmLeadership() }
            } catch {
                record.ended = node.now
                record.error = "stopped: this node could not confirm raft leadership with a quorum (\(error))"
                recovery.steps.append(record)
                recovery.allErrors.append(record.error)
                return false
            }
            do {
                record.output = try await perform(step, plan: plan)
                record.ok = true
            } catch {
                record.error = "\(error)"
                if !step.isBestEffort {
                    record.ended = node.now
                    recovery.steps.append(record)
                    recovery.allErrors.append("\(step.name): \(error)")
                    logger.error("recovery \(recovery.uid): step \(step.name) failed: \(error)")
                    return false
                }
                recovery.allErrors.append("\(step.name) (best effort): \(error)")
            }
            record.ended = node.now
            recovery.steps.append(record)
            logger.info("recovery \(recovery.uid): \(step.description) -> \(record.ok ? "ok" : record.error)")
            if case .promote(let promoted, _) = step, record.ok, let afterPromotion {
                let published = await afterPromotion(promoted)
                if !published.ok { recovery.allErrors.append("\(published.name) (best effort, retried): \(published.error)") }
                recovery.steps.append(published)
                logger.info("recovery \(recovery.uid): published \(published.detail) to key-value stores: \(published.ok ? "ok" : published.error)")
            }
            do {
                try await node.submit(.writeRecovery(recovery))
            } catch {
                // The audit lags behind; the steps go on (the outcome is recorded again at the end).
                logger.warning("recovery \(recovery.uid): cannot record step \(step.name) through raft: \(error)")
            }
        }
        return true
    }

    private func perform(_ step: RecoveryStep, plan: RecoveryPlan) async throws -> String {
        switch step {
        case .stopReplication(let keys):
            let ops = operations
            // A delayed replica (MASTER_DELAY) keeps its relay log behind on purpose: waiting for it would
            // only add the whole timeout to the failover, so it is stopped at once.
            let inventory = await node.inventory()
            let delayed = Set(keys.filter { (inventory.instance($0)?.sqlDelay ?? 0) > 0 })
            let timeout = waitTimeoutSeconds
            return await withTaskGroup(of: String.self) { group in
                for key in keys {
                    let wait = delayed.contains(key) ? 0 : timeout
                    group.addTask {
                        do {
                            let result = try await ops.stopReplicationNicely(key, timeoutSeconds: wait)
                            if wait == 0 { return "\(key): stopped at once (a delayed replica)" }
                            return "\(key): stopped\(result.caughtUp ? ", relay log applied" : ", relay log not fully applied")"
                        } catch {
                            return "\(key): \(error)"
                        }
                    }
                }
                var lines: [String] = []
                for await line in group { lines.append(line) }
                return lines.sorted().joined(separator: "\n")
            }
        case .waitUntilApplied(let key, let position):
            switch position {
            case .relayLogEnd:
                // The stop step usually already waited; only a replica still applying needs another wait.
                if let status = try await operations.replicaStatus(key), !status.sqlRunning, status.sqlThreadCaughtUp {
                    return "\(key) has applied its relay log"
                }
                let result = try await operations.stopReplicationNicely(key, timeoutSeconds: waitTimeoutSeconds)
                guard result.caughtUp else { throw ExecutorError("\(key) did not apply its relay log within \(waitTimeoutSeconds)s") }
                return "\(key) applied its relay log"
            case .gtid(let gtid):
                return try await waitFor(key, gtid)
            case .positionOf(let other):
                return try await waitFor(key, try await operations.currentGTIDPosition(other))
            }
        case .catchUp(let key, let from, let position):
            try await operations.repoint(key, to: from, positioning: .gtid, credentials: credentials, start: true)
            let target: String
            switch position {
            case .gtid(let gtid): target = gtid
            case .positionOf(let other): target = try await operations.currentGTIDPosition(other)
            case .relayLogEnd: target = try await operations.currentGTIDPosition(from)
            }
            let waited = try await waitFor(key, target)
            try await operations.stopReplication(key)
            return waited
        case .promote(let key, let writable):
            try await operations.stopReplication(key)
            try await operations.resetReplicaAll(key)
            if writable { try await operations.setReadOnly(key, false) }
            return "\(key) is a master now" + (writable ? " (read_only=0)" : "")
        case .repoint(let key, let master, let start):
            // A former master rejoins by its own binlog position (its gtid_slave_pos is empty).
            var positioning = ReplicationPositioning.gtid
            if key == plan.failedKey, await node.inventory().instance(key)?.version.contains("MariaDB") ?? true {
                positioning = .mariadbCurrentPos
            }
            try await operations.repoint(key, to: master, positioning: positioning, credentials: credentials, start: start)
            if start {
                try await operations.waitUntilReplicating(key, from: master, timeoutSeconds: waitTimeoutSeconds)
            }
            return "\(key) replicates from \(master)"
        case .fenceOldMaster(let key), .setReadOnly(let key):
            try await operations.setReadOnly(key, true)
            return "\(key) is read_only"
        case .setWritable(let key):
            try await operations.setReadOnly(key, false)
            return "\(key) is writeable (read_only=0)"
        case .startReplication(let key):
            try await operations.startReplication(key)
            return "\(key) replication started"
        case .detach(let key):
            try await operations.detachReplicaMasterHost(key)
            return "\(key) detached"
        case .downtime(let key, let reason, let seconds):
            let now = node.now
            try await node.submit(.beginDowntime(Downtime(
                key: key, owner: LostInRecovery.owner, reason: reason, begin: now, end: now.adding(seconds: seconds))))
            return "\(key) downtimed for \(seconds)s"
        case .endDowntime(let key):
            try await node.submit(.endDowntime(key: key))
            return "\(key) downtime ended"
        }
    }

    private func waitFor(_ key: InstanceKey, _ position: String) async throws -> String {
        let outcome = try await operations.waitForGTID(key, position: position, timeoutSeconds: waitTimeoutSeconds)
        guard case .reached = outcome else {
            throw ExecutorError("\(key) did not reach \(position) within \(waitTimeoutSeconds)s")
        }
        return "\(key) reached \(position)"
    }
}

struct ExecutorError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension RecoveryStep {
    /// Steps that only change orchd's own state (downtime) need no leadership confirmation beyond
    /// the Raft proposal itself.
    var changesMySQL: Bool {
        switch self {
        case .downtime, .endDowntime: return false
        default: return true
        }
    }
}

