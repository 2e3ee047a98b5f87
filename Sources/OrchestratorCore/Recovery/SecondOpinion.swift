/// Another orchd node's fresh view of a server the leader believes dead, asked just before an
/// automated master failover (`ExpectFailureAnalysisConcensus`, on by default).
///
/// Holistic detection already needs the master's replicas to agree that it is gone; that still fails
/// over when a network partition cuts the leader *and* the replicas off from a master that the
/// applications can still write to. A peer that reaches the master and finds it writable proves it
/// alive: failing over then would leave two writable masters, so that peer vetoes. Peers that cannot
/// answer do not block a failover (the check adds safety, never a liveness dependency).
public struct PeerOpinion: Codable, Sendable, Equatable {
    /// The answering node's Raft id.
    public var node: String
    public var key: InstanceKey
    /// Its probe, made when asked, succeeded.
    public var reachable: Bool
    /// `read_only` as that probe read it (meaningful when reachable).
    public var readOnly: Bool
    /// Why the probe failed, when it did.
    public var error: String

    public init(node: String, key: InstanceKey, reachable: Bool, readOnly: Bool, error: String = "") {
        self.node = node
        self.key = key
        self.reachable = reachable
        self.readOnly = readOnly
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case node = "Node", key = "Key", reachable = "Reachable", readOnly = "ReadOnly", error = "Error"
    }
}

public enum SecondOpinion {
    /// Failures where a wrong verdict makes two writable masters (a dead master or co-master), or
    /// rearranges a healthy branch (a dead intermediate master that only this node cannot reach: a leader
    /// cut off from MySQL but not from its peers).
    public static func applies(to analysis: ReplicationAnalysis) -> Bool {
        switch analysis.analysis {
        case .deadMaster, .deadMasterAndSomeReplicas, .deadMasterAndReplicas, .deadMasterWithoutReplicas,
             .deadCoMaster, .deadCoMasterAndSomeReplicas:
            return true
        case .deadIntermediateMaster, .deadIntermediateMasterWithSingleReplica,
             .deadIntermediateMasterWithSingleReplicaFailingToConnect, .deadIntermediateMasterAndSomeReplicas,
             .deadIntermediateMasterAndReplicas:
            return true
        default:
            return false
        }
    }

    /// The veto, in words, when a peer proves `key` alive; nil otherwise. A master is alive when a peer
    /// reaches it writable; an intermediate master (`intermediate`) when a peer reaches it at all.
    public static func veto(_ opinions: [PeerOpinion], key: InstanceKey, intermediate: Bool = false) -> String? {
        if intermediate {
            let alive = opinions.filter { $0.key == key && $0.reachable }.map(\.node).sorted()
            guard !alive.isEmpty else { return nil }
            return "\(key) answers from orchd node\(alive.count > 1 ? "s" : "") \(alive.joined(separator: ", ")): "
                + "not dead; its replicas are not relocated (is this node cut off from MySQL?). "
                + "recover overrides"
        }
        let alive = opinions.filter { $0.key == key && $0.reachable && !$0.readOnly }.map(\.node).sorted()
        guard !alive.isEmpty else { return nil }
        return "\(key) answers and is writable from orchd node\(alive.count > 1 ? "s" : "") \(alive.joined(separator: ", ")): "
            + "not dead; a failover now would leave two writable masters (a network partition?). "
            + "force-master-failover overrides"
    }

    /// Peers that could not reach `key` either (upstream's `CountAdditionalAgreeingNodes`).
    public static func agreeing(_ opinions: [PeerOpinion], key: InstanceKey) -> Int {
        opinions.filter { $0.key == key && !$0.reachable }.count
    }
}
