/// The topology refactoring commands, with upstream orchestrator's names (API paths and CLI commands).
public enum RefactorCommand: String, Codable, Sendable, CaseIterable {
    /// Move an instance below any instance it can replicate from.
    case relocate
    /// Move an instance's replicas below a target.
    case relocateReplicas = "relocate-replicas"
    /// Make an instance a sibling of its master (replicate from its grandparent).
    case moveUp = "move-up"
    /// Make an instance's replicas its siblings.
    case moveUpReplicas = "move-up-replicas"
    /// Move an instance below one of its siblings.
    case moveBelow = "move-below"
    /// Point an instance at a master (its current one by default) keeping its position.
    case repoint
    /// Re-point an instance's replicas at it, keeping their positions.
    case repointReplicas = "repoint-replicas"
    /// Make an instance's siblings its replicas.
    case takeSiblings = "take-siblings"
    /// Swap an instance with its master (the master becomes its replica).
    case takeMaster = "take-master"
    /// Make an instance's master also replicate from the instance (master-master).
    case makeCoMaster = "make-co-master"
    /// Move an instance's replicas below a target by GTID.
    case moveReplicasGTID = "move-replicas-gtid"
    /// Move an instance below a target by GTID.
    case moveBelowGTID = "move-below-gtid"

    /// Commands that move the instance's replicas rather than the instance (the API answers with the
    /// list of moved instances).
    public var movesReplicas: Bool {
        switch self {
        case .relocateReplicas, .moveUpReplicas, .repointReplicas, .moveReplicasGTID: return true
        default: return false
        }
    }

    /// Commands whose second instance is required.
    public var needsTarget: Bool {
        switch self {
        case .relocate, .relocateReplicas, .moveBelow, .moveReplicasGTID, .moveBelowGTID: return true
        default: return false
        }
    }
}

/// One refactoring request: the command, the instance it names, and the second instance where the
/// command takes one (`-d`).
public struct RefactorRequest: Sendable, Equatable {
    public var command: RefactorCommand
    public var instance: InstanceKey
    public var target: InstanceKey?
    /// True when automation (not an operator) asks: downtimed instances are then refused too.
    public var automated: Bool

    public init(_ command: RefactorCommand, instance: InstanceKey, target: InstanceKey? = nil, automated: Bool = false) {
        self.command = command
        self.instance = instance
        self.target = target
        self.automated = automated
    }
}
