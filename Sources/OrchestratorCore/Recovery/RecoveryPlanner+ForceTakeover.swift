/// Forced master takeover: promote an operator's replica now, whether or not the master is healthy.
extension RecoveryPlanner {
    /// Plans `force-master-takeover`: upstream runs a forced dead-master recovery with the designated
    /// replica as the candidate; the master is demoted without the graceful wait for its replicas to
    /// reach its position. orchd makes the demotion explicit and first: `read_only=1` on the master
    /// (best effort: it may be dead), which freezes its position so the replicas' relay logs hold
    /// all that they will get; then the usual failover steps with `designated` as the successor
    /// (catching up from a more advanced sibling when it is behind). The old master is left
    /// read-only and not repointed (it may hold writes its replicas never received).
    public static func planForceMasterTakeover(master: Instance, replicas: [Instance], designated: InstanceKey,
                                               operatorState: IntentState, now: Timestamp,
                                               settings: PromotionSettings) -> RecoveryPlan {
        var plan = planMasterFailover(failed: master, replicas: replicas, operatorState: operatorState, now: now,
                                      settings: settings, designated: designated)
        guard plan.successor != nil else { return plan }
        plan.steps.removeAll { if case .fenceOldMaster = $0 { return true } else { return false } }
        plan.steps.insert(.fenceOldMaster(master.key), at: 0)
        if let successor = plan.steps.firstIndex(where: { if case .promote = $0 { return true } else { return false } }),
           case .promote(let key, _) = plan.steps[successor] {
            // An operator's takeover always leaves a writable master behind.
            plan.steps[successor] = .promote(key, setWritable: true)
        }
        if master.isLastCheckValid {
            plan.warnings.append("\(master.key) is alive: it is made read-only first; writes it took that no replica received are not carried over")
        }
        return plan
    }
}
