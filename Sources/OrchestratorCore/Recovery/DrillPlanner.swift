/// Failover drills (`orchestrator-client -c drill`): a rehearsed graceful takeover on a healthy cluster,
/// to a replica and back to the original master (or, with a target, to the target only), measured by a
/// write probe. This file decides whether a drill may run now and what it switches; the server runs
/// the switches through the ordinary graceful-takeover path and measures them.
public enum DrillPlanner {
    /// The drill for cluster `clusterName`, or why it is refused.
    /// - Parameters:
    ///   - members: the cluster's instances, as probed (ideally right before planning).
    ///   - master: the cluster's top master, when known.
    ///   - target: the operator's `-d`: the drill switches to it and stays there.
    ///   - analyses: the current analysis (of every cluster; other clusters' entries are ignored).
    public static func plan(clusterName: String, clusterAlias: String, members: [Instance], master: Instance?,
                            target: InstanceKey?, analyses: [ReplicationAnalysis], operatorState: IntentState,
                            recoveryPeriodBlockSeconds: Int64, now: Timestamp, settings: PromotionSettings) -> DrillPlan {
        var plan = DrillPlan(clusterName: clusterName, clusterAlias: clusterAlias, master: master?.key,
                             roundTrip: target == nil, switches: [], refusals: [], takeover: nil)
        guard let master else {
            plan.refusals.append("cluster \(clusterName) has no known master")
            return plan
        }
        let keys = Set(members.map(\.key))
        // The cluster must be healthy: a drill is a rehearsal, never a repair.
        for analysis in analyses where analysis.analysis != .noProblem
            && (keys.contains(analysis.analyzedInstanceKey) || analysis.clusterDetails.clusterName == clusterName) {
            plan.refusals.append("cluster has a problem: \(analysis.analysis.rawValue) on \(analysis.analyzedInstanceKey)")
        }
        if !master.isLastCheckValid {
            plan.refusals.append("master \(master.key) cannot be reached")
        } else if master.readOnly {
            plan.refusals.append("master \(master.key) is read-only: there is no writable master to drill")
        }
        for member in members.sorted(by: { $0.key < $1.key }) {
            if member.key != master.key {
                if !member.isLastCheckValid {
                    plan.refusals.append("\(member.key) cannot be reached")
                } else if !(member.replicationIOThreadRunning && member.replicationSQLThreadRunning) {
                    plan.refusals.append("\(member.key) is not replicating")
                }
            }
            if let downtime = operatorState.activeDowntime(for: member.key, at: now) {
                plan.refusals.append("\(member.key) is downtimed by \(downtime.owner) (\(downtime.reason)) until "
                    + "\(downtime.end.rfc3339); end-downtime first")
            }
            if let maintenance = operatorState.activeMaintenance(for: member.key, at: now) {
                plan.refusals.append("\(member.key) is \(maintenance.maintenanceSummary)")
            }
        }
        if operatorState.globalRecoveriesDisabled {
            plan.refusals.append("recoveries are disabled (enable-global-recoveries turns them back on): a drill would "
                + "rehearse a path that cannot run now")
        }
        let ofCluster = operatorState.recoveries.filter { sameCluster($0, name: clusterName, alias: clusterAlias, keys: keys) }
        if let running = ofCluster.first(where: \.isActive) {
            plan.refusals.append("recovery \(running.uid) of the cluster is still running")
        }
        let blocking = ofCluster.filter {
            !$0.isActive && !$0.acknowledged && $0.recoveryStartTimestamp.adding(seconds: recoveryPeriodBlockSeconds) > now
        }
        if let recent = blocking.max(by: { $0.recoveryStartTimestamp < $1.recoveryStartTimestamp }) {
            plan.refusals.append("recovery \(recent.uid) at \(recent.recoveryStartTimestamp) is in its block period "
                + "(RecoveryPeriodBlockSeconds) and not acknowledged; acknowledge it (ack-cluster-recoveries) first")
        }
        let replicas = members.filter { $0.masterKey == master.key && $0.key != master.key }.sorted { $0.key < $1.key }
        if replicas.isEmpty {
            plan.refusals.append("master \(master.key) has no replica to switch to")
            return plan
        }
        let takeover = RecoveryPlanner.planGracefulTakeover(
            master: master, replicas: replicas, designated: target, auto: true, operatorState: operatorState,
            now: now, settings: settings)
        plan.takeover = takeover
        guard takeover.isExecutable, let successor = takeover.successor else {
            plan.refusals.append(contentsOf: takeover.errors.isEmpty ? ["no suitable replica of \(master.key) to switch to"]
                                 : takeover.errors.map { "no suitable replica: \($0)" })
            return plan
        }
        plan.switches.append(DrillPlan.Switch(from: master.key, to: successor))
        if target == nil {
            if master.promotionRule == .mustNot {
                plan.refusals.append("\(master.key) is registered must_not: the drill cannot switch back to it; "
                    + "name a target with -d to switch one way")
            }
            plan.switches.append(DrillPlan.Switch(from: successor, to: master.key))
        }
        if !plan.refusals.isEmpty { plan.switches = [] }
        return plan
    }

    static func sameCluster(_ r: TopologyRecovery, name: String, alias: String, keys: Set<InstanceKey>) -> Bool {
        if r.clusterName == name || keys.contains(r.analysisEntry.analyzedInstanceKey) { return true }
        return !alias.isEmpty && alias != name && r.clusterAlias == alias
    }
}

/// What a drill would do, or why it may not.
public struct DrillPlan: Sendable, Hashable, Codable {
    public struct Switch: Sendable, Hashable, Codable {
        public var from: InstanceKey
        public var to: InstanceKey
        public init(from: InstanceKey, to: InstanceKey) {
            self.from = from
            self.to = to
        }
        enum CodingKeys: String, CodingKey { case from = "From", to = "To" }
    }

    public var clusterName: String
    public var clusterAlias: String
    public var master: InstanceKey?
    /// To a replica and back (no target given).
    public var roundTrip: Bool
    /// The graceful takeovers, in order (empty when refused).
    public var switches: [Switch]
    /// Why the drill may not run (empty when it may).
    public var refusals: [String]
    /// The first takeover's plan, when one could be made.
    public var takeover: RecoveryPlan?

    public var isExecutable: Bool { refusals.isEmpty && !switches.isEmpty }

    enum CodingKeys: String, CodingKey {
        case clusterName = "ClusterName", clusterAlias = "ClusterAlias", master = "MasterKey", roundTrip = "RoundTrip"
        case switches = "Switches", refusals = "Refusals", takeover = "FirstTakeover"
    }

    /// The plan as text (`--noop`).
    public var explain: String {
        var lines = ["Drill of cluster \(clusterName)\(clusterAlias.isEmpty || clusterAlias == clusterName ? "" : " (\(clusterAlias))")"
            + ", master \(master?.description ?? "unknown")"]
        if !refusals.isEmpty {
            lines.append("Refused:")
            lines += refusals.map { "  - \($0)" }
            return lines.joined(separator: "\n")
        }
        lines.append("Switches (each a graceful-master-takeover-auto, recorded in the audit as command \"drill\"):")
        for (i, s) in switches.enumerated() { lines.append("  \(i + 1). \(s.from) -> \(s.to)") }
        lines.append("Write probe: one row every 20 ms into meta.orchd_drill on the writable master (created if allowed)")
        lines.append("Checks: write unavailability and replication catch-up per switch; at the end one writable master, "
            + "every replica replicating from it, no acknowledged probe row lost")
        if let takeover {
            lines.append("First takeover:")
            lines += takeover.explain.split(separator: "\n", omittingEmptySubsequences: false).map { "  \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}

/// What a drill did: each switch with its figures, the probe, the invariants, and the verdict.
public struct DrillReport: Sendable, Hashable, Codable {
    public struct SwitchResult: Sendable, Hashable, Codable {
        public var from: InstanceKey
        public var to: InstanceKey
        public var succeeded: Bool
        public var recoveryUID: String
        /// From the takeover's start to its end (ms).
        public var durationMillis: Int
        /// The longest gap between two acknowledged probe writes around the switch (ms); nil without probe.
        public var writeUnavailableMillis: Int?
        /// From the takeover's end until every other server had every probe row acknowledged by then (ms).
        public var catchUpMillis: Int?
        /// Hooks the takeover ran (`phase: command`, with their outcome).
        public var hooks: [String]
        public var errors: [String]
        public init(from: InstanceKey, to: InstanceKey, succeeded: Bool, recoveryUID: String, durationMillis: Int,
                    writeUnavailableMillis: Int?, catchUpMillis: Int?, hooks: [String], errors: [String]) {
            self.from = from
            self.to = to
            self.succeeded = succeeded
            self.recoveryUID = recoveryUID
            self.durationMillis = durationMillis
            self.writeUnavailableMillis = writeUnavailableMillis
            self.catchUpMillis = catchUpMillis
            self.hooks = hooks
            self.errors = errors
        }
        enum CodingKeys: String, CodingKey {
            case from = "From", to = "To", succeeded = "Succeeded", recoveryUID = "RecoveryUID"
            case durationMillis = "DurationMillis", writeUnavailableMillis = "WriteUnavailableMillis"
            case catchUpMillis = "CatchUpMillis", hooks = "Hooks", errors = "Errors"
        }
    }

    public struct Probe: Sendable, Hashable, Codable {
        public var enabled: Bool
        public var skippedReason: String
        public var attempts: Int
        public var acknowledged: Int
        public var lost: Int
        public init(enabled: Bool, skippedReason: String = "", attempts: Int = 0, acknowledged: Int = 0, lost: Int = 0) {
            self.enabled = enabled
            self.skippedReason = skippedReason
            self.attempts = attempts
            self.acknowledged = acknowledged
            self.lost = lost
        }
        enum CodingKeys: String, CodingKey {
            case enabled = "Enabled", skippedReason = "SkippedReason", attempts = "Attempts"
            case acknowledged = "Acknowledged", lost = "Lost"
        }
    }

    public struct Invariant: Sendable, Hashable, Codable {
        public var name: String
        public var held: Bool
        public var detail: String
        public init(_ name: String, held: Bool, _ detail: String) {
            self.name = name
            self.held = held
            self.detail = detail
        }
        enum CodingKeys: String, CodingKey { case name = "Name", held = "Held", detail = "Detail" }
    }

    public var drillID: String
    public var clusterName: String
    public var switches: [SwitchResult]
    public var probe: Probe
    public var invariants: [Invariant]
    public var finalMaster: InstanceKey?

    public init(drillID: String, clusterName: String, switches: [SwitchResult], probe: Probe, invariants: [Invariant],
                finalMaster: InstanceKey?) {
        self.drillID = drillID
        self.clusterName = clusterName
        self.switches = switches
        self.probe = probe
        self.invariants = invariants
        self.finalMaster = finalMaster
    }

    /// Every switch succeeded and every invariant held.
    public var passed: Bool { !switches.isEmpty && switches.allSatisfy(\.succeeded) && invariants.allSatisfy(\.held) }

    /// The report as text (what `orchestrator-client -c drill` prints).
    public var text: String {
        var lines = ["Drill \(drillID) of cluster \(clusterName): \(passed ? "PASS" : "FAIL")"]
        for (i, s) in switches.enumerated() {
            let unavailable = s.writeUnavailableMillis.map { "\($0) ms" } ?? "not measured"
            let catchUp = s.catchUpMillis.map { "\($0) ms" } ?? "not measured"
            lines.append("  switch \(i + 1): \(s.from) -> \(s.to): \(s.succeeded ? "ok" : "FAILED") in \(s.durationMillis) ms; "
                + "writes unavailable \(unavailable); replicas caught up \(catchUp); recovery \(s.recoveryUID)")
            lines += s.hooks.map { "    hook \($0)" }
            lines += s.errors.map { "    error: \($0)" }
        }
        if probe.enabled {
            lines.append("  probe: \(probe.acknowledged) writes acknowledged of \(probe.attempts) attempts, \(probe.lost) lost")
        } else {
            lines.append("  probe: skipped: \(probe.skippedReason)")
        }
        for invariant in invariants {
            lines.append("  [\(invariant.held ? "held" : "BROKEN")] \(invariant.name): \(invariant.detail)")
        }
        lines.append("  final master: \(finalMaster?.description ?? "unknown")")
        return lines.joined(separator: "\n")
    }

    enum CodingKeys: String, CodingKey {
        case drillID = "DrillID", clusterName = "ClusterName", switches = "Switches", probe = "Probe"
        case invariants = "Invariants", finalMaster = "FinalMaster", passed = "Passed", text = "Text"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(drillID, forKey: .drillID)
        try c.encode(clusterName, forKey: .clusterName)
        try c.encode(switches, forKey: .switches)
        try c.encode(probe, forKey: .probe)
        try c.encode(invariants, forKey: .invariants)
        try c.encodeIfPresent(finalMaster, forKey: .finalMaster)
        try c.encode(passed, forKey: .passed)
        try c.encode(text, forKey: .text)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        drillID = try c.decode(String.self, forKey: .drillID)
        clusterName = try c.decode(String.self, forKey: .clusterName)
        switches = try c.decode([SwitchResult].self, forKey: .switches)
        probe = try c.decode(Probe.self, forKey: .probe)
        invariants = try c.decode([Invariant].self, forKey: .invariants)
        finalMaster = try c.decodeIfPresent(InstanceKey.self, forKey: .finalMaster)
    }
}

extension DrillReport {
    /// The longest gap between consecutive acknowledged writes (times in ms) that overlaps the window
    /// [`start`, `end`]: how long writes were unavailable around a switch. Nil with fewer than two
    /// writes, or when no write was acknowledged after `start` (the gap never closed).
    public static func writeUnavailability(acks: [Double], start: Double, end: Double) -> Int? {
        let sorted = acks.sorted()
        guard sorted.contains(where: { $0 > start }) else { return nil }
        var longest = 0.0
        var previous = sorted.last(where: { $0 <= start }) ?? start
        for t in sorted where t > start {
            if previous <= end { longest = max(longest, t - previous) }
            previous = t
        }
        return Int(longest.rounded())
    }
}
