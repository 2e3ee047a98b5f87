/// Everything `ReplicationAnalyzer.analyze` looks at: the instances as this node last probed them
/// (grouped: `clusterName`, `replicas`, `replicationDepth`, `gtidErrant` filled in) plus a few facts the
/// shell tracks between probes. A plain value: build it, analyze it, throw it away.
public struct AnalysisSnapshot: Sendable {
    /// The probed instances (any order; keys unique).
    public var instances: [Instance]
    /// Replicated operator intent (downtimes, promotion rules, alias overrides).
    public var operatorState: IntentState
    /// Cluster aliases by cluster name (from `ClusterGrouping`); a missing name means alias = name.
    public var clusterAliases: [String: String]
    /// Cluster domains by cluster name (`DetectClusterDomainQuery`), when known.
    public var clusterDomains: [String: String]
    /// When each instance's latest probe was attempted (upstream `last_attempted_check`). An instance
    /// whose last success is older than `attempt - (InstancePollSeconds + ReasonableInstanceCheckSeconds)`
    /// is not "valid" even if that success is its last result (a probe hanging without an answer).
    /// Missing keys: no such information, only `isLastCheckValid` counts.
    public var lastAttemptedCheck: [InstanceKey: Timestamp]
    /// Since when each master's own binlog coordinates have not moved (the shell records the first
    /// time it saw the current `selfBinlogCoordinates`). Turns `LockedSemiSyncMasterHypothesis` into
    /// `LockedSemiSyncMaster` once older than `ReasonableLockedSemiSyncMasterSeconds`.
    public var binlogCoordinatesUnchangedSince: [InstanceKey: Timestamp]
    /// `Last_IO_Errno` per replica when the probe has it: a connection errno (2003, 2005, 2013, ...)
    /// counts as "failing to connect" even when the error text is not the usual one.
    public var lastIOErrno: [InstanceKey: Int]

    public init(instances: [Instance], operatorState: IntentState = IntentState(),
                clusterAliases: [String: String] = [:], clusterDomains: [String: String] = [:],
                lastAttemptedCheck: [InstanceKey: Timestamp] = [:],
                binlogCoordinatesUnchangedSince: [InstanceKey: Timestamp] = [:],
                lastIOErrno: [InstanceKey: Int] = [:]) {
        self.instances = instances
        self.operatorState = operatorState
        self.clusterAliases = clusterAliases
        self.clusterDomains = clusterDomains
        self.lastAttemptedCheck = lastAttemptedCheck
        self.binlogCoordinatesUnchangedSince = binlogCoordinatesUnchangedSince
        self.lastIOErrno = lastIOErrno
    }

    /// Builds a snapshot from a node's `Inventory` (instances already grouped and annotated).
    public init(inventory: Inventory, operatorState: IntentState) {
        var aliases: [String: String] = [:]
        for cluster in inventory.grouping.clusters { aliases[cluster.clusterName] = cluster.clusterAlias }
        self.init(instances: inventory.instances, operatorState: operatorState, clusterAliases: aliases)
    }
}

/// The configuration keys analysis depends on.
public struct AnalysisSettings: Sendable, Equatable {
    public var instancePollSeconds: Int = 5
    public var reasonableInstanceCheckSeconds: Int = 1
    public var reasonableReplicationLagSeconds: Int = 10
    /// Already defaulted to `reasonableReplicationLagSeconds` when the file left it 0.
    public var reasonableLockedSemiSyncMasterSeconds: Int = 10
    public var recoverNonWriteableMaster: Bool = false
    public var enforceExactSemiSyncReplicas: Bool = false
    public var recoveryIgnoreHostnameFilters: [String] = []
    public var recoverMasterClusterFilters: [String] = []
    public var recoverIntermediateMasterClusterFilters: [String] = []
    /// Entries with NoProblem and no structure warning are returned too (upstream `IncludeNoProblem`).
    public var includeNoProblem: Bool = false
    /// Entries skippable because of downtime are returned too (upstream `IncludeDowntimed`; the API's
    /// `replication-analysis` shows them, the recovery loop's policy skips them).
    public var includeDowntimed: Bool = true

    public init() {}

    public init(configuration c: OrchestratorConfiguration) {
        instancePollSeconds = c.instancePollSeconds
        reasonableInstanceCheckSeconds = c.reasonableInstanceCheckSeconds
        reasonableReplicationLagSeconds = c.reasonableReplicationLagSeconds
        reasonableLockedSemiSyncMasterSeconds = c.reasonableLockedSemiSyncMasterSeconds > 0
            ? c.reasonableLockedSemiSyncMasterSeconds : c.reasonableReplicationLagSeconds
        recoverNonWriteableMaster = c.recoverNonWriteableMaster
        enforceExactSemiSyncReplicas = c.enforceExactSemiSyncReplicas
        recoveryIgnoreHostnameFilters = c.recoveryIgnoreHostnameFilters
        recoverMasterClusterFilters = c.recoverMasterClusterFilters
        recoverIntermediateMasterClusterFilters = c.recoverIntermediateMasterClusterFilters
    }
}
