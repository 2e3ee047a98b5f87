/// What a recovery would do and why: the successor, the ordered steps, and a verdict for every
/// replica. Produced by `RecoveryPlanner`, run by the executor, shown by `failover-plan` and `--noop`.
public struct RecoveryPlan: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case masterFailover = "MasterFailover"
        case intermediateMasterRecovery = "IntermediateMasterRecovery"
        case gracefulMasterTakeover = "GracefulMasterTakeover"
        /// A live master with replicas found `read_only` is made writeable (`RecoverNonWriteableMaster`).
        case nonWriteableMaster = "NonWriteableMasterRecovery"

        /// True when the plan hands the master role to another server (the KV stores learn it, the
        /// master-failover hooks run).
        public var changesMaster: Bool { self == .masterFailover || self == .gracefulMasterTakeover }
    }

    public var kind: Kind
    /// The failed (or, for a takeover, demoted) server.
    public var failedKey: InstanceKey
    public var clusterName: String
    /// The new master (failover, takeover) or new parent of the relocated replicas (intermediate).
    public var successor: InstanceKey?
    /// The position basis used to compare replicas.
    public var basis: String
    /// The most advanced position among reachable replicas.
    public var referencePosition: String
    public var steps: [RecoveryStep]
    /// Every replica considered, successor first, then in rank order.
    public var verdicts: [CandidateVerdict]
    public var lostReplicas: [InstanceKey]
    /// Transactions reachable replicas have that the successor will not have ("" when none).
    public var lostTransactions: String
    /// Why the plan cannot run (empty when it can).
    public var errors: [String]
    /// Things the operator should know that do not stop the plan.
    public var warnings: [String]

    /// True when there is a successor and nothing blocks the plan.
    public var isExecutable: Bool { successor != nil && errors.isEmpty }

    public func verdict(for key: InstanceKey) -> CandidateVerdict? { verdicts.first { $0.key == key } }

    enum CodingKeys: String, CodingKey {
        case kind = "Kind", failedKey = "FailedKey", clusterName = "ClusterName", successor = "SuccessorKey"
        case basis = "Basis", referencePosition = "ReferencePosition", steps = "Steps", verdicts = "Candidates"
        case lostReplicas = "LostReplicas", lostTransactions = "LostTransactions", errors = "Errors"
        case warnings = "Warnings"
    }
}

extension ReplicaProgress.Basis {
    /// Name shown in plans.
    var planName: String {
        switch self {
        case .mysqlGTID: return "MySQL GTID"
        case .mariaDBGTID: return "MariaDB GTID"
        case .binlogCoordinates: return "binlog coordinates"
        case .none: return "none"
        }
    }
}
