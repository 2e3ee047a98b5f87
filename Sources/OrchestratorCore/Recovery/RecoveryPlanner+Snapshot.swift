/// Entry points over a whole set of probed instances: what the executor and `failover-plan` call.
extension RecoveryPlanner {
    /// The plan for an actionable analysis entry, using the instances as probed (ideally re-probed
    /// right before planning). Nil when the code calls for no topology change orchd plans
    /// (semi-sync repair) or the analyzed instance is unknown.
    /// `candidate` (an operator's choice, master failovers only) replaces the ranking's winner.
    public static func plan(for analysis: ReplicationAnalysis, instances: [Instance], operatorState: IntentState,
                            now: Timestamp, settings: PromotionSettings, candidate: InstanceKey? = nil) -> RecoveryPlan? {
        let byKey = Dictionary(instances.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        guard let failed = byKey[analysis.analyzedInstanceKey] else { return nil }
        switch analysis.analysis.recoveryKind {
        case .masterFailover:
            return planMasterFailover(failed: failed, replicas: replicas(of: failed.key, in: instances),
                                      operatorState: operatorState, now: now, settings: settings, designated: candidate)
        case .intermediateMasterRelocation:
            let master = failed.masterKey.flatMap { byKey[$0] }
            let siblings = failed.masterKey.map { replicas(of: $0, in: instances) } ?? []
            return planIntermediateMasterRecovery(failed: failed, replicas: replicas(of: failed.key, in: instances), master: master,
                                                  siblings: siblings, operatorState: operatorState, now: now, settings: settings)
        case .makeMasterWriteable:
            return planMakeMasterWriteable(master: failed, replicas: replicas(of: failed.key, in: instances))
        case .semiSyncRepair, nil:
            return nil
        }
    }

    /// `failover-plan`: what a failover of `master` would do if it died now (the master's own state is
    /// ignored; its replicas are ranked as they are).
    public static func hypotheticalFailover(of master: InstanceKey, instances: [Instance], operatorState: IntentState,
                                            now: Timestamp, settings: PromotionSettings) -> RecoveryPlan? {
        guard let failed = instances.first(where: { $0.key == master }) else { return nil }
        return planMasterFailover(failed: failed, replicas: replicas(of: master, in: instances),
                                  operatorState: operatorState, now: now, settings: settings)
    }

    /// `force-master-takeover` over the probed instances.
    public static func forceTakeover(of master: InstanceKey, designated: InstanceKey, instances: [Instance],
                                     operatorState: IntentState, now: Timestamp, settings: PromotionSettings) -> RecoveryPlan? {
        guard let m = instances.first(where: { $0.key == master }) else { return nil }
        return planForceMasterTakeover(master: m, replicas: replicas(of: master, in: instances), designated: designated,
                                       operatorState: operatorState, now: now, settings: settings)
    }

    /// `graceful-master-takeover[-auto]` over the probed instances.
    public static func gracefulTakeover(of master: InstanceKey, designated: InstanceKey?, auto: Bool, instances: [Instance],
                                        operatorState: IntentState, now: Timestamp, settings: PromotionSettings) -> RecoveryPlan? {
        guard let m = instances.first(where: { $0.key == master }) else { return nil }
        return planGracefulTakeover(master: m, replicas: replicas(of: master, in: instances), designated: designated,
                                    auto: auto, operatorState: operatorState, now: now, settings: settings)
    }

    /// Direct replicas of `key` among `instances`, by key.
    static func replicas(of key: InstanceKey, in instances: [Instance]) -> [Instance] {
        instances.filter { $0.masterKey == key && $0.key != key }.sorted { $0.key < $1.key }
    }
}

extension RecoveryPlan {
    /// Upstream's `RecoveryType` for the audit record (`MasterRecoveryGTID`, ...).
    public var recoveryType: String {
        let prefix = kind == .intermediateMasterRecovery ? "IntermediateMasterRecovery" : "MasterRecovery"
        switch basis {
        case ReplicaProgress.Basis.mysqlGTID.planName, ReplicaProgress.Basis.mariaDBGTID.planName: return prefix + "GTID"
        default: return prefix + "Unknown"
        }
    }

    /// Every server the plan touches (upstream `ParticipatingInstanceKeys`), sorted.
    public var participatingInstanceKeys: [InstanceKey] {
        Array(Set(steps.flatMap(\.instanceKeys))).sorted()
    }
}
