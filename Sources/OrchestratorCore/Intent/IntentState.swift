/// The replicated state machine's value: everything operators asked for, as agreed through Raft.
///
/// `apply` is total and deterministic; the shell persists the tables a command touched together with
/// the applied log index, and snapshots are this value encoded.
public struct IntentState: Codable, Sendable, Equatable {
    /// Instances some node was asked to discover and nobody asked to forget since.
    public var discoveredKeys: Set<InstanceKey> = []
    public var downtimes: [InstanceKey: Downtime] = [:]
    /// Maintenance locks (`begin-maintenance`), kept in the state document only (no readable table).
    public var maintenances: [InstanceKey: Maintenance] = [:]
    public var candidates: [InstanceKey: CandidateRegistration] = [:]
    public var globalRecoveriesDisabled = false
    public var clusterAliasOverrides: [String: String] = [:]
    /// HTTP address of each node's API, keyed by Raft id.
    public var nodeHTTPAddresses: [RaftNodeID: String] = [:]
    /// Recoveries, oldest first (at most `recoveryHistoryLimit`).
    public var recoveries: [TopologyRecovery] = []

    /// How many recoveries the replicated state keeps.
    public static let recoveryHistoryLimit = 1000

    public init() {}

    /// The parts of the state a command changes; the shell rewrites only these in its store.
    public enum Table: String, CaseIterable, Sendable {
        case discovered, downtime, candidate, globalRecovery, clusterAlias, node, recovery
    }

    /// Applies `command`, returning the tables it touched.
    @discardableResult
    public mutating func apply(_ command: IntentCommand) -> Set<Table> {
        switch command {
        case .discover(let key):
            discoveredKeys.insert(key)
            return [.discovered]
        case .forget(let keys):
            for key in keys {
                discoveredKeys.remove(key)
                downtimes[key] = nil
                candidates[key] = nil
                maintenances[key] = nil
            }
            return [.discovered, .downtime, .candidate]
        case .beginDowntime(let downtime):
            downtimes[downtime.key] = downtime
            return [.downtime]
        case .endDowntime(let key):
            downtimes[key] = nil
            return [.downtime]
        case .registerCandidate(let registration):
            candidates[registration.key] = registration
            return [.candidate]
        case .setGlobalRecoveriesDisabled(let disabled):
            globalRecoveriesDisabled = disabled
            return [.globalRecovery]
        case .setClusterAliasOverride(let clusterName, let alias):
            clusterAliasOverrides[clusterName] = alias.isEmpty ? nil : alias
            return [.clusterAlias]
        case .announceNode(let raftID, let httpAddress):
            nodeHTTPAddresses[raftID] = httpAddress
            return [.node]
        case .writeRecovery(let recovery):
            if let i = recoveries.firstIndex(where: { $0.uid == recovery.uid }) {
                recoveries[i] = recovery
            } else {
                recoveries.append(recovery)
                if recoveries.count > Self.recoveryHistoryLimit {
                    recoveries.removeFirst(recoveries.count - Self.recoveryHistoryLimit)
                }
            }
            return [.recovery]
        case .beginMaintenance(let maintenance):
            maintenances[maintenance.key] = maintenance
            return []
        case .endMaintenance(let key):
            maintenances[key] = nil
            return []
        case .acknowledgeRecoveries(let ack):
            for i in recoveries.indices where !recoveries[i].acknowledged && ack.covers(recoveries[i]) {
                recoveries[i].acknowledge(by: ack.owner, comment: ack.comment, at: ack.at)
            }
            return [.recovery]
        }
    }

    // MARK: - Queries (time is an input)

    public func activeDowntime(for key: InstanceKey, at now: Timestamp) -> Downtime? {
        guard let downtime = downtimes[key], downtime.isActive(at: now) else { return nil }
        return downtime
    }

    public func activeMaintenance(for key: InstanceKey, at now: Timestamp) -> Maintenance? {
        guard let maintenance = maintenances[key], maintenance.isActive(at: now) else { return nil }
        return maintenance
    }

    public func activeCandidate(for key: InstanceKey, at now: Timestamp) -> CandidateRegistration? {
        guard let registration = candidates[key], registration.isActive(at: now) else { return nil }
        return registration
    }

    /// The first moment after `now` at which `annotate` would answer differently for the same
    /// instance: a downtime, maintenance lock or candidate registration running out. Until then, an
    /// annotation made at `now` still holds (nil: none will run out).
    public func nextHoldChange(after now: Timestamp) -> Timestamp? {
        var next: Timestamp?
        func consider(_ end: Timestamp) {
            if now < end, next.map({ end < $0 }) ?? true { next = end }
        }
        for downtime in downtimes.values { consider(downtime.end) }
        for maintenance in maintenances.values { consider(maintenance.end) }
        for candidate in candidates.values { consider(candidate.until) }
        return next
    }

    /// Overlays operator intent (downtime, promotion rule, alias override) on a probed instance.
    public func annotate(_ instance: Instance, at now: Timestamp) -> Instance {
        var annotated = instance
        if let downtime = activeDowntime(for: instance.key, at: now) {
            annotated.isDowntimed = true
            annotated.downtimeReason = downtime.reason
            annotated.downtimeOwner = downtime.owner
            annotated.downtimeEndTimestamp = downtime.end
        }
        annotated.isUnderMaintenance = activeMaintenance(for: instance.key, at: now) != nil
        if let candidate = activeCandidate(for: instance.key, at: now) {
            annotated.isCandidate = candidate.promotionRule <= .prefer
            annotated.promotionRule = candidate.promotionRule
        }
        if let alias = clusterAliasOverrides[instance.clusterName] {
            annotated.suggestedClusterAlias = alias
        }
        return annotated
    }
}

// MARK: - Decoding older states

extension IntentState {
    /// Decodes states written before a field existed (snapshots, `state_json` of an older orchd): a
    /// missing field takes its empty value.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        discoveredKeys = try c.decodeIfPresent(Set<InstanceKey>.self, forKey: .discoveredKeys) ?? []
        downtimes = try c.decodeIfPresent([InstanceKey: Downtime].self, forKey: .downtimes) ?? [:]
        maintenances = try c.decodeIfPresent([InstanceKey: Maintenance].self, forKey: .maintenances) ?? [:]
        candidates = try c.decodeIfPresent([InstanceKey: CandidateRegistration].self, forKey: .candidates) ?? [:]
        globalRecoveriesDisabled = try c.decodeIfPresent(Bool.self, forKey: .globalRecoveriesDisabled) ?? false
        clusterAliasOverrides = try c.decodeIfPresent([String: String].self, forKey: .clusterAliasOverrides) ?? [:]
        nodeHTTPAddresses = try c.decodeIfPresent([RaftNodeID: String].self, forKey: .nodeHTTPAddresses) ?? [:]
        recoveries = try c.decodeIfPresent([TopologyRecovery].self, forKey: .recoveries) ?? []
    }
}
