/// Whether a detected failure may be recovered now: filters, the global switch, downtime and
/// anti-flapping (`RecoveryPeriodBlockSeconds`). Detection is recorded either way (the caller's job).
///
/// Nothing a recovery leaves behind blocks the next one forever: the block is the recent,
/// unacknowledged recovery record only, and it ends after `RecoveryPeriodBlockSeconds` or on an ack.
/// The planner downtimes lost replicas for a bounded time, ends any downtime of the successor and
/// downtimes the old master `lost-in-recovery` (as upstream does); unlike upstream, that downtime never
/// blocks a recovery (see ``LostInRecovery``) and ends once the server replicates again.
public enum RecoveryPolicy {
    /// Who asked for the recovery.
    public enum Trigger: Sendable, Hashable {
        /// The recovery loop, on its own.
        case automatic
        /// An operator (`recover`, `force-master-failover`): filters, global switch, downtime and the
        /// block period do not apply; a recovery still running on the cluster does.
        case manual
    }

    /// Why a recovery is not run.
    public enum SkipReason: String, Sendable, Hashable, Codable {
        case notActionable
        case globallyDisabled
        case filteredOut
        case downtimed
        case blockedByRecentRecovery
        case recoveryInProgress
    }

    public enum Decision: Sendable, Hashable {
        case recover
        case skip(SkipReason, String)

        public var shouldRecover: Bool { self == .recover }
    }

    public static func decide(_ analysis: ReplicationAnalysis, trigger: Trigger = .automatic,
                              filters: RecoveryFilters, operatorState: IntentState,
                              recentRecoveries: [TopologyRecovery], recoveryPeriodBlockSeconds: Int64,
                              now: Timestamp) -> Decision {
        let key = analysis.analyzedInstanceKey
        let cluster = analysis.clusterDetails
        guard let kind = analysis.analysis.recoveryKind else {
            return .skip(.notActionable, "\(analysis.analysis.rawValue) on \(key) is not a recoverable failure")
        }
        if let running = recentRecoveries.first(where: { $0.isActive && sameCluster($0, analysis) }) {
            return .skip(.recoveryInProgress, "recovery \(running.uid) of cluster \(cluster.clusterName) is still running")
        }
        guard trigger == .automatic else { return .recover }

        if operatorState.globalRecoveriesDisabled {
            return .skip(.globallyDisabled, "automated recoveries are disabled (enable-global-recoveries turns them back on)")
        }
        let allowed = kind == .intermediateMasterRelocation
            ? filters.allowsIntermediateMasterRecovery(clusterName: cluster.clusterName, alias: cluster.clusterAlias)
            : filters.allowsMasterRecovery(clusterName: cluster.clusterName, alias: cluster.clusterAlias)
        if !allowed {
            let setting = kind == .intermediateMasterRelocation ? "RecoverIntermediateMasterClusterFilters" : "RecoverMasterClusterFilters"
            return .skip(.filteredOut, "cluster \(cluster.clusterName) (alias \(cluster.clusterAlias)) is not matched by \(setting); detected only")
        }
        // A downtime a recovery left behind is informational only: it must not keep the cluster of a
        // failed master that came back (and was made master again) from being recovered.
        let downtimeBlocks = operatorState.activeDowntime(for: key, at: now).map { !LostInRecovery.isLostInRecovery($0) }
            ?? analysis.isDowntimed
        if downtimeBlocks || analysis.isReplicasDowntimed {
            return .skip(.downtimed, "\(key) is downtimed; end-downtime to allow its recovery")
        }
        let blocking = recentRecoveries.filter { r in
            !r.acknowledged && r.recoveryStartTimestamp.adding(seconds: recoveryPeriodBlockSeconds) > now
                && (sameCluster(r, analysis) || r.successorKey == key)
        }
        if let recent = blocking.max(by: { $0.recoveryStartTimestamp < $1.recoveryStartTimestamp }) {
            let until = recent.recoveryStartTimestamp.adding(seconds: recoveryPeriodBlockSeconds)
            return .skip(.blockedByRecentRecovery,
                         "recovery \(recent.uid) of cluster \(recent.clusterName) at \(recent.recoveryStartTimestamp) blocks automated recoveries until \(until) (RecoveryPeriodBlockSeconds); acknowledge it (ack-cluster-recoveries) or recover manually")
        }
        return .recover
    }

    /// Same cluster: by name, or by alias when both have one other than the name (a failover renames
    /// the cluster after its new master, the alias stays).
    static func sameCluster(_ r: TopologyRecovery, _ a: ReplicationAnalysis) -> Bool {
        if r.clusterName == a.clusterDetails.clusterName { return true }
        let alias = a.clusterDetails.clusterAlias
        return !alias.isEmpty && alias != a.clusterDetails.clusterName && r.clusterAlias == alias
    }
}
