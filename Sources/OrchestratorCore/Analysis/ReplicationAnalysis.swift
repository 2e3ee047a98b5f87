/// One analysis entry: the state of an instance and its direct replicas, and what is wrong with it.
///
/// JSON keys are upstream's `ReplicationAnalysis` fields (`/api/replication-analysis`), including the
/// legacy `SlaveHosts` duplicate of `Replicas` written on encode.
public struct ReplicationAnalysis: Sendable, Hashable, Codable {
    public var analyzedInstanceKey: InstanceKey
    /// The analyzed instance's master (`InstanceKey.empty` for a top master).
    public var analyzedInstanceMasterKey: InstanceKey = .empty
    public var clusterDetails: ClusterInfo
    public var analyzedInstanceDataCenter: String = ""
    public var analyzedInstanceRegion: String = ""
    public var analyzedInstancePhysicalEnvironment: String = ""
    public var analyzedInstanceBinlogCoordinates = BinlogCoordinates()
    public var isMaster: Bool = false
    public var isCoMaster: Bool = false
    public var lastCheckValid: Bool = false
    public var lastCheckPartialSuccess: Bool = false
    public var countReplicas: Int = 0
    public var countValidReplicas: Int = 0
    public var countValidReplicatingReplicas: Int = 0
    public var countReplicasFailingToConnectToMaster: Int = 0
    public var countDowntimedReplicas: Int = 0
    public var replicationDepth: Int = 0
    public var replicas: [InstanceKey] = []
    public var isFailingToConnectToMaster: Bool = false
    public var analysis: AnalysisCode = .noProblem
    public var description: String = ""
    public var structureAnalysis: [StructureAnalysisCode] = []
    public var isDowntimed: Bool = false
    /// All replicas are downtimed and the analysis is about the replicas only.
    public var isReplicasDowntimed: Bool = false
    public var downtimeEndTimestamp: String = ""
    public var downtimeRemainingSeconds: Int64 = 0
    public var isBinlogServer: Bool = false
    public var pseudoGTIDImmediateTopology: Bool = false
    public var oracleGTIDImmediateTopology: Bool = false
    public var mariaDBGTIDImmediateTopology: Bool = false
    public var binlogServerImmediateTopology: Bool = false
    public var semiSyncMasterEnabled: Bool = false
    public var semiSyncMasterStatus: Bool = false
    public var semiSyncMasterWaitForReplicaCount: Int64 = 0
    public var semiSyncMasterClients: Int64 = 0
    public var countSemiSyncReplicasEnabled: Int = 0
    public var countLoggingReplicas: Int = 0
    public var countStatementBasedLoggingReplicas: Int = 0
    public var countMixedBasedLoggingReplicas: Int = 0
    public var countRowBasedLoggingReplicas: Int = 0
    public var countDistinctMajorVersionsLoggingReplicas: Int = 0
    public var countDelayedReplicas: Int = 0
    public var countLaggingReplicas: Int = 0
    public var isActionableRecovery: Bool = false
    public var processingNodeHostname: String = ""
    public var processingNodeToken: String = ""
    public var countAdditionalAgreeingNodes: Int = 0
    public var startActivePeriod: String = ""
    public var skippableDueToDowntime: Bool = false
    public var gtidMode: String = ""
    public var minReplicaGTIDMode: String = ""
    public var maxReplicaGTIDMode: String = ""
    public var maxReplicaGTIDErrant: String = ""
    /// `force-master-failover`, `graceful-master-takeover`, ... when an operator command made this entry.
    public var commandHint: String = ""
    public var isReadOnly: Bool = false

    public init(analyzedInstanceKey: InstanceKey, clusterDetails: ClusterInfo) {
        self.analyzedInstanceKey = analyzedInstanceKey
        self.clusterDetails = clusterDetails
    }

    /// Upstream's `AnalysisString`: the code (unless NoProblem) and the structure warnings, ", "-joined.
    public var analysisString: String {
        var parts: [String] = analysis == .noProblem ? [] : [analysis.rawValue]
        parts += structureAnalysis.map(\.rawValue)
        return parts.joined(separator: ", ")
    }

    /// True when there is something to report (a problem code or a structure warning).
    public var hasFindings: Bool { analysis != .noProblem || !structureAnalysis.isEmpty }

    // MARK: - Codable

    enum CodingKeys: String, CodingKey {
        case analyzedInstanceKey = "AnalyzedInstanceKey"
        case analyzedInstanceMasterKey = "AnalyzedInstanceMasterKey"
        case clusterDetails = "ClusterDetails"
        case analyzedInstanceDataCenter = "AnalyzedInstanceDataCenter"
        case analyzedInstanceRegion = "AnalyzedInstanceRegion"
        case analyzedInstancePhysicalEnvironment = "AnalyzedInstancePhysicalEnvironment"
        case analyzedInstanceBinlogCoordinates = "AnalyzedInstanceBinlogCoordinates"
        case isMaster = "IsMaster"
        case isCoMaster = "IsCoMaster"
        case lastCheckValid = "LastCheckValid"
        case lastCheckPartialSuccess = "LastCheckPartialSuccess"
        case countReplicas = "CountReplicas"
        case countValidReplicas = "CountValidReplicas"
        case countValidReplicatingReplicas = "CountValidReplicatingReplicas"
        case countReplicasFailingToConnectToMaster = "CountReplicasFailingToConnectToMaster"
        case countDowntimedReplicas = "CountDowntimedReplicas"
        case replicationDepth = "ReplicationDepth"
        case replicas = "Replicas"
        case isFailingToConnectToMaster = "IsFailingToConnectToMaster"
        case analysis = "Analysis"
        case description = "Description"
        case structureAnalysis = "StructureAnalysis"
        case isDowntimed = "IsDowntimed"
        case isReplicasDowntimed = "IsReplicasDowntimed"
        case downtimeEndTimestamp = "DowntimeEndTimestamp"
        case downtimeRemainingSeconds = "DowntimeRemainingSeconds"
        case isBinlogServer = "IsBinlogServer"
        case pseudoGTIDImmediateTopology = "PseudoGTIDImmediateTopology"
        case oracleGTIDImmediateTopology = "OracleGTIDImmediateTopology"
        case mariaDBGTIDImmediateTopology = "MariaDBGTIDImmediateTopology"
        case binlogServerImmediateTopology = "BinlogServerImmediateTopology"
        case semiSyncMasterEnabled = "SemiSyncMasterEnabled"
        case semiSyncMasterStatus = "SemiSyncMasterStatus"
        case semiSyncMasterWaitForReplicaCount = "SemiSyncMasterWaitForReplicaCount"
        case semiSyncMasterClients = "SemiSyncMasterClients"
        case countSemiSyncReplicasEnabled = "CountSemiSyncReplicasEnabled"
        case countLoggingReplicas = "CountLoggingReplicas"
        case countStatementBasedLoggingReplicas = "CountStatementBasedLoggingReplicas"
        case countMixedBasedLoggingReplicas = "CountMixedBasedLoggingReplicas"
        case countRowBasedLoggingReplicas = "CountRowBasedLoggingReplicas"
        case countDistinctMajorVersionsLoggingReplicas = "CountDistinctMajorVersionsLoggingReplicas"
        case countDelayedReplicas = "CountDelayedReplicas"
        case countLaggingReplicas = "CountLaggingReplicas"
        case isActionableRecovery = "IsActionableRecovery"
        case processingNodeHostname = "ProcessingNodeHostname"
        case processingNodeToken = "ProcessingNodeToken"
        case countAdditionalAgreeingNodes = "CountAdditionalAgreeingNodes"
        case startActivePeriod = "StartActivePeriod"
        case skippableDueToDowntime = "SkippableDueToDowntime"
        case gtidMode = "GTIDMode"
        case minReplicaGTIDMode = "MinReplicaGTIDMode"
        case maxReplicaGTIDMode = "MaxReplicaGTIDMode"
        case maxReplicaGTIDErrant = "MaxReplicaGTIDErrant"
        case commandHint = "CommandHint"
        case isReadOnly = "IsReadOnly"
    }

    private enum LegacyKeys: String, CodingKey { case slaveHosts = "SlaveHosts" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(analyzedInstanceKey, forKey: .analyzedInstanceKey)
        try c.encode(analyzedInstanceMasterKey, forKey: .analyzedInstanceMasterKey)
        try c.encode(clusterDetails, forKey: .clusterDetails)
        try c.encode(analyzedInstanceDataCenter, forKey: .analyzedInstanceDataCenter)
        try c.encode(analyzedInstanceRegion, forKey: .analyzedInstanceRegion)
        try c.encode(analyzedInstancePhysicalEnvironment, forKey: .analyzedInstancePhysicalEnvironment)
        try c.encode(analyzedInstanceBinlogCoordinates, forKey: .analyzedInstanceBinlogCoordinates)
        try c.encode(isMaster, forKey: .isMaster)
        try c.encode(isCoMaster, forKey: .isCoMaster)
        try c.encode(lastCheckValid, forKey: .lastCheckValid)
        try c.encode(lastCheckPartialSuccess, forKey: .lastCheckPartialSuccess)
        try c.encode(countReplicas, forKey: .countReplicas)
        try c.encode(countValidReplicas, forKey: .countValidReplicas)
        try c.encode(countValidReplicatingReplicas, forKey: .countValidReplicatingReplicas)
        try c.encode(countReplicasFailingToConnectToMaster, forKey: .countReplicasFailingToConnectToMaster)
        try c.encode(countDowntimedReplicas, forKey: .countDowntimedReplicas)
        try c.encode(replicationDepth, forKey: .replicationDepth)
        try c.encode(replicas, forKey: .replicas)
        try c.encode(isFailingToConnectToMaster, forKey: .isFailingToConnectToMaster)
        try c.encode(analysis, forKey: .analysis)
        try c.encode(description, forKey: .description)
        try c.encode(structureAnalysis, forKey: .structureAnalysis)
        try c.encode(isDowntimed, forKey: .isDowntimed)
        try c.encode(isReplicasDowntimed, forKey: .isReplicasDowntimed)
        try c.encode(downtimeEndTimestamp, forKey: .downtimeEndTimestamp)
        try c.encode(downtimeRemainingSeconds, forKey: .downtimeRemainingSeconds)
        try c.encode(isBinlogServer, forKey: .isBinlogServer)
        try c.encode(pseudoGTIDImmediateTopology, forKey: .pseudoGTIDImmediateTopology)
        try c.encode(oracleGTIDImmediateTopology, forKey: .oracleGTIDImmediateTopology)
        try c.encode(mariaDBGTIDImmediateTopology, forKey: .mariaDBGTIDImmediateTopology)
        try c.encode(binlogServerImmediateTopology, forKey: .binlogServerImmediateTopology)
        try c.encode(semiSyncMasterEnabled, forKey: .semiSyncMasterEnabled)
        try c.encode(semiSyncMasterStatus, forKey: .semiSyncMasterStatus)
        try c.encode(semiSyncMasterWaitForReplicaCount, forKey: .semiSyncMasterWaitForReplicaCount)
        try c.encode(semiSyncMasterClients, forKey: .semiSyncMasterClients)
        try c.encode(countSemiSyncReplicasEnabled, forKey: .countSemiSyncReplicasEnabled)
        try c.encode(countLoggingReplicas, forKey: .countLoggingReplicas)
        try c.encode(countStatementBasedLoggingReplicas, forKey: .countStatementBasedLoggingReplicas)
        try c.encode(countMixedBasedLoggingReplicas, forKey: .countMixedBasedLoggingReplicas)
        try c.encode(countRowBasedLoggingReplicas, forKey: .countRowBasedLoggingReplicas)
        try c.encode(countDistinctMajorVersionsLoggingReplicas, forKey: .countDistinctMajorVersionsLoggingReplicas)
        try c.encode(countDelayedReplicas, forKey: .countDelayedReplicas)
        try c.encode(countLaggingReplicas, forKey: .countLaggingReplicas)
        try c.encode(isActionableRecovery, forKey: .isActionableRecovery)
        try c.encode(processingNodeHostname, forKey: .processingNodeHostname)
        try c.encode(processingNodeToken, forKey: .processingNodeToken)
        try c.encode(countAdditionalAgreeingNodes, forKey: .countAdditionalAgreeingNodes)
        try c.encode(startActivePeriod, forKey: .startActivePeriod)
        try c.encode(skippableDueToDowntime, forKey: .skippableDueToDowntime)
        try c.encode(gtidMode, forKey: .gtidMode)
        try c.encode(minReplicaGTIDMode, forKey: .minReplicaGTIDMode)
        try c.encode(maxReplicaGTIDMode, forKey: .maxReplicaGTIDMode)
        try c.encode(maxReplicaGTIDErrant, forKey: .maxReplicaGTIDErrant)
        try c.encode(commandHint, forKey: .commandHint)
        try c.encode(isReadOnly, forKey: .isReadOnly)
        var legacy = encoder.container(keyedBy: LegacyKeys.self)
        try legacy.encode(replicas, forKey: .slaveHosts)
    }
}
