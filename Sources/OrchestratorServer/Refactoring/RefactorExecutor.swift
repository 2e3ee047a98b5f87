import Foundation
import Logging
import OrchestratorCore

/// How a refactoring ended.
public enum RefactorOutcome: Sendable {
    /// Every step ran; `log` holds the statements.
    case done(RefactorPlan, log: [String])
    /// A dry run (`--noop`): the plan and the statements it would run.
    case planned(RefactorPlan, log: [String])
    /// The planner refused: nothing changed.
    case refused(RefactorRefusal)
    /// A step failed; `error` names it. Instances stopped and not yet repointed were restarted.
    case failed(RefactorPlan, error: String, log: [String])
}

/// Runs a `RefactorPlan` on the real servers, on the Raft leader only: every step that changes MySQL
/// is preceded by a quorum confirmation of leadership (ReadIndex), as recovery does, so a leader cut
/// off from its peers never reshapes a topology.
struct RefactorExecutor {
    let node: OrchestratorNode
    let operations: ReplicationOperations
    let logger: Logger
    /// Bound for each wait (catch-up, replication running under the new master).
    var waitTimeoutSeconds: Double = 15
    /// The replication user for CHANGE MASTER (from `ReplicationCredentialsQuery`); nil: the configured
    /// `MySQLReplicationUser`, else the replica keeps its own.
    var credentials: ReplicationCredentials?

    /// Runs (or, with `dryRun`, only shows) `plan`'s steps. Returns nil on success, else the error.
    func execute(_ plan: RefactorPlan, dryRun: Bool) async -> String? {
        let ops = dryRun ? operations.dryRun() : operations
        // Instances stopped whose master was not changed yet: restarted if a later step fails, so a
        // failed move leaves them replicating where they were.
        var stoppedInPlace: [InstanceKey] = []
        for (index, step) in plan.steps.enumerated() {
            do {
                if step.changesMySQL, !dryRun { try await node.raft.confirmLeadership() }
            } catch {
                return "stopped before step \(index + 1) (\(step)): this node could not confirm raft leadership with a quorum (\(error))"
                    + (await restart(stoppedInPlace, ops))
            }
            do {
                try await perform(step, ops)
                switch step {
                case .stopReplication(let key): stoppedInPlace.append(key)
                case .changeMaster(let key, _, _): stoppedInPlace.removeAll { $0 == key }
                default: break
                }
            } catch {
                logger.error("refactoring \(plan.request.command.rawValue) \(plan.request.instance): step \(index + 1) (\(step)) failed: \(error)")
                return "step \(index + 1) (\(step)) failed: \(error)" + (await restart(stoppedInPlace, ops))
            }
        }
        return nil
    }

    private func perform(_ step: RefactorStep, _ ops: ReplicationOperations) async throws {
        switch step {
        case .stopReplication(let key):
            try await ops.stopReplication(key)
        case .waitUntilCaughtUp(let replica, let source):
            let position = try await ops.currentGTIDPosition(source)
            guard !position.isEmpty else { return }
            let outcome = try await ops.waitForGTID(replica, position: position, timeoutSeconds: waitTimeoutSeconds)
            if outcome == .timedOut {
                throw ExecutorError("\(replica) did not apply \(source)'s position \(position) within \(waitTimeoutSeconds)s")
            }
        case .changeMaster(let key, let master, let positioning):
            try await ops.changeMaster(key, to: master, positioning: positioning.replicationPositioning, credentials: credentials)
        case .startReplication(let key):
            try await ops.startReplication(key)
        case .waitUntilReplicating(let key, let master):
            try await ops.waitUntilReplicating(key, from: master, timeoutSeconds: waitTimeoutSeconds)
        }
    }

    /// Best effort: restart replication where the plan stopped it without repointing.
    private func restart(_ keys: [InstanceKey], _ ops: ReplicationOperations) async -> String {
        guard !keys.isEmpty else { return "" }
        var restarted: [String] = []
        for key in keys {
            if (try? await ops.startReplication(key)) != nil { restarted.append(key.description) }
        }
        return "; replication restarted under the old master on " + (restarted.isEmpty ? "none" : restarted.joined(separator: ", "))
    }
}

extension RefactorPositioning {
    /// The statement-level positioning.
    var replicationPositioning: ReplicationPositioning {
        switch self {
        case .mariadbSlavePos: .mariadbSlavePos
        case .mariadbCurrentPos: .mariadbCurrentPos
        case .mysqlAutoPosition: .mysqlAutoPosition
        case .coordinates(let file, let position): .coordinates(file: file, position: position)
        }
    }
}
