/// One step of a recovery as executed: for the audit (`audit-recovery`) and Raft replication.
public struct RecoveryStepRecord: Sendable, Hashable, Codable {
    public var name: String
    /// The step's human description (what it did to which server).
    public var detail: String
    public var started: Timestamp?
    public var ended: Timestamp?
    public var ok: Bool
    public var error: String
    /// Output kept for the audit (e.g. a hook's stdout/stderr).
    public var output: String

    public init(name: String, detail: String = "", started: Timestamp? = nil, ended: Timestamp? = nil,
                ok: Bool = false, error: String = "", output: String = "") {
        self.name = name
        self.detail = detail
        self.started = started
        self.ended = ended
        self.ok = ok
        self.error = error
        self.output = output
    }

    /// A pending record for a planned step.
    public init(step: RecoveryStep) { self.init(name: step.name, detail: step.description) }

    enum CodingKeys: String, CodingKey {
        case name = "Name", detail = "Detail", started = "Started", ended = "Ended", ok = "OK", error = "Error", output = "Output"
    }
}

/// A recovery attempt, with upstream's `TopologyRecovery` JSON shape plus orchd's `Steps`.
public struct TopologyRecovery: Sendable, Hashable, Codable {
    public var id: Int64
    public var uid: String
    public var analysisEntry: ReplicationAnalysis
    public var successorKey: InstanceKey?
    public var successorAlias: String
    /// Running (not yet resolved).
    public var isActive: Bool
    public var isSuccessful: Bool
    public var lostReplicas: [InstanceKey]
    public var participatingInstanceKeys: [InstanceKey]
    public var allErrors: [String]
    public var recoveryStartTimestamp: Timestamp
    public var recoveryEndTimestamp: Timestamp?
    public var processingNodeHostname: String
    public var processingNodeToken: String
    public var acknowledged: Bool
    public var acknowledgedAt: Timestamp?
    public var acknowledgedBy: String
    public var acknowledgedComment: String
    public var lastDetectionId: Int64
    public var relatedRecoveryId: Int64
    /// "MasterRecovery", "IntermediateMasterRecovery", ... (upstream `Type`).
    public var type: String
    /// "MasterRecoveryGTID" and the like (upstream `RecoveryType`).
    public var recoveryType: String
    public var steps: [RecoveryStepRecord]
    /// The plan's steps, recorded when the recovery starts (orchd's `PlannedSteps`): a leader that takes
    /// over a recovery its predecessor left running finishes it from here (``AbandonedRecovery``). Nil in
    /// records written by an orchd before 2026-12.
    public var plannedSteps: [RecoveryStep]?
    /// The plan's successor, recorded when the recovery starts (`SuccessorKey` is set only at the end).
    public var plannedSuccessorKey: InstanceKey?

    public init(id: Int64, uid: String, analysisEntry: ReplicationAnalysis, type: String, recoveryType: String = "",
                start: Timestamp, processingNodeHostname: String = "", processingNodeToken: String = "") {
        self.id = id
        self.uid = uid
        self.analysisEntry = analysisEntry
        self.successorKey = nil
        self.successorAlias = ""
        self.isActive = true
        self.isSuccessful = false
        self.lostReplicas = []
        self.participatingInstanceKeys = []
        self.allErrors = []
        self.recoveryStartTimestamp = start
        self.recoveryEndTimestamp = nil
        self.processingNodeHostname = processingNodeHostname
        self.processingNodeToken = processingNodeToken
        self.acknowledged = false
        self.acknowledgedAt = nil
        self.acknowledgedBy = ""
        self.acknowledgedComment = ""
        self.lastDetectionId = 0
        self.relatedRecoveryId = 0
        self.type = type
        self.recoveryType = recoveryType
        self.steps = []
    }

    /// The cluster this recovery was for.
    public var clusterName: String { analysisEntry.clusterDetails.clusterName }
    public var clusterAlias: String { analysisEntry.clusterDetails.clusterAlias }
    public var failedKey: InstanceKey { analysisEntry.analyzedInstanceKey }

    /// Marks the recovery acknowledged (`ack-cluster-recoveries`, `ack-all-recoveries`, manual recover).
    public mutating func acknowledge(by owner: String, comment: String, at now: Timestamp) {
        acknowledged = true
        acknowledgedAt = now
        acknowledgedBy = owner
        acknowledgedComment = comment
    }

    /// Resolves the recovery with its outcome.
    public mutating func resolve(successor: InstanceKey?, successful: Bool, at now: Timestamp) {
        successorKey = successor
        isSuccessful = successful
        isActive = false
        recoveryEndTimestamp = now
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", uid = "UID", analysisEntry = "AnalysisEntry", successorKey = "SuccessorKey"
        case successorAlias = "SuccessorAlias", isActive = "IsActive", isSuccessful = "IsSuccessful"
        case lostReplicas = "LostReplicas", participatingInstanceKeys = "ParticipatingInstanceKeys", allErrors = "AllErrors"
        case recoveryStartTimestamp = "RecoveryStartTimestamp", recoveryEndTimestamp = "RecoveryEndTimestamp"
        case processingNodeHostname = "ProcessingNodeHostname", processingNodeToken = "ProcessingNodeToken"
        case acknowledged = "Acknowledged", acknowledgedAt = "AcknowledgedAt", acknowledgedBy = "AcknowledgedBy"
        case acknowledgedComment = "AcknowledgedComment", lastDetectionId = "LastDetectionId"
        case relatedRecoveryId = "RelatedRecoveryId", type = "Type", recoveryType = "RecoveryType", steps = "Steps"
        case plannedSteps = "PlannedSteps", plannedSuccessorKey = "PlannedSuccessorKey"
    }
}
