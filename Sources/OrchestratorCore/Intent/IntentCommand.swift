/// Operator intent that every orchd node must agree on, proposed through Raft and applied in log order
/// to each node's own store. Instance data is not replicated: every node probes every server itself.
///
/// Commands carry every value their effect depends on (timestamps are chosen by the proposer), so
/// `IntentState.apply` is deterministic on every node.
public enum IntentCommand: Codable, Sendable, Equatable {
    /// Start probing this instance (and crawl its topology).
    case discover(key: InstanceKey)
    /// Stop probing these instances and drop what is known of them (`forget`, `forget-cluster`).
    case forget(keys: [InstanceKey])
    /// Mark an instance as downtimed until `until`.
    case beginDowntime(Downtime)
    /// Lift an instance's downtime.
    case endDowntime(key: InstanceKey)
    /// Set an instance's promotion rule until `until` (`register-candidate`).
    case registerCandidate(CandidateRegistration)
    /// Turn automated recoveries off or on for the whole group.
    case setGlobalRecoveriesDisabled(Bool)
    /// Pin a cluster's alias regardless of what `DetectClusterAliasQuery` reports (empty alias clears).
    case setClusterAliasOverride(clusterName: String, alias: String)
    /// A node announces the HTTP address other nodes reach its API at (used to proxy to the leader).
    case announceNode(raftID: RaftNodeID, httpAddress: String)
    /// Records (or updates, by UID) a recovery: its start, each step, its outcome.
    case writeRecovery(TopologyRecovery)
    /// Acknowledges recoveries (`ack-cluster-recoveries`, `ack-all-recoveries`, `ack-recovery`).
    case acknowledgeRecoveries(RecoveryAcknowledgement)
    /// Take a maintenance lock on an instance until `until` (`begin-maintenance`): no refactoring or
    /// recovery touches it meanwhile.
    case beginMaintenance(Maintenance)
    /// Release an instance's maintenance lock (`end-maintenance`).
    case endMaintenance(key: InstanceKey)
}

/// Which recoveries an acknowledgement covers, by whom and why.
public struct RecoveryAcknowledgement: Codable, Sendable, Equatable {
    public enum Selector: Codable, Sendable, Equatable {
        case all
        /// A cluster by name or alias: a failover renames the cluster (its name is the master's key),
        /// the alias stays.
        case cluster(name: String, alias: String)
        case uid(String)
        case instance(InstanceKey)
    }

    public var selector: Selector
    public var owner: String
    public var comment: String
    public var at: Timestamp

    public init(selector: Selector, owner: String, comment: String, at: Timestamp) {
        self.selector = selector
        self.owner = owner
        self.comment = comment
        self.at = at
    }

    func covers(_ recovery: TopologyRecovery) -> Bool {
        switch selector {
        case .all: return true
        case .cluster(let name, let alias):
            return recovery.clusterName == name || (!alias.isEmpty && recovery.clusterAlias == alias)
        case .uid(let uid): return recovery.uid == uid
        case .instance(let key): return recovery.failedKey == key
        }
    }
}

/// A time-bounded hold an operator puts on an instance, by whom and why. Two kinds share the shape:
/// ``Downtime`` takes the instance out of automated recovery; ``Maintenance`` (upstream's
/// `begin-maintenance`) makes refactoring refuse to move it or anything below it, and recovery never
/// promotes it. Either ends at `end` even when nobody lifts it (for maintenance, upstream's
/// `MaintenanceExpireMinutes`).
public struct InstanceHold: Codable, Sendable, Equatable, Hashable {
    public var key: InstanceKey
    public var owner: String
    public var reason: String
    public var begin: Timestamp
    public var end: Timestamp

    public init(key: InstanceKey, owner: String, reason: String, begin: Timestamp, end: Timestamp) {
        self.key = key
        self.owner = owner
        self.reason = reason
        self.begin = begin
        self.end = end
    }

    /// Whether the hold still applies at `now`.
    public func isActive(at now: Timestamp) -> Bool { now < end }
}

/// An instance taken out of automated recovery for a while.
public typealias Downtime = InstanceHold

/// A maintenance lock on an instance.
public typealias Maintenance = InstanceHold

extension InstanceHold {
    /// How a maintenance lock reads in refusals: `under maintenance by alice (disk swap) until ...`.
    public var maintenanceSummary: String { "under maintenance by \(owner) (\(reason)) until \(end.rfc3339)" }
}

/// A promotion rule registered by an operator for an instance (`register-candidate`).
public struct CandidateRegistration: Codable, Sendable, Equatable, Hashable {
    public var key: InstanceKey
    public var promotionRule: PromotionRule
    public var registeredAt: Timestamp
    public var until: Timestamp

    public init(key: InstanceKey, promotionRule: PromotionRule, registeredAt: Timestamp, until: Timestamp) {
        self.key = key
        self.promotionRule = promotionRule
        self.registeredAt = registeredAt
        self.until = until
    }

    public func isActive(at now: Timestamp) -> Bool { now < until }
}
