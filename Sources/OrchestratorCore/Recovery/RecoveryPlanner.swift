/// Pure recovery planning: which replica to promote, the steps, and the reasons.
///
/// Catch-up rule: when the best promotable replica lacks transactions that a reachable but
/// non-promotable replica has (e.g. the most advanced one is `must_not`), the plan first lets the
/// candidate replicate from that replica (the *donor*) up to the donor's position — provided the donor
/// has `log_bin` + `log_slave_updates` (its binary log then holds those transactions) and no errant
/// GTIDs (they would be copied too) and still has, on MariaDB, the binary logs the candidate needs
/// (a donor that purged them is passed over for the next-most-advanced one). Without such a donor
/// the transactions are reported as lost. The same rule lets a `prefer` candidate that is behind be
/// promoted, when a donor brings it to at least the position of the replica that would otherwise win.
public enum RecoveryPlanner {
    /// Plans the failover of a dead master `failed` whose direct replicas are `replicas` (as probed;
    /// unreachable ones included). `designated` (an operator's candidate) replaces the ranking's
    /// choice; it must be a promotable direct replica, and catches up from a more advanced sibling
    /// (the donor rule) when it is behind.
    public static func planMasterFailover(failed: Instance, replicas: [Instance], operatorState: IntentState,
                                          now: Timestamp, settings: PromotionSettings,
                                          designated: InstanceKey? = nil) -> RecoveryPlan {
        let ranking = CandidateRanking(failed: failed, replicas: replicas, operatorState: operatorState, now: now, settings: settings)
        var plan = RecoveryPlan(kind: .masterFailover, failedKey: failed.key, clusterName: failed.clusterName, successor: nil,
                                basis: ranking.basis.planName, referencePosition: ranking.reference.description, steps: [],
                                verdicts: [], lostReplicas: [], lostTransactions: "", errors: [], warnings: [])
        guard !replicas.isEmpty else {
            plan.errors.append("\(failed.key) has no replicas: nothing to promote")
            return plan
        }
        var chosen = ranking.best
        var coMasterRule = false
        if let designated {
            guard let entry = designatedEntry(designated, of: failed.key, in: ranking, plan: &plan) else { return plan }
            chosen = entry
        } else if settings.coMasterRecoveryMustPromoteOtherCoMaster, failed.isCoMaster,
           let other = ranking.ranked.first(where: { $0.instance.isCoMaster && $0.instance.key != failed.key }) {
            guard other.promotable else {
                plan.errors.append("the other co-master \(other.instance.key) cannot be promoted (CoMasterRecoveryMustPromoteOtherCoMaster): "
                                   + other.exclusions.joined(separator: "; "))
                plan.verdicts = ranking.ranked.map { verdict($0, role: .lost, rank: nil, extra: []) }
                return plan
            }
            chosen = other
            coMasterRule = true
        }
        // A `prefer` candidate behind a more advanced replica is still promoted when a donor can catch it
        // up to at least that replica's position (upstream promotes the most advanced replica, moves the
        // preferred one under it and then swaps them: the same outcome, without the swap).
        var preferredOver: CandidateRanking.Entry?
        if designated == nil, !coMasterRule, let first = chosen, first.rule != .prefer,
           ranking.basis == .mysqlGTID || ranking.basis == .mariaDBGTID,
           let preferred = ranking.ranked.first(where: { $0.promotable && $0.rule == .prefer && $0.instance.key != first.instance.key }),
           // Only a candidate that lost on position alone: one with errant GTIDs still loses to a clean one.
           preferred.missing.count > first.missing.count,
           preferred.instance.gtidErrant.isEmpty || !first.instance.gtidErrant.isEmpty {
            let (preferredDonor, _) = catchUpDonor(for: preferred, in: ranking)
            let reachable = (preferredDonor?.position ?? preferred.position).missing(relativeTo: ranking.reference).count
            if reachable <= first.missing.count {
                chosen = preferred
                preferredOver = first
            }
        }
        guard let best = chosen else {
            plan.errors.append("no replica of \(failed.key) can be promoted; see each replica's reasons")
            plan.verdicts = ranking.ranked.map { verdict($0, role: .lost, rank: nil, extra: []) }
            plan.lostReplicas = plan.verdicts.map(\.key)
            return plan
        }
        if ranking.basis != .mysqlGTID && ranking.basis != .mariaDBGTID && replicas.filter(\.isLastCheckValid).count > 1 {
            // Without GTID the other replicas could not follow the successor; refuse rather than detach them all.
            plan.errors.append("the replicas of \(failed.key) do not all use GTID; orchd repoints by GTID only, so a failover would lose every replica but the promoted one (enable GTID replication, or fix by hand)")
            plan.verdicts = ranking.ranked.map { verdict($0, role: .unchanged, rank: nil, extra: []) }
            return plan
        }
        let successor = best.instance.key
        plan.successor = successor

        // Donor: the most advanced reachable replica when the successor lacks something it has.
        var finalPosition = best.position
        let (donor, passedOver) = catchUpDonor(for: best, in: ranking)
        if let donor { finalPosition = donor.position }
        plan.lostTransactions = finalPosition.missing(relativeTo: ranking.reference).text

        // Roles.
        var verdicts: [CandidateVerdict] = []
        var repointed: [InstanceKey] = [], lost: [InstanceKey] = []
        var nextRank = 2
        let ordered = [best] + ranking.ranked.filter { $0.instance.key != successor }
        for entry in ordered {
            let key = entry.instance.key
            if key == successor {
                var reasons = winnerReasons(entry, donor: donor, passedOver: passedOver)
                if coMasterRule { reasons.insert("the other co-master (CoMasterRecoveryMustPromoteOtherCoMaster)", at: 0) }
                if designated != nil { reasons.insert("designated by the operator", at: 0) }
                if let over = preferredOver {
                    reasons.insert("promotion rule prefer: chosen over the more advanced \(over.instance.key), "
                                   + "from which it catches up first, so nothing is lost", at: 0)
                }
                verdicts.append(verdict(entry, role: .successor, rank: 1, extra: reasons))
                continue
            }
            var extra = loserReasons(entry, against: best)
            if let why = passedOver[key] { extra.append("cannot serve as donor: \(why)") }
            let order = entry.position.compare(to: finalPosition)
            let purged = purgedBinlogsReason(entry.position, successor: best.instance)
            let canFollow = entry.instance.isLastCheckValid && (ranking.basis == .mysqlGTID || ranking.basis == .mariaDBGTID)
                && (order == .equal || order == .behind) && purged == nil
            let role: CandidateVerdict.Role
            if canFollow {
                role = key == donor?.instance.key ? .donor : .repointed
                if role == .donor {
                    extra.insert("serves as donor: \(successor) catches up from it before promotion", at: 0)
                    if !entry.promotable {
                        // Deliberately unlike upstream, which counts a non-promotable replica ahead of its
                        // candidate as lost (README: Compatibility with orchestrator).
                        extra.insert("orchd keeps what this more advanced, non-promotable replica has (upstream orchestrator "
                                     + "would count it as ahead of the successor and lose it with those transactions)", at: 1)
                    }
                }
                repointed.append(key)
            } else {
                role = .lost
                if !entry.instance.isLastCheckValid { extra.insert("lost: unreachable, cannot be repointed", at: 0) }
                else if ranking.basis != .mysqlGTID && ranking.basis != .mariaDBGTID { extra.insert("lost: no GTID to repoint it by", at: 0) }
                else if let purged, order == .equal || order == .behind { extra.insert(purged, at: 0) }
                else { extra.insert("lost: has transactions \(successor) will not have (\(finalPosition.missing(relativeTo: entry.position).text))", at: 0) }
                lost.append(key)
            }
            verdicts.append(verdict(entry, role: role, rank: entry.promotable ? nextRank : nil, extra: extra))
            if entry.promotable { nextRank += 1 }
        }
        plan.verdicts = verdicts
        plan.lostReplicas = lost
        if !plan.lostTransactions.isEmpty {
            plan.warnings.append("\(successor) will lack transactions other replicas have: \(plan.lostTransactions)")
        }

        // Steps.
        let reachable = replicas.filter(\.isLastCheckValid).map(\.key).sorted()
        var steps: [RecoveryStep] = [.stopReplication(reachable)]
        if let donor {
            steps.append(.waitUntilApplied(donor.instance.key, upTo: .relayLogEnd))
            steps.append(.waitUntilApplied(successor, upTo: .relayLogEnd))
            steps.append(.catchUp(successor, from: donor.instance.key, upTo: .gtid(donor.position.description)))
        } else {
            steps.append(.waitUntilApplied(successor, upTo: .relayLogEnd))
        }
        steps.append(.promote(successor, setWritable: settings.applyMySQLPromotionAfterMasterFailover))
        for key in repointed.sorted() { steps.append(.repoint(key, to: successor, start: true)) }
        steps.append(.fenceOldMaster(failed.key))
        steps.append(.downtime(failed.key, reason: LostInRecovery.reason, seconds: settings.failedMasterDowntimeSeconds))
        for key in lost.sorted() {
            if settings.detachLostReplicasAfterMasterFailover && replicas.first(where: { $0.key == key })?.isLastCheckValid == true {
                steps.append(.detach(key))
            }
            steps.append(.downtime(key, reason: LostInRecovery.reason, seconds: settings.lostReplicaDowntimeSeconds))
        }
        if best.downtimed { steps.append(.endDowntime(successor)) }
        plan.steps = steps
        return plan
    }

    /// The replica `candidate` catches up from before promotion when it lacks something a reachable
    /// replica has: the most advanced one with `log_bin` + `log_slave_updates`, no errant GTIDs, and (on
    /// MariaDB) the binary logs `candidate` needs; those passed over for purged binary logs, with why.
    static func catchUpDonor(for candidate: CandidateRanking.Entry, in ranking: CandidateRanking)
        -> (donor: CandidateRanking.Entry?, passedOver: [InstanceKey: String]) {
        guard candidate.missing.count > 0, ranking.basis == .mysqlGTID || ranking.basis == .mariaDBGTID else { return (nil, [:]) }
        let key = candidate.instance.key
        var passedOver: [InstanceKey: String] = [:]
        var able = ranking.ranked.filter { $0.instance.isLastCheckValid && $0.instance.key != key
            && $0.instance.logBinEnabled && $0.instance.logReplicationUpdatesEnabled && $0.instance.gtidErrant.isEmpty
            && $0.position.compare(to: candidate.position) == .ahead }
        // Most advanced first; one that purged what the candidate needs cannot catch it up.
        while let next = able.min(by: { $0.missing.count < $1.missing.count }) {
            guard let why = purgedBinlogsReason(candidate.position, of: key, on: next.instance) else { return (next, passedOver) }
            passedOver[next.instance.key] = why
            able.removeAll { $0.instance.key == next.instance.key }
        }
        return (nil, passedOver)
    }

    // MARK: - Reasons

    /// The ranking entry of the replica an operator designated, or nil with the reason in `plan.errors`
    /// (not a direct replica of `master`, or excluded from promotion: then every verdict is kept).
    static func designatedEntry(_ designated: InstanceKey, of master: InstanceKey, in ranking: CandidateRanking,
                                plan: inout RecoveryPlan) -> CandidateRanking.Entry? {
        guard let entry = ranking.ranked.first(where: { $0.instance.key == designated }) else {
            plan.errors.append("\(designated) is not a direct replica of \(master)")
            return nil
        }
        guard entry.promotable else {
            plan.errors.append("\(designated) cannot be promoted: " + entry.exclusions.joined(separator: "; "))
            plan.verdicts = ranking.ranked.map { verdict($0, role: .unchanged, rank: nil, extra: []) }
            return nil
        }
        return entry
    }

    static func verdict(_ e: CandidateRanking.Entry, role: CandidateVerdict.Role, rank: Int?, extra: [String]) -> CandidateVerdict {
        var reasons = extra
        reasons += e.exclusions.map { "not promotable: \($0)" }
        if !e.instance.gtidErrant.isEmpty { reasons.append("has errant GTIDs \(e.instance.gtidErrant)") }
        return CandidateVerdict(key: e.instance.key, role: role, rank: rank, promotable: e.promotable, promotionRule: e.rule,
                                position: e.position.description, missingTransactions: e.missing.text,
                                errantGTIDs: e.instance.gtidErrant, reasons: reasons)
    }

    static func winnerReasons(_ e: CandidateRanking.Entry, donor: CandidateRanking.Entry?,
                              passedOver: [InstanceKey: String]) -> [String] {
        var r: [String] = []
        if e.missing.count == 0 { r.append("most advanced position among reachable replicas (\(e.position))") }
        else if let donor { r.append("best promotable replica; catches up from \(donor.instance.key) first (missing \(e.missing.text))") }
        else if !passedOver.isEmpty { r.append("best promotable replica, but lacks \(e.missing.text) and no donor can catch it up") }
        else { r.append("best promotable replica, but lacks \(e.missing.text) that only non-promotable replicas have") }
        for key in passedOver.keys.sorted() { r.append("not caught up from \(key): \(passedOver[key]!)") }
        r.append("promotion rule \(e.rule)")
        if !e.instance.sqlThreadUpToDate { r.append("SQL thread behind its relay log: waits for it before promotion") }
        return r
    }

    static func loserReasons(_ e: CandidateRanking.Entry, against best: CandidateRanking.Entry) -> [String] {
        guard e.promotable else { return [] }
        if e.missing.count < best.missing.count, best.rule == .prefer {
            return ["more advanced than \(best.instance.key), whose promotion rule prefer wins once it has caught up"]
        }
        if e.missing.count > best.missing.count {
            return ["behind \(best.instance.key): lacks \(e.missing.text)"]
        }
        let ea = !e.instance.gtidErrant.isEmpty, eb = !best.instance.gtidErrant.isEmpty
        if ea && !eb { return ["same position as \(best.instance.key) but has errant GTIDs"] }
        if e.rule != best.rule { return ["same position; promotion rule \(e.rule) ranks below \(best.instance.key)'s \(best.rule)"] }
        if e.instance.sqlThreadUpToDate != best.instance.sqlThreadUpToDate { return ["same position; its SQL thread is behind its relay log"] }
        let la = ReplicaHealth.lagSeconds(e.instance) ?? 0, lb = ReplicaHealth.lagSeconds(best.instance) ?? 0
        if la != lb { return ["same position; lags \(la)s against \(lb)s"] }
        if e.downtimed != best.downtimed { return ["same position; it is downtimed"] }
        return ["same position and rule; \(best.instance.key) wins the tie (data center, then key order)"]
    }
}
