/// `RecoverNonWriteableMaster`: a live master with replicas found `read_only=1`
/// (`NoWriteableMasterStructureWarning`, analysed only when the key is on) is made writeable again.
extension RecoveryPlanner {
    /// One step, `SET GLOBAL read_only=0` on the master itself, refused when the server is not a reachable,
    /// read-only top master with replicas (what the analysis saw may have changed by the time of the plan:
    /// the executor re-probes before planning).
    public static func planMakeMasterWriteable(master: Instance, replicas: [Instance]) -> RecoveryPlan {
        var plan = RecoveryPlan(kind: .nonWriteableMaster, failedKey: master.key, clusterName: master.clusterName,
                                successor: nil, basis: ReplicaProgress.Basis.none.planName, referencePosition: "",
                                steps: [], verdicts: [], lostReplicas: [], lostTransactions: "", errors: [], warnings: [])
        if !master.isLastCheckValid {
            plan.errors.append("\(master.key) cannot be reached: a master that does not answer is not made writeable "
                + "(a dead master is failed over, not unlocked)")
        } else if master.isReplica {
            plan.errors.append("\(master.key) replicates from \(master.masterKey?.description ?? "a master"): only a cluster's "
                + "top master is made writeable")
        } else if !master.readOnly {
            plan.errors.append("\(master.key) is already writeable (read_only=0): nothing to do")
        } else if replicas.isEmpty {
            plan.errors.append("\(master.key) has no replicas: a lone read-only server is not treated as a master left read-only")
        }
        guard plan.errors.isEmpty else { return plan }
        plan.successor = master.key
        plan.steps = [.setWritable(master.key)]
        return plan
    }
}
