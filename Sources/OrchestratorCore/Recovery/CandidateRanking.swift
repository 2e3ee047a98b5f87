/// Ranks the replicas of a failed master for promotion.
///
/// The rule, in order:
/// 1. **Exclusions** (never promoted): last check failed; `log_bin` or `log_slave_updates` off;
///    `must_not`; under maintenance; host matches `PromotionIgnoreHostnameFilters`; another data center / region than the
///    failed master under `PreventCrossDataCenterMasterFailover` / `PreventCrossRegionMasterFailover`;
///    lag above `FailMasterPromotionOnLagMinutes`; SQL thread behind its relay log under
///    `FailMasterPromotionIfSQLThreadNotUpToDate`; major version or binlog format above the most
///    common one among the reachable replicas (a newer server's binlogs may not be readable by the
///    others); no position comparable with the others.
/// 2. **Position** (errant GTIDs removed): fewer transactions missing relative to the most advanced
///    reachable replica first. Data is never traded for preference: a `prefer` replica that is behind
///    loses to a caught-up `neutral` one, and a lagging replica (MariaDB #1260) loses to a caught-up one —
///    in this ranking. `RecoveryPlanner` then promotes the `prefer` one anyway when a donor can first
///    catch it up to the winner's position, so preference never costs data.
/// 3. Ties: no errant GTIDs; promotion rule (prefer > neutral > prefer_not); SQL thread up to date;
///    lower lag; same data center as the failed master; not downtimed; key.
public struct CandidateRanking: Sendable {
    /// One replica's facts as the ranking sees them.
    public struct Entry: Sendable {
        public var instance: Instance
        public var rule: PromotionRule
        public var position: ReplicationPosition
        public var missing: (text: String, count: UInt64)
        public var exclusions: [String]
        public var downtimed: Bool
        public var promotable: Bool { exclusions.isEmpty }
    }

    /// Entries in rank order: promotable ones first (best first), then the excluded ones by position.
    public var ranked: [Entry]
    public var basis: ReplicaProgress.Basis
    /// The most advanced position among reachable replicas.
    public var reference: ReplicationPosition

    /// The best promotable replica, if any.
    public var best: Entry? { ranked.first { $0.promotable } }

    public init(failed: Instance, replicas: [Instance], operatorState: IntentState, now: Timestamp,
                settings: PromotionSettings) {
        let reachable = replicas.filter(\.isLastCheckValid)
        let basis = ReplicationPosition.basis(of: reachable)
        let positions = Dictionary(replicas.map { ($0.key, ReplicationPosition($0, basis: basis)) }, uniquingKeysWith: { a, _ in a })
        let reference = reachable.reduce(ReplicationPosition.unknown) { $0.union(positions[$1.key]!) }
        self.basis = basis
        self.reference = reference
        let commonVersion = CandidateRanking.mostCommon(reachable.map(\.majorVersion), order: CandidateRanking.versionLess)
        let commonFormat = CandidateRanking.mostCommon(reachable.filter(\.logBinEnabled).map { $0.binlogFormat.uppercased() }) {
            ReplicaHealth.binlogFormatRank($0) < ReplicaHealth.binlogFormatRank($1)
        }

        var entries: [Entry] = []
        for r in replicas {
            let rule = operatorState.activeCandidate(for: r.key, at: now)?.promotionRule ?? r.promotionRule
            var why: [String] = []
            if !r.isLastCheckValid { why.append("orchd cannot reach it (last check failed)") }
            if !r.logBinEnabled { why.append("log_bin is off: it has no binary log to serve replicas from") }
            else if !r.logReplicationUpdatesEnabled { why.append("log_slave_updates is off: its binary log lacks the replicated transactions") }
            if rule == .mustNot { why.append("promotion rule is must_not") }
            if let maintenance = operatorState.activeMaintenance(for: r.key, at: now) {
                why.append("\(maintenance.maintenanceSummary): end-maintenance first")
            }
            if let filter = settings.promotionIgnoreHostnameFilters.first(where: { !$0.isEmpty && ClusterFilters.search($0, in: r.key.hostname) }) {
                why.append("host matches PromotionIgnoreHostnameFilters \"\(filter)\"")
            }
            if settings.preventCrossDataCenterMasterFailover && r.dataCenter != failed.dataCenter {
                why.append("data center \"\(r.dataCenter)\" differs from the failed master's \"\(failed.dataCenter)\" (PreventCrossDataCenterMasterFailover)")
            }
            if settings.preventCrossRegionMasterFailover && r.region != failed.region {
                why.append("region \"\(r.region)\" differs from the failed master's \"\(failed.region)\" (PreventCrossRegionMasterFailover)")
            }
            if settings.failMasterPromotionOnLagMinutes > 0, let lag = ReplicaHealth.lagSeconds(r),
               lag > Int64(settings.failMasterPromotionOnLagMinutes) * 60 {
                why.append("lags \(lag)s, more than FailMasterPromotionOnLagMinutes=\(settings.failMasterPromotionOnLagMinutes)")
            }
            if settings.failMasterPromotionIfSQLThreadNotUpToDate && !r.sqlThreadUpToDate {
                why.append("SQL thread has not applied its relay log (FailMasterPromotionIfSQLThreadNotUpToDate)")
            }
            if let commonVersion, r.isLastCheckValid, CandidateRanking.versionLess(commonVersion, r.majorVersion) {
                why.append("version \(r.majorVersion) is newer than most replicas' \(commonVersion)")
            }
            if let commonFormat, r.logBinEnabled,
               ReplicaHealth.binlogFormatRank(r.binlogFormat) > ReplicaHealth.binlogFormatRank(commonFormat) {
                why.append("binlog format \(r.binlogFormat.uppercased()) is above most replicas' \(commonFormat)")
            }
            let position = positions[r.key]!
            if r.isLastCheckValid, case .unknown = position {
                why.append("its position cannot be compared with the other replicas' (no GTID data)")
            }
            let downtimed = operatorState.activeDowntime(for: r.key, at: now) != nil
            entries.append(Entry(instance: r, rule: rule, position: position,
                                 missing: position.missing(relativeTo: reference), exclusions: why, downtimed: downtimed))
        }
        let failedDC = failed.dataCenter
        ranked = entries.sorted { a, b in
            if a.promotable != b.promotable { return a.promotable }
            if a.missing.count != b.missing.count { return a.missing.count < b.missing.count }
            let ea = !a.instance.gtidErrant.isEmpty, eb = !b.instance.gtidErrant.isEmpty
            if ea != eb { return !ea }
            if a.rule != b.rule { return a.rule < b.rule }
            if a.instance.sqlThreadUpToDate != b.instance.sqlThreadUpToDate { return a.instance.sqlThreadUpToDate }
            let la = ReplicaHealth.lagSeconds(a.instance) ?? 0, lb = ReplicaHealth.lagSeconds(b.instance) ?? 0
            if la != lb { return la < lb }
            let da = a.instance.dataCenter == failedDC, db = b.instance.dataCenter == failedDC
            if da != db { return da }
            if a.downtimed != b.downtimed { return !a.downtimed }
            return a.instance.key < b.instance.key
        }
    }

    // MARK: - Helpers

    /// The most frequent value; ties go to the lower one (the conservative choice).
    static func mostCommon(_ values: [String], order: (String, String) -> Bool) -> String? {
        var counts: [String: Int] = [:]
        for v in values where !v.isEmpty { counts[v, default: 0] += 1 }
        return counts.keys.sorted(by: order).max { counts[$0]! < counts[$1]! }.flatMap { best in
            counts.keys.sorted(by: order).first { counts[$0] == counts[best] }
        }
    }

    /// Numeric comparison of dotted versions ("10.6" < "10.11").
    static func versionLess(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: ".").map { Int($0) ?? 0 }, y = b.split(separator: ".").map { Int($0) ?? 0 }
        for i in 0..<max(x.count, y.count) {
            let l = i < x.count ? x[i] : 0, r = i < y.count ? y[i] : 0
            if l != r { return l < r }
        }
        return false
    }
}
