/// Dead intermediate master: move its replicas up to its own master, or under a sibling, by GTID.
extension RecoveryPlanner {
    /// Plans relocating the replicas of `failed` (a dead intermediate master). The new parent is
    /// `failed`'s master when reachable, else the best sibling (another reachable replica of that
    /// master with `log_bin` + `log_slave_updates`, ranked like a promotion candidate).
    public static func planIntermediateMasterRecovery(failed: Instance, replicas: [Instance], master: Instance?,
                                                      siblings: [Instance], operatorState: OperatorState,
                                                      now: Timestamp, settings: PromotionSettings) -> RecoveryPlan {
        let reachable = replicas.filter(\.isLastCheckValid)
        let basis = ReplicationPosition.basis(of: reachable)
        var plan = RecoveryPlan(kind: .intermediateMasterRecovery, failedKey: failed.key, clusterName: failed.clusterName,
                                successor: nil, basis: basis.planName, referencePosition: "", steps: [], verdicts: [],
                                lostReplicas: [], lostTransactions: "", errors: [], warnings: [])
        guard !replicas.isEmpty else {
            plan.errors.append("\(failed.key) has no replicas: nothing to relocate")
            return plan
        }
        guard basis == .mysqlGTID || basis == .mariaDBGTID else {
            plan.errors.append("the replicas of \(failed.key) do not all use GTID; orchd relocates by GTID only")
            return plan
        }
        var target: InstanceKey?
        var targetReason = ""
        if let master, master.isLastCheckValid {
            target = master.key
            targetReason = "new parent: \(master.key), the failed intermediate master's own master"
        } else {
            var settingsForSiblings = settings
            settingsForSiblings.failMasterPromotionOnLagMinutes = 0
            let others = siblings.filter { $0.key != failed.key }
            let ranking = CandidateRanking(failed: failed, replicas: others, operatorState: operatorState, now: now,
                                           settings: settingsForSiblings)
            if let best = ranking.best {
                target = best.instance.key
                targetReason = "new parent: sibling \(best.instance.key) (the master \(failed.masterKey?.description ?? "?") is unreachable)"
            }
        }
        guard let target else {
            plan.errors.append("neither the master of \(failed.key) nor any sibling can take its replicas")
            return plan
        }
        plan.successor = target
        var steps: [RecoveryStep] = [.stopReplication(reachable.map(\.key).sorted())]
        for r in replicas.sorted(by: { $0.key < $1.key }) {
            let position = ReplicationPosition(r, basis: basis).description
            if r.isLastCheckValid {
                steps.append(.repoint(r.key, to: target, start: true))
                plan.verdicts.append(CandidateVerdict(key: r.key, role: .repointed, rank: nil, promotable: false,
                                                      promotionRule: r.promotionRule, position: position, missingTransactions: "",
                                                      errantGTIDs: r.gtidErrant, reasons: [targetReason]))
            } else {
                plan.lostReplicas.append(r.key)
                steps.append(.downtime(r.key, reason: "lost-in-recovery", seconds: settings.lostReplicaDowntimeSeconds))
                plan.verdicts.append(CandidateVerdict(key: r.key, role: .lost, rank: nil, promotable: false,
                                                      promotionRule: r.promotionRule, position: position, missingTransactions: "",
                                                      errantGTIDs: r.gtidErrant, reasons: ["lost: unreachable, cannot be repointed"]))
            }
        }
        plan.steps = steps
        return plan
    }
}
