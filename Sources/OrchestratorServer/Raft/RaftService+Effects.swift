import Logging
import OrchestratorCore

extension RaftService {
    // MARK: - Performing actions

    /// Performs every pending action (and whatever performing them produces, e.g. a snapshot).
    func drain() throws {
        guard !stopped else { return }
        stepInbox()
        while !pending.isEmpty && !stopped {
            let batch = pending
            pending = []
            send(batch, appendsOnly: true)
            try persist(batch)
            send(batch, appendsOnly: false)
            try applyAndNotify(batch)
            try snapshotIfDue()
            stepInbox()
        }
        retimeIfNeeded()
    }

    /// Phase 1: durable writes, in order; consecutive entry and hard-state writes become one transaction.
    private func persist(_ batch: [RaftAction]) throws {
        var entries: [RaftEntry] = []
        var hardState: RaftHardState?
        func flush() throws {
            guard !entries.isEmpty || hardState != nil else { return }
            try storage.persist(hardState: hardState, entries: entries)
            entries = []
            hardState = nil
        }
        for action in batch {
            switch action {
            case let .persistEntries(new):
                guard let first = new.first else { continue }
                // A later write starting inside the earlier one replaces its suffix (log truncation).
                entries.removeAll { $0.index >= first.index }
                entries += new
            case let .persistHardState(hs):
                hardState = hs
                noteVote(hs)
            case let .installSnapshot(snap):
                try flush()
                try storage.installSnapshot(snap)
            case let .persistSnapshot(snap):
                try flush()
                try storage.saveSnapshot(snap)
            case let .compactLog(index):
                try flush()
                try storage.compact(through: index)
            case .send, .apply, .readReady, .readFailed, .stateChanged:
                continue
            }
        }
        try flush()
    }

    /// Phase 2: best-effort sends.
    ///
    /// One deliberate exception to "persist, then send" (Raft thesis §10.2.1, as etcd does): a
    /// leader's AppendEntries leave *before* its own fsync, so the leader's disk write overlaps the
    /// followers'. This is safe here because (a) an AppendEntries only carries a term that was made
    /// durable when this node campaigned, and entries that are not committed yet; and (b) follower
    /// acknowledgements are stepped only after this batch's `persist` returned (the actor is
    /// busy until then), so nothing commits before the leader's own copy is durable.
    /// Every other message (votes, responses) still waits for persistence.
    private func send(_ batch: [RaftAction], appendsOnly: Bool) {
        var frames: [RaftFrame] = []
        for case let .send(message) in batch {
            let isAppend = if case .appendEntries = message.kind { true } else { false }
            guard isAppend == appendsOnly else { continue }
            frames.append(RaftMessageCodec.frame(message))
            if case .heartbeat = message.kind { roundTrips.sent(to: message.to, at: roundTripSeconds()) }
        }
        // One hand-over for the batch (a heartbeat goes to every follower at once).
        if !frames.isEmpty { transport.send(frames) }
    }

    /// Phases 3 and 4: restores and applies in order, then notifications.
    private func applyAndNotify(_ batch: [RaftAction]) throws {
        for action in batch {
            switch action {
            case let .installSnapshot(snap):
                try stateMachine.restore(snap)
                lastSnapshotIndex = snap.metadata.index
                logger.info("raft: installed snapshot from leader", metadata: [
                    "index": "\(snap.metadata.index)", "term": "\(snap.metadata.term)", "bytes": "\(snap.data.count)",
                ])
                // Proposals at or below the snapshot point: their fate is unknown here.
                for index in proposals.keys where index <= snap.metadata.index {
                    proposals.removeValue(forKey: index)?.waiter.continuation.resume(throwing: RaftServiceError.timeout)
                }
            case let .apply(entries):
                for entry in entries {
                    if entry.index > stateMachine.lastApplied { try stateMachine.apply(entry) }
                    if let p = proposals.removeValue(forKey: entry.index) {
                        if p.term == entry.term {
                            p.waiter.continuation.resume()
                        } else {
                            p.waiter.continuation.resume(throwing: RaftServiceError.dropped)
                        }
                    }
                    if entry.kind == .configuration { membershipApplied(entry) }
                }
            default:
                continue
            }
        }
        for action in batch {
            switch action {
            case let .readReady(requestID, index):
                readsAwaitingApply.append((requestID, index))
            case let .readFailed(requestID):
                reads.removeValue(forKey: requestID)?.continuation.resume(throwing: RaftServiceError.notLeader(leader: node.leaderID))
            case let .stateChanged(role, term, leader):
                leadershipChanged(Leadership(role: role, term: term, leader: leader))
            default:
                continue
            }
        }
        releaseReads()
    }

    private func releaseReads() {
        guard !readsAwaitingApply.isEmpty else { return }
        let applied = stateMachine.lastApplied
        readsAwaitingApply.removeAll { read in
            guard read.index <= applied else { return false }
            reads.removeValue(forKey: read.requestID)?.continuation.resume()
            return true
        }
    }

    private func snapshotIfDue() throws {
        let applied = stateMachine.lastApplied
        guard applied >= lastSnapshotIndex + settings.snapshotEvery else { return }
        let data = try stateMachine.snapshot()
        lastSnapshotIndex = applied
        pending += node.snapshotTaken(through: applied, data: data)
        logger.info("raft: took snapshot", metadata: ["index": "\(applied)", "bytes": "\(data.count)"])
    }

    // MARK: - Notifications

    private func noteVote(_ hs: RaftHardState) {
        defer { lastVote = (hs.term, hs.votedFor) }
        guard let vote = hs.votedFor, lastVote.term != hs.term || lastVote.votedFor != vote else { return }
        if vote == settings.id {
            logger.info("raft: starting election, voted for self", metadata: ["term": "\(hs.term)"])
        } else {
            logger.info("raft: granted vote", metadata: ["term": "\(hs.term)", "candidate": "\(vote)"])
        }
    }

    private func leadershipChanged(_ new: Leadership) {
        let old = leadership
        leadership = new
        logger.info("raft: state changed", metadata: [
            "role": "\(new.role.rawValue)", "term": "\(new.term)", "leader": "\(new.leader ?? "-")",
            "previousRole": "\(old.role.rawValue)",
        ])
        if new.role != old.role || new.term != old.term { roundTrips.reset() }
        if new.role == .leader && old.role != .leader {
            logger.info("raft: became leader", metadata: ["term": "\(new.term)", "id": "\(settings.id)"])
        } else if old.role == .leader && new.role != .leader {
            logger.info("raft: stepped down", metadata: ["term": "\(new.term)", "leader": "\(new.leader ?? "-")"])
        }
        for (id, c) in subscribers {
            if case .terminated = c.yield(new) { subscribers.removeValue(forKey: id) }
        }
        if let leader = new.leader {
            transfers.removeAll { t in
                guard t.target == leader else { return false }
                t.waiter.continuation.resume()
                return true
            }
        }
    }

    private func membershipApplied(_ entry: RaftEntry) {
        let voters = node.voters
        logger.info("raft: membership changed", metadata: ["index": "\(entry.index)", "voters": "\(voters.joined(separator: ","))"])
    }

    // MARK: - Waiters

    func expireWaiters(now: ContinuousClock.Instant) {
        for (index, p) in proposals where p.waiter.deadline <= now {
            proposals.removeValue(forKey: index)
            p.waiter.continuation.resume(throwing: RaftServiceError.timeout)
        }
        for (id, w) in reads where w.deadline <= now {
            reads.removeValue(forKey: id)
            w.continuation.resume(throwing: RaftServiceError.timeout)
        }
        readsAwaitingApply.removeAll { reads[$0.requestID] == nil }
        transfers.removeAll { t in
            guard t.waiter.deadline <= now else { return false }
            t.waiter.continuation.resume(throwing: RaftServiceError.timeout)
            return true
        }
    }

    func failAllWaiters(_ error: RaftServiceError) {
        for p in proposals.values { p.waiter.continuation.resume(throwing: error) }
        for w in reads.values { w.continuation.resume(throwing: error) }
        for t in transfers { t.waiter.continuation.resume(throwing: error) }
        proposals.removeAll()
        reads.removeAll()
        readsAwaitingApply.removeAll()
        transfers.removeAll()
    }
}

extension RaftService {
    /// Seconds since this service started, for ``RaftRoundTrips``.
    func roundTripSeconds() -> Double { Self.seconds(ContinuousClock.now - roundTripOrigin) }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// Leader, every 10 s: a follower whose heartbeat round trips take a third of the shortest election
    /// timeout or more is said loudly (once per 10 minutes per follower). Over such a link leaders step
    /// down and recoveries cannot finish; the fix is `RaftTickMilliseconds`.
    func warnAboutSlowLinks(now: ContinuousClock.Instant) {
        guard node.isLeader, now - roundTripsCheckedAt >= .seconds(10) else { return }
        roundTripsCheckedAt = now
        let tickSeconds = Self.seconds(settings.tickInterval)
        let electionMillis = Int(tickSeconds * Double(settings.core.electionTicks) * 1000)
        for slow in roundTrips.slowPeers(tickSeconds: tickSeconds, electionTicks: settings.core.electionTicks) {
            if let warned = slowLinkWarnedAt[slow.peer], now - warned < .seconds(600) { continue }
            slowLinkWarnedAt[slow.peer] = now
            let millis = Int(slow.seconds * 1000)
            logger.warning("raft: heartbeat round trips to \(slow.peer) take \(millis) ms (median), against an election timeout of \(electionMillis) ms: over this link leaders will step down and recoveries may not finish; raise RaftTickMilliseconds (the election timeout is RaftElectionTicks to twice that, in ticks) so it is several round trips")
        }
    }
}
