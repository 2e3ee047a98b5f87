/// Dead intermediate master: move its replicas up to its own master, or under a sibling, by GTID.
extension RecoveryPlanner {
    /// Plans relocating the replicas of `failed` (a dead intermediate master). As upstream, the new parent
    /// is first a *candidate sibling*: another reachable replica of the same master in the failed one's
    /// data center, with `log_bin` + `log_slave_updates`, not excluded from promotion, ranked like a
    /// promotion candidate (the tree keeps its shape and the master no new replicas); then `failed`'s
    /// master when reachable; then siblings in other data centers. A replica never goes under a server
    /// of a newer major version than its own. A MariaDB
    /// replica behind the start of that parent's oldest binary log goes to the next parent that still
    /// has the binary logs it needs; when none has, it is lost.
    public static func planIntermediateMasterRecovery(failed: Instance, replicas: [Instance], master: Instance?,
                                                      siblings: [Instance], operatorState: IntentState,
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
        let parents = candidateParents(failed: failed, master: master, siblings: siblings, operatorState: operatorState,
                                       now: now, settings: settings)
        guard let preferred = parents.first else {
            plan.errors.append("neither the master of \(failed.key) nor any sibling can take its replicas")
            return plan
        }
        var steps: [RecoveryStep] = [.stopReplication(reachable.map(\.key).sorted())]
        var used: Set<InstanceKey> = []
        for r in replicas.sorted(by: { $0.key < $1.key }) {
            let position = ReplicationPosition(r, basis: basis)
            var role = CandidateVerdict.Role.lost
            var reasons: [String] = []
            if !r.isLastCheckValid {
                reasons = ["lost: unreachable, cannot be repointed"]
            } else {
                // The first parent, in order of preference, that still has the binary logs it needs.
                var passedOver: [String] = []
                for parent in parents {
                    if CandidateRanking.versionLess(r.majorVersion, parent.instance.majorVersion) {
                        passedOver.append("not moved under \(parent.instance.key): its version \(parent.instance.majorVersion) "
                                          + "is newer than \(r.key)'s \(r.majorVersion)")
                        continue
                    }
                    if let why = aheadOfParentReason(position, of: r.key, parent: parent.instance) {
                        passedOver.append("not moved under \(parent.instance.key): \(why)")
                        continue
                    }
                    if let why = purgedBinlogsReason(position, of: r.key, on: parent.instance) {
                        passedOver.append("not moved under \(parent.instance.key): \(why)")
                        continue
                    }
                    role = .repointed
                    reasons = [parent.reason] + passedOver
                    used.insert(parent.instance.key)
                    steps.append(.repoint(r.key, to: parent.instance.key, start: true))
                    break
                }
                if role == .lost {
                    if let ahead = aheadOfParentReason(position, of: r.key, parent: preferred.instance) {
                        reasons = ["lost: \(ahead); no new parent has what it has"] + passedOver.dropFirst()
                    } else {
                        reasons = [purgedBinlogsReason(position, successor: preferred.instance) ?? "lost: no new parent can serve it"]
                            + passedOver.dropFirst()
                    }
                }
            }
            if role == .lost {
                plan.lostReplicas.append(r.key)
                steps.append(.downtime(r.key, reason: "lost-in-recovery", seconds: settings.lostReplicaDowntimeSeconds))
            }
            plan.verdicts.append(CandidateVerdict(key: r.key, role: role, rank: nil, promotable: false,
                                                  promotionRule: r.promotionRule, position: position.description,
                                                  missingTransactions: "", errantGTIDs: r.gtidErrant, reasons: reasons))
        }
        plan.successor = (parents.first { used.contains($0.instance.key) } ?? preferred).instance.key
        plan.steps = steps
        return plan
    }

    /// Why a MariaDB replica at `position` cannot replicate from `parent` because it is *ahead* of it
    /// in some GTID domain (it applied, through the dead intermediate master, events `parent` has not
    /// binlogged yet): MariaDB refuses to start from a GTID missing in the master's binlog (error
    /// 1236), and a parent cut off from the master may never get there. nil when `parent` has all of it
    /// or when unknown. MySQL's auto-position needs no such rule: it skips what the replica has.
    static func aheadOfParentReason(_ position: ReplicationPosition, of replica: InstanceKey, parent: Instance) -> String? {
        guard case .mariadb(let mine) = position,
              let theirs = parent.gtidBinlogPosition ?? parent.gtidCurrentPosition else { return nil }
        for domain in mine.domains {
            let have = mine.sequence(inDomain: domain), parentHas = theirs.sequence(inDomain: domain)
            if have > parentHas {
                let at = theirs.latest(inDomain: domain).map(\.description) ?? "nothing"
                return "\(replica) is ahead of \(parent.key) in GTID domain \(domain) "
                    + "(\(replica) at \(mine.latest(inDomain: domain)!), \(parent.key) has binlogged up to \(at))"
            }
        }
        return nil
    }

    /// Where a dead intermediate master's replicas may go, preferred first, each with the reason it
    /// would be chosen: the candidate siblings in the failed server's data center (`log_bin` +
    /// `log_slave_updates`, reachable, not excluded, ranked like promotion candidates), its master when
    /// reachable, then the candidate siblings elsewhere.
    static func candidateParents(failed: Instance, master: Instance?, siblings: [Instance], operatorState: IntentState,
                                 now: Timestamp, settings: PromotionSettings) -> [(instance: Instance, reason: String)] {
        var settingsForSiblings = settings
        settingsForSiblings.failMasterPromotionOnLagMinutes = 0
        let ranking = CandidateRanking(failed: failed, replicas: siblings.filter { $0.key != failed.key },
                                       operatorState: operatorState, now: now, settings: settingsForSiblings)
        let candidates = ranking.ranked.filter(\.promotable).map(\.instance)
        let local = candidates.filter { $0.dataCenter == failed.dataCenter }
        let remote = candidates.filter { $0.dataCenter != failed.dataCenter }
        let dc = failed.dataCenter.isEmpty ? "" : " \"\(failed.dataCenter)\""
        var parents: [(instance: Instance, reason: String)] = local.map {
            ($0, "new parent: sibling \($0.key), a candidate sibling in the failed intermediate master's data center\(dc) "
                + "(log_bin, log_slave_updates, promotable)")
        }
        let masterReachable = master?.isLastCheckValid == true
        if let master, masterReachable {
            parents.append((master, "new parent: \(master.key), the failed intermediate master's own master"
                + (local.isEmpty ? " (no candidate sibling in its data center)" : "")))
        }
        let why = masterReachable ? "" : " (the master \(failed.masterKey?.description ?? "?") is unreachable)"
        for sibling in remote {
            parents.append((sibling, "new parent: sibling \(sibling.key) in data center \"\(sibling.dataCenter)\"\(why)"))
        }
        return parents
    }
}
