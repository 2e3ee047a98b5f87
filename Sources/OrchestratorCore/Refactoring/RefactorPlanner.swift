/// Plans topology refactorings (`relocate`, `move-up`, `take-master`, ...) over the inventory's view.
/// Pure: the instances, operator state and `now` are inputs; the executor runs the returned steps.
///
/// The method is always GTID (MariaDB `MASTER_USE_GTID`, MySQL auto-position) except for re-pointing
/// an instance at the master it already replicates from, where its own executed coordinates are the
/// same position by construction. Anything else without GTID is refused with the reason.
///
/// Ordering keeps every move safe against a target that is behind: the moving instance is stopped
/// first, and unless the new master is one of its ancestors (which always has at least its data), the
/// plan waits until the new master has applied everything the moving instance has before pointing it
/// there.
public struct RefactorPlanner: Sendable {
    let byKey: [InstanceKey: Instance]
    let instances: [Instance]
    let state: IntentState
    let now: Timestamp
    /// Where a server that starts replicating without a user of its own (make-co-master's top master)
    /// gets one; make-co-master is refused without.
    let replicationCredentials: ReplicationCredentialsSource

    public init(instances: [Instance], operatorState: IntentState, now: Timestamp,
                replicationCredentials: ReplicationCredentialsSource = .none) {
        self.replicationCredentials = replicationCredentials
        self.instances = instances
        self.state = operatorState
        self.now = now
        var byKey: [InstanceKey: Instance] = [:]
        for i in instances { byKey[i.key] = i }
        self.byKey = byKey
    }

    /// The plan for `request`, or why it is refused (nothing changes then).
    public func plan(_ request: RefactorRequest) -> Result<RefactorPlan, RefactorRefusal> {
        do { return .success(try makePlan(request)) } catch { return .failure(error) }
    }

    /// Convenience over ``plan(_:)``.
    public static func plan(_ request: RefactorRequest, instances: [Instance], operatorState: IntentState,
                            now: Timestamp, replicationCredentials: ReplicationCredentialsSource = .none)
        -> Result<RefactorPlan, RefactorRefusal> {
        RefactorPlanner(instances: instances, operatorState: operatorState, now: now,
                        replicationCredentials: replicationCredentials).plan(request)
    }

    // MARK: - Commands

    private func makePlan(_ request: RefactorRequest) throws(RefactorRefusal) -> RefactorPlan {
        let instance = try known(request.instance)
        if request.command.needsTarget, request.target == nil {
            throw RefactorRefusal(.invalid, "\(request.command.rawValue) needs a destination instance (-d host:port)")
        }
        switch request.command {
        case .relocate, .moveBelowGTID:
            return try single(request, instance, to: try known(request.target!))
        case .moveBelow:
            let sibling = try known(request.target!)
            guard let master = instance.masterKey, sibling.masterKey == master, sibling.key != instance.key else {
                throw RefactorRefusal(.unsafe, "\(sibling.key) is not a sibling of \(instance.key) (they do not replicate "
                    + "from the same master): move-below only moves an instance below a sibling; use relocate")
            }
            return try single(request, instance, to: sibling)
        case .moveUp:
            let master = try masterOf(instance, command: request.command)
            guard let grandparentKey = master.masterKey else {
                throw RefactorRefusal(.unsafe, "\(instance.key) replicates from the top master \(master.key): there is no level to move up to")
            }
            return try single(request, instance, to: try known(grandparentKey))
        case .repoint:
            let targetKey: InstanceKey
            if let given = request.target { targetKey = given } else { targetKey = try masterOf(instance, command: request.command).key }
            let target = try known(targetKey)
            return try repoint(request, [instance], to: target)
        case .repointReplicas:
            return try repoint(request, replicas(of: instance.key), to: instance)
        case .relocateReplicas, .moveReplicasGTID:
            let target = try known(request.target!)
            return try many(request, replicas(of: instance.key).filter { $0.key != target.key }, to: target)
        case .moveUpReplicas:
            let master = try masterOf(instance, command: request.command)
            return try many(request, replicas(of: instance.key), to: master)
        case .takeSiblings:
            let master = try masterOf(instance, command: request.command)
            return try many(request, replicas(of: master.key).filter { $0.key != instance.key }, to: instance)
        case .takeMaster:
            return try takeMaster(request, instance)
        case .makeCoMaster:
            return try makeCoMaster(request, instance)
        }
    }

    /// One instance below `target`.
    private func single(_ request: RefactorRequest, _ instance: Instance, to target: Instance) throws(RefactorRefusal) -> RefactorPlan {
        if instance.masterKey == target.key {
            try usable(instance, request)
            return RefactorPlan(request: request, noopReason: "\(instance.key) already replicates from \(target.key)")
        }
        try usable(instance, request)
        try usable(target, request)
        let positioning = try canReplicate(instance, from: target)
        var plan = RefactorPlan(request: request)
        appendMove(&plan, instance, to: target, positioning: positioning)
        plan.steps.append(.waitUntilReplicating(instance.key, from: target.key))
        return plan
    }

    /// Several replicas below `target`; those that cannot move are skipped with the reason, and the
    /// whole command is refused only when none can.
    private func many(_ request: RefactorRequest, _ movers: [Instance], to target: Instance) throws(RefactorRefusal) -> RefactorPlan {
        var plan = RefactorPlan(request: request)
        let moving = movers.filter { $0.masterKey != target.key }
        guard !moving.isEmpty else {
            plan.noopReason = movers.isEmpty ? "\(request.instance) has no replicas to move" : "every replica already replicates from \(target.key)"
            return plan
        }
        try usable(target, request)
        for replica in moving {
            do {
                try usable(replica, request)
                let positioning = try canReplicate(replica, from: target)
                appendMove(&plan, replica, to: target, positioning: positioning)
            } catch {
                plan.skipped.append((replica.key, error.reason))
            }
        }
        guard !plan.moves.isEmpty else {
            throw RefactorRefusal(.unsafe, "no replica can move below \(target.key): "
                + plan.skipped.map { "\($0.key): \($0.reason)" }.joined(separator: "; "))
        }
        for move in plan.moves { plan.steps.append(.waitUntilReplicating(move.instance, from: move.to)) }
        return plan
    }

    /// `repoint`/`repoint-replicas`: CHANGE MASTER again; to the current master this keeps the position
    /// (GTID, or the executed coordinates without GTID); to another master it is a GTID relocation.
    private func repoint(_ request: RefactorRequest, _ movers: [Instance], to target: Instance) throws(RefactorRefusal) -> RefactorPlan {
        var plan = RefactorPlan(request: request)
        guard !movers.isEmpty else {
            plan.noopReason = "\(request.instance) has no replicas to re-point"
            return plan
        }
        try usable(target, request)
        for replica in movers {
            do {
                try usable(replica, request)
                let positioning: RefactorPositioning
                if replica.masterKey == target.key {
                    positioning = try samePosition(replica, on: target)
                } else {
                    positioning = try canReplicate(replica, from: target)
                }
                appendMove(&plan, replica, to: target, positioning: positioning)
            } catch {
                if movers.count == 1 { throw error }
                plan.skipped.append((replica.key, error.reason))
            }
        }
        guard !plan.moves.isEmpty else {
            throw RefactorRefusal(.unsafe, "no replica can be re-pointed at \(target.key): "
                + plan.skipped.map { "\($0.key): \($0.reason)" }.joined(separator: "; "))
        }
        for move in plan.moves { plan.steps.append(.waitUntilReplicating(move.instance, from: move.to)) }
        return plan
    }

    /// `take-master`: the instance replaces its (intermediate) master, which becomes its replica.
    private func takeMaster(_ request: RefactorRequest, _ instance: Instance) throws(RefactorRefusal) -> RefactorPlan {
        let master = try masterOf(instance, command: request.command)
        guard let grandparentKey = master.masterKey else {
            throw RefactorRefusal(.unsafe, "\(master.key) is the cluster's top master: take-master swaps an intermediate master "
                + "with its replica; use graceful-master-takeover to replace a top master")
        }
        if grandparentKey == instance.key {
            throw RefactorRefusal(.unsafe, "\(instance.key) and \(master.key) are co-masters: take-master does not apply")
        }
        let grandparent = try known(grandparentKey)
        for i in [instance, master, grandparent] { try usable(i, request) }
        let up = try canReplicate(instance, from: grandparent)
        let down = try canReplicate(master, from: instance, ancestorMoving: true)
        let errant = instance.errantGTIDs(relativeTo: master)
        guard errant.isEmpty else {
            throw RefactorRefusal(.unsafe, "\(instance.key) has errant GTIDs \(errant) that \(master.key) does not have; "
                + "\(master.key) would replicate them: fix them first (which-gtid-errant, gtid-errant-inject-empty)")
        }
        var plan = RefactorPlan(request: request)
        plan.moves = [RefactorMove(instance: instance.key, from: master.key, to: grandparent.key, positioning: up),
                      RefactorMove(instance: master.key, from: grandparent.key, to: instance.key, positioning: down)]
        plan.steps = [
            .stopReplication(master.key),
            .waitUntilCaughtUp(instance.key, with: master.key),
            .stopReplication(instance.key),
            .changeMaster(instance.key, to: grandparent.key, positioning: up),
            .startReplication(instance.key),
            .changeMaster(master.key, to: instance.key, positioning: down),
            .startReplication(master.key),
            .waitUntilReplicating(instance.key, from: grandparent.key),
            .waitUntilReplicating(master.key, from: instance.key),
        ]
        return plan
    }

    /// `make-co-master`: the instance's top master also replicates from the instance.
    private func makeCoMaster(_ request: RefactorRequest, _ instance: Instance) throws(RefactorRefusal) -> RefactorPlan {
        let master = try masterOf(instance, command: request.command)
        // Refused, not a no-op: upstream fails here and scripts check for its wording.
        if master.masterKey == instance.key {
            throw RefactorRefusal(.invalid, "instance \(instance.key) is already co master of \(master.key); nothing to do "
                + "(to undo the ring, reset replication on one of them: reset-replica)")
        }
        if let other = master.masterKey {
            throw RefactorRefusal(.unsafe, "\(master.key) replicates from \(other): only a top master can become a co-master")
        }
        try usable(instance, request)
        try usable(master, request)
        let positioning = try canReplicate(master, from: instance, ancestorMoving: true)
        guard replicationCredentials.isKnown else {
            throw RefactorRefusal(.unsafe, ReplicationCredentialsSource.refusal("make-co-master", replica: master.key, master: instance.key))
        }
        var plan = RefactorPlan(request: request)
        plan.moves = [RefactorMove(instance: master.key, from: nil, to: instance.key, positioning: positioning)]
        plan.steps = [
            .waitUntilCaughtUp(instance.key, with: master.key),
            .changeMaster(master.key, to: instance.key, positioning: positioning),
            .startReplication(master.key),
            .waitUntilReplicating(master.key, from: instance.key),
        ]
        return plan
    }

    /// Stop, (wait for the target to catch up unless it is an ancestor), change master, start.
    private func appendMove(_ plan: inout RefactorPlan, _ instance: Instance, to target: Instance, positioning: RefactorPositioning) {
        plan.moves.append(RefactorMove(instance: instance.key, from: instance.masterKey, to: target.key, positioning: positioning))
        plan.steps.append(.stopReplication(instance.key))
        let sameMaster = instance.masterKey == target.key
        if positioning.isGTID, !sameMaster, !isAncestor(target.key, of: instance.key), target.isReplica {
            plan.steps.append(.waitUntilCaughtUp(target.key, with: instance.key))
        }
        plan.steps.append(.changeMaster(instance.key, to: target.key, positioning: positioning))
        plan.steps.append(.startReplication(instance.key))
    }

    // MARK: - Lookups

    func known(_ key: InstanceKey) throws(RefactorRefusal) -> Instance {
        guard let instance = byKey[key] else {
            throw RefactorRefusal(.invalid, "\(key) is not known to orchd: discover it first (orchestrator-client -c discover -i \(key))")
        }
        return instance
    }

    private func masterOf(_ instance: Instance, command: RefactorCommand) throws(RefactorRefusal) -> Instance {
        guard let key = instance.masterKey else {
            throw RefactorRefusal(.unsafe, "\(instance.key) is not a replica: \(command.rawValue) needs an instance that replicates from a master")
        }
        return try known(key)
    }

    func replicas(of key: InstanceKey) -> [Instance] {
        instances.filter { $0.masterKey == key }.sorted { $0.key < $1.key }
    }

    /// True when `ancestor` is above `key` in the replication chain (bounded walk: cycles end it).
    func isAncestor(_ ancestor: InstanceKey, of key: InstanceKey) -> Bool {
        var current = byKey[key]?.masterKey
        var seen: Set<InstanceKey> = []
        while let k = current, !seen.contains(k) {
            if k == ancestor { return true }
            seen.insert(k)
            current = byKey[k]?.masterKey
        }
        return false
    }
}
