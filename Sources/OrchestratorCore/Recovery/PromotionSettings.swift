/// The configuration keys recovery planning depends on.
public struct PromotionSettings: Sendable, Equatable {
    public var promotionIgnoreHostnameFilters: [String] = []
    public var preventCrossDataCenterMasterFailover = false
    public var preventCrossRegionMasterFailover = false
    /// 0 disables the check.
    public var failMasterPromotionOnLagMinutes = 0
    public var failMasterPromotionIfSQLThreadNotUpToDate = false
    public var applyMySQLPromotionAfterMasterFailover = true
    public var detachLostReplicasAfterMasterFailover = true
    /// A dead co-master's replacement must be the other co-master.
    public var coMasterRecoveryMustPromoteOtherCoMaster = true
    /// How long lost replicas stay downtimed. Always bounded (upstream keeps them downtimed for a year,
    /// renewed, which silently blocks later recoveries).
    public var lostReplicaDowntimeSeconds: Int64 = 3600
    /// How long the failed master of a failover stays downtimed `lost-in-recovery` (upstream's
    /// `LostInRecoveryDowntimeSeconds`, a year). It blocks nothing and ends once the server replicates.
    public var failedMasterDowntimeSeconds: Int64 = LostInRecovery.failedMasterDowntimeSeconds
    /// Where a demoted master's replication user comes from; graceful takeovers are refused without one.
    public var replicationCredentials: ReplicationCredentialsSource = .none

    public init() {}

    public init(configuration c: OrchestratorConfiguration) {
        promotionIgnoreHostnameFilters = c.promotionIgnoreHostnameFilters
        preventCrossDataCenterMasterFailover = c.preventCrossDataCenterMasterFailover
        preventCrossRegionMasterFailover = c.preventCrossRegionMasterFailover
        failMasterPromotionOnLagMinutes = c.failMasterPromotionOnLagMinutes
        failMasterPromotionIfSQLThreadNotUpToDate = c.failMasterPromotionIfSQLThreadNotUpToDate
        applyMySQLPromotionAfterMasterFailover = c.applyMySQLPromotionAfterMasterFailover
        detachLostReplicasAfterMasterFailover = c.detachLostReplicasAfterMasterFailover
        coMasterRecoveryMustPromoteOtherCoMaster = c.coMasterRecoveryMustPromoteOtherCoMaster
        replicationCredentials = ReplicationCredentialsSource(configuration: c)
        if case .int(let minutes)? = c.value(for: "MasterFailoverLostInstancesDowntimeMinutes"), minutes > 0 {
            lostReplicaDowntimeSeconds = minutes * 60
        } else {
            lostReplicaDowntimeSeconds = Int64(max(c.recoveryPeriodBlockSeconds, 60))
        }
    }
}
