/// Graceful master takeover: the master is alive; hand its role to a replica without losing writes.
extension RecoveryPlanner {
    /// Plans `graceful-master-takeover[-auto]`. `designated` must be a direct replica of `master`
    /// (upstream's refusal: "must be directly replicating from the master"). Without one, `auto`
    /// (`-auto`) takes the best-ranked replica, while the plain command takes the master's only direct
    /// replica and refuses when there are several ("target instance not indicated"), as upstream:
    /// scripts rely on both refusals. `auto` also starts the demoted master's replication. Order keeps the write pause short and never repoints a server to one
    /// that is behind it:
    /// 1. `read_only=1` on the master (writes stop; its position freezes);
    /// 2. the designated replica applies up to the master's (now fixed) position;
    /// 3. it stops replicating and is promoted (always made writable);
    /// 4. each sibling applies up to the same position, then replicates from the new master;
    /// 5. the old master replicates from the new one (started only with `-auto`).
    public static func planGracefulTakeover(master: Instance, replicas: [Instance], designated: InstanceKey?,
                                            auto: Bool, operatorState: IntentState,
                                            now: Timestamp, settings: PromotionSettings) -> RecoveryPlan {
        let ranking = CandidateRanking(failed: master, replicas: replicas, operatorState: operatorState, now: now, settings: settings)
        var plan = RecoveryPlan(kind: .gracefulMasterTakeover, failedKey: master.key, clusterName: master.clusterName,
                                successor: nil, basis: ranking.basis.planName, referencePosition: ranking.reference.description,
                                steps: [], verdicts: [], lostReplicas: [], lostTransactions: "", errors: [], warnings: [])
        guard master.isLastCheckValid else {
            plan.errors.append("\(master.key) cannot be reached: a graceful takeover needs a live master (use force-master-failover)")
            return plan
        }
        if let designated, !replicas.contains(where: { $0.key == designated }) {
            plan.errors.append("GracefulMasterTakeover: indicated designated instance \(designated) must be directly "
                + "replicating from the master \(master.key); name one of its direct replicas with -d")
            return plan
        }
        if designated == nil, !auto, replicas.count > 1 {
            plan.errors.append("GracefulMasterTakeover: target instance not indicated, auto=false, and master "
                + "\(master.key) has \(replicas.count) replicas. orchd cannot choose where to fail over to; name "
                + "the replica to promote with -d, or use graceful-master-takeover-auto to take the best one")
            return plan
        }
        guard ranking.basis == .mysqlGTID || ranking.basis == .mariaDBGTID else {
            plan.errors.append("the replicas of \(master.key) do not all use GTID; orchd takes over by GTID only")
            return plan
        }
        let chosen: CandidateRanking.Entry
        if let designated {
            guard let entry = designatedEntry(designated, of: master.key, in: ranking, plan: &plan) else { return plan }
            chosen = entry
        } else {
            guard let best = ranking.best else {
                plan.errors.append("no replica of \(master.key) can be promoted; see each replica's reasons")
                plan.verdicts = ranking.ranked.map { verdict($0, role: .unchanged, rank: nil, extra: []) }
                return plan
            }
            chosen = best
        }
        let successor = chosen.instance.key
        guard settings.replicationCredentials.isKnown else {
            plan.errors.append(ReplicationCredentialsSource.refusal("GracefulMasterTakeover", replica: master.key, master: successor))
            return plan
        }
        plan.successor = successor
        var steps: [RecoveryStep] = [
            .setReadOnly(master.key),
            .waitUntilApplied(successor, upTo: .positionOf(master.key)),
            .stopReplication([successor]),
            .promote(successor, setWritable: true),
        ]
        for (index, entry) in ranking.ranked.enumerated() {
            let key = entry.instance.key
            if key == successor {
                let why = designated == nil ? "best-ranked replica" : "designated by the operator"
                plan.verdicts.append(verdict(entry, role: .successor, rank: index + 1, extra: [why, "waits for all of \(master.key)'s writes before promotion"]))
            } else if entry.instance.isLastCheckValid {
                steps.append(.waitUntilApplied(key, upTo: .positionOf(master.key)))
                steps.append(.repoint(key, to: successor, start: true))
                plan.verdicts.append(verdict(entry, role: .repointed, rank: entry.promotable ? index + 1 : nil,
                                             extra: ["replicates from \(successor) after catching up with \(master.key)"]))
            } else {
                plan.lostReplicas.append(key)
                plan.verdicts.append(verdict(entry, role: .lost, rank: nil, extra: ["lost: unreachable, cannot be repointed"]))
            }
        }
        steps.append(.repoint(master.key, to: successor, start: auto))
        if chosen.downtimed { steps.append(.endDowntime(successor)) }
        plan.steps = steps
        return plan
    }
}
