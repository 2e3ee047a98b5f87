/// What a new leader does with a recovery its predecessor left running: the predecessor was killed, or
/// lost its quorum, between two steps, and its record stays active in the replicated audit.
///
/// The record carries the plan's steps (``TopologyRecovery/plannedSteps``) and, in order, a record of
/// every step that ended. The first step without a record was in flight (perhaps done, perhaps not):
/// every step is safe to run twice (stop, promote, repoint, read_only, downtime are idempotent), so a
/// resumption runs that one again, then the rest.
///
/// - Stopped before any server changed role (only hooks, stopping IO threads, waits): closed as failed
///   and acknowledged, so a fresh recovery plans again from what the servers look like now.
/// - Stopped after a role change (catch-up, promote, repoint, read_only) with the successor answering:
///   resumed, within the block period of its start.
/// - Otherwise closed as failed, not acknowledged: an operator looks at the half-done recovery (it
///   blocks automated recoveries of the cluster, as any failed one, until acknowledged).
public enum AbandonedRecovery {
    public enum Decision: Sendable, Hashable {
        /// Run `steps` (the one in flight again, then the rest), then resolve as the plan would have.
        case resume(steps: [RecoveryStep], successor: InstanceKey?, reason: String)
        /// Resolve as failed with `reason`; `acknowledge` when no server changed role.
        case close(acknowledge: Bool, reason: String)
    }

    /// Names of audit records that are not plan steps (hooks, the key-value publication, this note).
    static func isPlanStepRecord(_ record: RecoveryStepRecord) -> Bool {
        !record.name.hasPrefix("hook ") && record.name != kvPublishStepName && record.name != resumedStepName
    }

    /// The audit record of the key-value publication (written by the server).
    public static let kvPublishStepName = "kv publish"
    /// The audit record a resumption adds before its steps.
    public static let resumedStepName = "resumed"

    /// True for a step after which the topology is no longer the one the failure left.
    static func changesRole(_ step: RecoveryStep) -> Bool {
        switch step {
        case .catchUp, .promote, .repoint, .setReadOnly, .setWritable, .detach: return true
        case .stopReplication, .waitUntilApplied, .fenceOldMaster, .startReplication, .downtime, .endDowntime: return false
        }
    }

    /// - Parameters:
    ///   - instances: the leader's inventory now (the successor must answer for a resumption).
    ///   - maxAgeSeconds: a recovery started longer ago than this is not resumed (`RecoveryPeriodBlockSeconds`).
    public static func decide(_ recovery: TopologyRecovery, instances: [Instance], now: Timestamp,
                              maxAgeSeconds: Int64) -> Decision {
        let done = recovery.steps.filter(isPlanStepRecord)
        let changedMySQL = !done.isEmpty
        guard let planned = recovery.plannedSteps, !planned.isEmpty else {
            return .close(acknowledge: !changedMySQL, reason: changedMySQL
                ? "its record holds no plan to finish (written by an older orchd) and it changed MySQL"
                : "it stopped before any MySQL step")
        }
        // The records must be the plan's first steps, in order; anything else is not ours to guess about.
        guard done.count <= planned.count,
              zip(done, planned).allSatisfy({ $0.name == $1.name && $0.detail == $1.description }) else {
            return .close(acknowledge: false, reason: "its step records do not follow its plan")
        }
        if let last = done.last, !last.ok, let step = planned[safe: done.count - 1], !step.isBestEffort {
            return .close(acknowledge: false, reason: "its step \(step.name) failed (\(last.error)) before the outcome was recorded")
        }
        let remaining = Array(planned[done.count...])
        // The in-flight step counts as done: it may have reached MySQL before its node died.
        let touched = planned[..<min(planned.count, done.count + 1)]
        guard touched.contains(where: changesRole) else {
            return .close(acknowledge: true, reason: changedMySQL
                ? "it stopped before any server changed role; a new recovery plans again"
                : "it stopped before any MySQL step")
        }
        let age = now.secondsSinceEpoch - recovery.recoveryStartTimestamp.secondsSinceEpoch
        guard age <= maxAgeSeconds else {
            return .close(acknowledge: false, reason: "it started \(age)s ago, beyond the \(maxAgeSeconds)s it may be resumed in")
        }
        let successor = recovery.plannedSuccessorKey
        if let successor {
            guard let instance = instances.first(where: { $0.key == successor }), instance.isLastCheckValid else {
                return .close(acknowledge: false, reason: "its successor \(successor) does not answer; an operator decides")
            }
        }
        let what = remaining.isEmpty ? "every step had run" : "\(done.count) of \(planned.count) steps had ended"
        return .resume(steps: remaining, successor: successor, reason: what)
    }
}

extension AbandonedRecovery {
    /// The plan a resumption executes: `steps` of the recovery's own plan, for its failed server and
    /// successor (the candidates' verdicts and positions were the first leader's; they are not needed
    /// to run the steps).
    public static func resumptionPlan(of recovery: TopologyRecovery, steps: [RecoveryStep],
                                      successor: InstanceKey?) -> RecoveryPlan {
        RecoveryPlan(kind: RecoveryPlan.Kind(rawValue: recovery.type) ?? .masterFailover,
                     failedKey: recovery.analysisEntry.analyzedInstanceKey,
                     clusterName: recovery.analysisEntry.clusterDetails.clusterName, successor: successor,
                     basis: recovery.recoveryType, referencePosition: "", steps: steps, verdicts: [],
                     lostReplicas: recovery.lostReplicas, lostTransactions: "", errors: [], warnings: [])
    }
}

extension AbandonedRecovery {
    /// Whether an outcome its node could not record in time (the quorum was lost at the end) still
    /// replaces the replicated record of the same recovery once that node leads again: yes over an
    /// active record or another leader's "abandoned" close (the node that ran the steps knows the
    /// outcome), no once another leader resumed it (that record tells the later steps and the real end).
    public static func lateOutcomeStands(over replicated: TopologyRecovery?) -> Bool {
        guard let replicated else { return true }
        return !replicated.steps.contains { $0.name == resumedStepName }
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
