import OrchestratorCore

extension RaftService {
    // MARK: - Proposals

    /// Replicates `data` as a command and returns once it is committed AND applied on this node.
    /// - Throws: `RaftServiceError.notLeader(leader:)` (retry on the leader), `.timeout`,
    ///   `.shuttingDown`, `.dropped`, or `.refused` (e.g. a transfer is in progress).
    public func propose(_ data: [UInt8]) async throws {
        try checkRunning()
        let proposal: RaftProposal
        do { proposal = try node.propose(data) } catch { throw RaftServiceError(error) }
        try await waitForApply(proposal)
    }

    /// Adds `member` as a voter (one change at a time); returns once the change is applied here.
    public func addVoter(_ member: RaftNodeID) async throws {
        try checkRunning()
        let proposal: RaftProposal
        do { proposal = try node.proposeAddVoter(member) } catch { throw RaftServiceError(error) }
        try await waitForApply(proposal)
    }

    /// Removes `member` from the voters; returns once the change is applied here.
    public func removeVoter(_ member: RaftNodeID) async throws {
        try checkRunning()
        let proposal: RaftProposal
        do { proposal = try node.proposeRemoveVoter(member) } catch { throw RaftServiceError(error) }
        try await waitForApply(proposal)
        if member != settings.id { transport.forget(member) }
    }

    private func waitForApply(_ proposal: RaftProposal) async throws {
        pending += proposal.actions
        signal()
        let deadline = ContinuousClock.now.advanced(by: settings.requestTimeout)
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            // An older waiter at the same index lost its entry to another leader's.
            proposals[proposal.index]?.waiter.continuation.resume(throwing: RaftServiceError.dropped)
            proposals[proposal.index] = (proposal.term, Waiter(continuation: c, deadline: deadline))
        }
    }

    // MARK: - Leadership

    /// Confirms that this node is still the leader of a quorum *now* (a ReadIndex round): call it
    /// before acting on the outside world as leader. Returns once this node has applied everything
    /// committed before the call, so reads of the state machine are up to date.
    public func confirmLeadership() async throws {
        try checkRunning()
        nextRequestID += 1
        let id = nextRequestID
        do { pending += try node.readIndex(requestID: id) } catch { throw RaftServiceError(error) }
        signal()
        let deadline = ContinuousClock.now.advanced(by: settings.requestTimeout)
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            reads[id] = Waiter(continuation: c, deadline: deadline)
        }
    }

    /// Hands leadership to `target` (must be a voter); returns once this node sees `target` lead.
    public func transferLeadership(to target: RaftNodeID) async throws {
        try checkRunning()
        if node.isLeader && target == settings.id { return }
        do { pending += try node.transferLeadership(to: target) } catch { throw RaftServiceError(error) }
        signal()
        let deadline = ContinuousClock.now.advanced(by: settings.requestTimeout)
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            transfers.append((target, Waiter(continuation: c, deadline: deadline)))
        }
    }

    /// Role, term and leader as they change; the current value comes first. Each call returns a new
    /// stream; it finishes when the service stops.
    public func leadershipChanges() -> AsyncStream<Leadership> {
        let (stream, continuation) = AsyncStream.makeStream(of: Leadership.self, bufferingPolicy: .bufferingNewest(32))
        if stopped {
            continuation.finish()
            return stream
        }
        nextRequestID += 1
        subscribers[nextRequestID] = continuation
        continuation.yield(leadership)
        return stream
    }

    /// The current state, for `/api/raft-status` and `/api/leader-check`.
    public func status() -> Status {
        // Ticks are applied lazily (``armTick()``): count the ones elapsed, so that "hears the
        // leader" is about now.
        advanceTicks(now: ContinuousClock.now, firing: false)
        if !pending.isEmpty { signal() }
        return Status(
            id: settings.id, role: node.role, term: node.term, leader: node.leaderID, voters: node.voters,
            commitIndex: node.commitIndex, appliedIndex: stateMachine.lastApplied, lastIndex: node.lastIndex,
            snapshotIndex: node.snapshotIndex,
            isPartOfQuorum: node.isLeader ? node.isLeaderWithQuorum : hearsLeader,
            peers: node.isLeader ? node.peerProgress : [:], roundTrips: node.isLeader ? roundTrips.medians : [:])
    }

    /// Takes a snapshot now (normally automatic every `snapshotEvery` applied entries).
    public func takeSnapshot() throws {
        let applied = stateMachine.lastApplied
        guard applied > node.snapshotIndex else { return }
        let data = try stateMachine.snapshot()
        lastSnapshotIndex = applied
        pending += node.snapshotTaken(through: applied, data: data)
        try drain()
    }

    private func checkRunning() throws {
        guard running, !stopped else { throw RaftServiceError.shuttingDown }
    }
}
