/// Shared vocabulary between the pure Raft core (`RaftNode`) and the IO shell (storage, transport,
/// service). Field names here are a contract for persisted data: extend, don't rename.

/// A Raft member's identity: its advertised address, `host:port` (RaftAdvertise).
public typealias RaftNodeID = String

/// One log entry.
public struct RaftEntry: Codable, Sendable, Equatable, Hashable {
    public enum Kind: UInt8, Codable, Sendable {
        /// An application command (opaque bytes for the state machine).
        case normal = 0
        /// Written by a new leader at the start of its term; carries no data.
        case noop = 1
        /// A membership change; `data` encodes the new voter set.
        case configuration = 2
    }

    public var term: UInt64
    public var index: UInt64
    public var kind: Kind
    public var data: [UInt8]

    public init(term: UInt64, index: UInt64, kind: Kind = .normal, data: [UInt8] = []) {
        self.term = term
        self.index = index
        self.kind = kind
        self.data = data
    }
}

/// What must be on disk before a node sends any message that depends on it.
public struct RaftHardState: Codable, Sendable, Equatable, Hashable {
    public var term: UInt64
    public var votedFor: RaftNodeID?
    public var commit: UInt64

    public init(term: UInt64 = 0, votedFor: RaftNodeID? = nil, commit: UInt64 = 0) {
        self.term = term
        self.votedFor = votedFor
        self.commit = commit
    }
}

/// Describes a snapshot: the last log position it covers and the voters at that point.
public struct RaftSnapshotMetadata: Codable, Sendable, Equatable, Hashable {
    public var index: UInt64
    public var term: UInt64
    public var voters: [RaftNodeID]

    public init(index: UInt64 = 0, term: UInt64 = 0, voters: [RaftNodeID] = []) {
        self.index = index
        self.term = term
        self.voters = voters
    }
}

/// A state-machine snapshot: metadata plus the application's opaque bytes.
public struct RaftSnapshot: Codable, Sendable, Equatable, Hashable {
    public var metadata: RaftSnapshotMetadata
    public var data: [UInt8]

    public init(metadata: RaftSnapshotMetadata, data: [UInt8]) {
        self.metadata = metadata
        self.data = data
    }
}
