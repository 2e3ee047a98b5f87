extension RaftNode {
    // MARK: - Proposals

    /// Appends an application command. Throws unless this node is the leader and no transfer runs.
    public mutating func propose(_ data: [UInt8]) throws(RaftError) -> RaftProposal {
        try checkCanPropose()
        let entry = appendLocal(kind: .normal, data: data)
        for peer in voters where peer != id { sendAvailable(to: peer) }
        return RaftProposal(index: entry.index, term: entry.term, actions: drain())
    }

    func checkCanPropose() throws(RaftError) {
        guard role == .leader else { throw .notLeader(leader: leaderID) }
        if let target = leadTransferee { throw .transferInProgress(to: target) }
    }

    // MARK: - Membership (one server at a time)

    /// Proposes adding `node` as a voter. One change at a time: the previous one must be committed, and
    /// the leader must have committed an entry in its own term (closes the single-server change bug).
    public mutating func proposeAddVoter(_ node: RaftNodeID) throws(RaftError) -> RaftProposal {
        try checkCanChangeMembership()
        guard !voters.contains(node), !node.isEmpty, !node.contains("\n") else { throw .unknownNode(node) }
        return proposeVoters(voters + [node])
    }

    /// Proposes removing `node` from the voters. A leader removing itself steps down once committed.
    public mutating func proposeRemoveVoter(_ node: RaftNodeID) throws(RaftError) -> RaftProposal {
        try checkCanChangeMembership()
        guard voters.contains(node), voters.count > 1 else { throw .unknownNode(node) }
        return proposeVoters(voters.filter { $0 != node })
    }

    func checkCanChangeMembership() throws(RaftError) {
        try checkCanPropose()
        guard configurationIndex <= commitIndex, log.term(at: commitIndex) == term else {
            throw .configurationChangePending
        }
    }

    mutating func proposeVoters(_ newVoters: [RaftNodeID]) -> RaftProposal {
        let entry = appendLocal(kind: .configuration, data: RaftMembership.encode(newVoters))
        for peer in voters where peer != id { sendAvailable(to: peer) }
        return RaftProposal(index: entry.index, term: entry.term, actions: drain())
    }

    // MARK: - Leadership transfer

    /// Hands leadership to `target`: catch it up, then send TimeoutNow. Proposals are refused until
    /// the transfer completes; it aborts after an election timeout.
    public mutating func transferLeadership(to target: RaftNodeID) throws(RaftError) -> [RaftAction] {
        guard role == .leader else { throw .notLeader(leader: leaderID) }
        guard target != id else { return drain() }
        guard voters.contains(target), let pr = progress[target] else { throw .unknownNode(target) }
        if leadTransferee == target { return drain() }
        leadTransferee = target
        electionElapsed = 0
        if pr.match == log.lastIndex {
            send(to: target, .timeoutNow)
        } else {
            sendAvailable(to: target)
        }
        return drain()
    }

    // MARK: - Read index

    /// Asks to confirm leadership for a linearizable read. Later, `readReady(requestID, index)` says
    /// the read may be served once `index` is applied (a quorum acknowledged this leader after the
    /// request), or `readFailed(requestID)` if leadership was lost first.
    public mutating func readIndex(requestID: UInt64) throws(RaftError) -> [RaftAction] {
        guard role == .leader else { throw .notLeader(leader: leaderID) }
        if log.term(at: commitIndex) == term {
            startRead(requestID)
        } else {
            // Until it commits in its term, a new leader does not know the true commit index.
            readsAwaitingCommit.append(requestID)
        }
        return drain()
    }

    mutating func startRead(_ requestID: UInt64) {
        if voters == [id] {
            notifications.append(.readReady(requestID: requestID, index: commitIndex))
            return
        }
        readSequence += 1
        pendingReads.append(PendingRead(requestID: requestID, index: commitIndex, sequence: readSequence))
        broadcastHeartbeat()
    }

    /// Releases the reads whose heartbeat round a quorum acknowledged.
    mutating func completeReads() {
        var done = 0
        for read in pendingReads {
            var acks = 0
            for voter in voters {
                if voter == id || (progress[voter]?.readAck ?? 0) >= read.sequence { acks += 1 }
            }
            guard acks >= quorum else { break }
            notifications.append(.readReady(requestID: read.requestID, index: read.index))
            done += 1
        }
        if done > 0 { pendingReads.removeFirst(done) }
    }

    // MARK: - Snapshots

    /// The shell took a snapshot of the state machine at applied index `index`: compact the log.
    /// Returns `persistSnapshot` (with metadata filled in) and `compactLog`; nothing if `index` is
    /// not usable (already compacted or not yet applied).
    public mutating func snapshotTaken(through index: UInt64, data: [UInt8]) -> [RaftAction] {
        guard index > log.snapshotIndex, index <= appliedIndex, let snapTerm = log.term(at: index) else {
            return drain()
        }
        let votersAtIndex = configHistory.last(where: { $0.index <= index })?.voters ?? baseVoters
        let snap = RaftSnapshot(metadata: RaftSnapshotMetadata(index: index, term: snapTerm, voters: votersAtIndex), data: data)
        snapshot = snap
        log.compact(through: index)
        baseVoters = votersAtIndex
        configHistory.removeAll { $0.index <= index }
        return [.persistSnapshot(snap), .compactLog(through: index)] + drain()
    }

    /// Follower: a snapshot from the leader.
    mutating func handleSnapshot(from leader: RaftNodeID, _ snap: RaftSnapshot) {
        let meta = snap.metadata
        if meta.index <= commitIndex {
            send(to: leader, .appendResponse(reject: false, index: commitIndex, hintIndex: 0, hintTerm: 0))
            return
        }
        if log.matches(index: meta.index, term: meta.term) {
            // We already hold that prefix: just commit it.
            commitTo(meta.index)
        } else {
            log.reset(snapshotIndex: meta.index, snapshotTerm: meta.term)
            baseVoters = meta.voters.sorted()
            configHistory = []
            commitIndex = meta.index
            appliedIndex = meta.index
            snapshot = snap
            pendingInstall = snap
            unstableFrom = nil
        }
        send(to: leader, .appendResponse(reject: false, index: meta.index, hintIndex: 0, hintTerm: 0))
    }
}
