/// Upstream orchestrator's failure analysis codes (JSON: the raw string).
///
/// "Dead" means orchd cannot reach the server AND its reachable replicas agree that replication from
/// it is broken; "Unreachable" means orchd cannot reach it but some replica still receives from it.
public enum AnalysisCode: String, Sendable, Hashable, Codable, CaseIterable {
    case noProblem = "NoProblem"
    // Master
    case deadMasterWithoutReplicas = "DeadMasterWithoutReplicas"
    case deadMaster = "DeadMaster"
    case deadMasterAndReplicas = "DeadMasterAndReplicas"
    case deadMasterAndSomeReplicas = "DeadMasterAndSomeReplicas"
    case unreachableMasterWithLaggingReplicas = "UnreachableMasterWithLaggingReplicas"
    case unreachableMaster = "UnreachableMaster"
    case masterSingleReplicaNotReplicating = "MasterSingleReplicaNotReplicating"
    case masterSingleReplicaDead = "MasterSingleReplicaDead"
    case allMasterReplicasNotReplicating = "AllMasterReplicasNotReplicating"
    case allMasterReplicasNotReplicatingOrDead = "AllMasterReplicasNotReplicatingOrDead"
    case lockedSemiSyncMasterHypothesis = "LockedSemiSyncMasterHypothesis"
    case lockedSemiSyncMaster = "LockedSemiSyncMaster"
    case masterWithTooManySemiSyncReplicas = "MasterWithTooManySemiSyncReplicas"
    /// Upstream also uses this structure-warning name as an analysis code (with RecoverNonWriteableMaster).
    case noWriteableMasterStructureWarning = "NoWriteableMasterStructureWarning"
    // Co-master
    case deadCoMaster = "DeadCoMaster"
    case deadCoMasterAndSomeReplicas = "DeadCoMasterAndSomeReplicas"
    case unreachableCoMaster = "UnreachableCoMaster"
    case allCoMasterReplicasNotReplicating = "AllCoMasterReplicasNotReplicating"
    // Intermediate master
    case deadIntermediateMaster = "DeadIntermediateMaster"
    case deadIntermediateMasterWithSingleReplica = "DeadIntermediateMasterWithSingleReplica"
    case deadIntermediateMasterWithSingleReplicaFailingToConnect = "DeadIntermediateMasterWithSingleReplicaFailingToConnect"
    case deadIntermediateMasterAndSomeReplicas = "DeadIntermediateMasterAndSomeReplicas"
    case deadIntermediateMasterAndReplicas = "DeadIntermediateMasterAndReplicas"
    case unreachableIntermediateMasterWithLaggingReplicas = "UnreachableIntermediateMasterWithLaggingReplicas"
    case unreachableIntermediateMaster = "UnreachableIntermediateMaster"
    case allIntermediateMasterReplicasFailingToConnectOrDead = "AllIntermediateMasterReplicasFailingToConnectOrDead"
    case allIntermediateMasterReplicasNotReplicating = "AllIntermediateMasterReplicasNotReplicating"
    // Replicas
    case firstTierReplicaFailingToConnectToMaster = "FirstTierReplicaFailingToConnectToMaster"

    /// True for the codes upstream acts on automatically (`getCheckAndRecoverFunction`); the others
    /// are detection only.
    public var isActionable: Bool {
        switch self {
        case .deadMaster, .deadMasterAndSomeReplicas, .lockedSemiSyncMaster, .masterWithTooManySemiSyncReplicas,
             .deadIntermediateMaster, .deadIntermediateMasterWithSingleReplica,
             .deadIntermediateMasterWithSingleReplicaFailingToConnect, .deadIntermediateMasterAndSomeReplicas,
             .deadIntermediateMasterAndReplicas, .allIntermediateMasterReplicasFailingToConnectOrDead,
             .deadCoMaster, .deadCoMasterAndSomeReplicas, .noWriteableMasterStructureWarning:
            return true
        default:
            return false
        }
    }

    /// What a recovery for this code does, when it is actionable.
    public var recoveryKind: RecoveryKind? {
        switch self {
        case .deadMaster, .deadMasterAndSomeReplicas, .deadCoMaster, .deadCoMasterAndSomeReplicas:
            return .masterFailover
        case .deadIntermediateMaster, .deadIntermediateMasterWithSingleReplica,
             .deadIntermediateMasterWithSingleReplicaFailingToConnect, .deadIntermediateMasterAndSomeReplicas,
             .deadIntermediateMasterAndReplicas, .allIntermediateMasterReplicasFailingToConnectOrDead:
            return .intermediateMasterRelocation
        case .lockedSemiSyncMaster, .masterWithTooManySemiSyncReplicas:
            return .semiSyncRepair
        case .noWriteableMasterStructureWarning:
            return .makeMasterWriteable
        default:
            return nil
        }
    }

    /// True for codes about a cluster's top master (recovery governed by RecoverMasterClusterFilters).
    public var concernsMaster: Bool {
        switch recoveryKind {
        case .intermediateMasterRelocation: return false
        case .some: return true
        case nil: return rawValue.contains("Master") && !rawValue.contains("IntermediateMaster")
        }
    }
}

/// The kind of automated action an actionable analysis leads to.
public enum RecoveryKind: String, Sendable, Hashable, Codable {
    /// Promote a replica of a dead (co-)master.
    case masterFailover = "MasterRecovery"
    /// Move the replicas of a dead intermediate master elsewhere.
    case intermediateMasterRelocation = "IntermediateMasterRecovery"
    /// Semi-sync settings repair on a locked master.
    case semiSyncRepair = "SemiSyncRecovery"
    /// `read_only=0` on a master with replicas that is read-only.
    case makeMasterWriteable = "NonWriteableMasterRecovery"
}

/// Upstream's structure warnings: risks in the shape of a topology, reported next to the analysis code.
public enum StructureAnalysisCode: String, Sendable, Hashable, Codable, CaseIterable {
    case statementAndMixedLoggingReplicasStructureWarning = "StatementAndMixedLoggingReplicasStructureWarning"
    case statementAndRowLoggingReplicasStructureWarning = "StatementAndRowLoggingReplicasStructureWarning"
    case mixedAndRowLoggingReplicasStructureWarning = "MixedAndRowLoggingReplicasStructureWarning"
    case multipleMajorVersionsLoggingReplicasStructureWarning = "MultipleMajorVersionsLoggingReplicasStructureWarning"
    case noLoggingReplicasStructureWarning = "NoLoggingReplicasStructureWarning"
    case differentGTIDModesStructureWarning = "DifferentGTIDModesStructureWarning"
    case errantGTIDStructureWarning = "ErrantGTIDStructureWarning"
    case noFailoverSupportStructureWarning = "NoFailoverSupportStructureWarning"
    case noWriteableMasterStructureWarning = "NoWriteableMasterStructureWarning"
    case notEnoughValidSemiSyncReplicasStructureWarning = "NotEnoughValidSemiSyncReplicasStructureWarning"
}
