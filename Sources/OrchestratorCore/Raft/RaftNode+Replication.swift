extension RaftNode {
    // MARK: - Follower side

    mutating func handleAppend(from leader: RaftNodeID, prevIndex: UInt64, prevTerm: UInt64, entries: [RaftEntry], commit: UInt64) {
        // A malformed append (gaps, terms going back or beyond the leader's) is dropped, not trusted.
        var expected = prevIndex + 1
        var lastTerm = prevTerm
        for entry in entries {
            guard entry.index == expected, entry.term >= lastTerm, entry.term <= term else { return }
            expected += 1
            lastTerm = entry.term
        }
        var prevIndex = prevIndex
        var prevTerm = prevTerm
        var entries = entries
        if prevIndex < commitIndex {
            // Everything up to our commit index already matches the leader; skip that part.
            let lastNew = prevIndex + UInt64(entries.count)
            if lastNew <= commitIndex {
                send(to: leader, .appendResponse(reject: false, index: commitIndex, hintIndex: 0, hintTerm: 0))
                return
            }
            entries.removeFirst(Int(commitIndex - prevIndex))
            prevIndex = commitIndex
            prevTerm = log.term(at: commitIndex) ?? 0
        }
        guard log.matches(index: prevIndex, term: prevTerm) else {
            // Hint: the largest index <= prevIndex whose term is <= prevTerm, so the leader can skip
            // every entry of a conflicting term in one round trip.
            let hintIndex = log.largestIndex(atOrBelow: prevIndex, withTermAtMost: prevTerm)
            let hintTerm = log.term(at: hintIndex) ?? 0
            send(to: leader, .appendResponse(reject: true, index: prevIndex, hintIndex: hintIndex, hintTerm: hintTerm))
            return
        }
        var position = 0
        while position < entries.count, log.term(at: entries[position].index) == entries[position].term {
            position += 1
        }
        if position < entries.count {
            let conflict = entries[position].index
            precondition(conflict > commitIndex, "raft: leader sent an entry conflicting with a committed one")
            if conflict <= log.lastIndex {
                log.truncate(from: conflict)
                configHistory.removeAll { $0.index >= conflict }
            }
            for entry in entries[position...] {
                appendToLog(entry)
            }
            markUnstable(from: conflict)
        }
        let lastNew = prevIndex + UInt64(entries.count)
        commitTo(min(commit, lastNew))
        send(to: leader, .appendResponse(reject: false, index: lastNew, hintIndex: 0, hintTerm: 0))
    }

    mutating func appendToLog(_ entry: RaftEntry) {
        log.append(entry)
        if entry.kind == .configuration {
            configHistory.append(ConfigPoint(index: entry.index, voters: RaftMembership.decode(entry.data)))
            if role == .leader { syncProgressWithVoters() }
        }
    }

    /// Raises the commit index (never lowers it).
    mutating func commitTo(_ index: UInt64) {
        guard index > commitIndex else { return }
        commitIndex = index
        guard role == .leader else { return }
        if !voters.contains(id), configurationIndex <= commitIndex {
            // Our own removal is committed: stop leading. We never campaign again (not a voter).
            becomeFollower(term: term, leader: nil)
            return
        }
        if !readsAwaitingCommit.isEmpty, log.term(at: commitIndex) == term {
            let waiting = readsAwaitingCommit
            readsAwaitingCommit = []
            for requestID in waiting { startRead(requestID) }
        }
    }

    // MARK: - Leader side

    /// Appends a new entry in the current term to the leader's log and replicates it.
    @discardableResult
    mutating func appendLocal(kind: RaftEntry.Kind, data: [UInt8]) -> RaftEntry {
        let entry = RaftEntry(term: term, index: log.lastIndex + 1, kind: kind, data: data)
        appendToLog(entry)
        markUnstable(from: entry.index)
        maybeCommit()
        return entry
    }

    /// Commits the highest index stored on a quorum, if it is from the current term (§5.4.2).
    @discardableResult
    mutating func maybeCommit() -> Bool {
        let current = voters
        guard !current.isEmpty else { return false }
        var matches: [UInt64] = []
        matches.reserveCapacity(current.count)
        for voter in current {
            matches.append(voter == id ? log.lastIndex : (progress[voter]?.match ?? 0))
        }
        matches.sort(by: >)
        let candidate = matches[quorum - 1]
        guard candidate > commitIndex, log.term(at: candidate) == term else { return false }
        commitTo(candidate)
        return true
    }

    /// Sends entries (or a heartbeat-like empty append) to every follower.
    mutating func broadcastAppend() {
        for peer in voters where peer != id {
            sendAppend(to: peer, allowEmpty: true)
            sendAvailable(to: peer)
        }
    }

    /// Keeps streaming to `peer` while it has room (pipelining in the replicate state).
    mutating func sendAvailable(to peer: RaftNodeID) {
        var budget = configuration.maxInflightAppends + 1
        while budget > 0, sendAppend(to: peer, allowEmpty: false) {
            budget -= 1
            if progress[peer]?.state != .replicate { break }
        }
    }

    /// Sends one append (or a snapshot when the needed entries are compacted). Returns true if sent.
    @discardableResult
    mutating func sendAppend(to peer: RaftNodeID, allowEmpty: Bool) -> Bool {
        guard var pr = progress[peer], !pr.isPaused(maxInflight: configuration.maxInflightAppends) else { return false }
        let prevIndex = pr.next - 1
        guard let prevTerm = log.term(at: prevIndex) else {
            return sendSnapshot(to: peer)
        }
        let batch = log.batch(from: pr.next, maxCount: configuration.maxEntriesPerAppend, maxBytes: configuration.maxBytesPerAppend)
        if batch.isEmpty && !allowEmpty { return false }
        send(to: peer, .appendEntries(prevIndex: prevIndex, prevTerm: prevTerm, entries: batch, commit: commitIndex))
        switch pr.state {
        case .replicate:
            if let last = batch.last {
                pr.next = last.index + 1
                pr.inflight.append(last.index)
            }
        case .probe:
            pr.probeSent = true
        case .snapshot:
            break
        }
        progress[peer] = pr
        return true
    }

    mutating func sendSnapshot(to peer: RaftNodeID) -> Bool {
        guard let snap = snapshot, var pr = progress[peer] else { return false }
        send(to: peer, .installSnapshot(snap))
        pr.becomeSnapshot(index: snap.metadata.index)
        progress[peer] = pr
        return true
    }

    mutating func handleAppendResponse(from peer: RaftNodeID, reject: Bool, index: UInt64, hintIndex: UInt64, hintTerm: UInt64) {
        guard var pr = progress[peer] else { return }
        pr.lastHeard = ticks
        if reject {
            let stale: Bool
            switch pr.state {
            case .replicate: stale = index <= pr.match
            case .probe: stale = index != pr.next - 1
            case .snapshot: stale = true
            }
            if stale {
                progress[peer] = pr
                return
            }
            var probeAt = hintIndex
            if hintTerm > 0 {
                probeAt = log.largestIndex(atOrBelow: hintIndex, withTermAtMost: hintTerm)
            }
            pr.becomeProbe(next: min(index, probeAt + 1))
            progress[peer] = pr
            sendAppend(to: peer, allowEmpty: true)
            return
        }
        guard index > pr.match else {
            progress[peer] = pr
            return
        }
        pr.match = index
        switch pr.state {
        case .probe:
            pr.becomeReplicate()
        case .snapshot:
            if pr.match >= pr.pendingSnapshot { pr.becomeReplicate() }
        case .replicate:
            pr.acknowledge(through: index)
            pr.next = max(pr.next, index + 1)
        }
        progress[peer] = pr
        if maybeCommit() {
            broadcastAppend()
        } else {
            sendAvailable(to: peer)
        }
        if leadTransferee == peer, progress[peer]?.match == log.lastIndex {
            send(to: peer, .timeoutNow)
        }
    }

    mutating func handleHeartbeatResponse(from peer: RaftNodeID, context: UInt64) {
        guard var pr = progress[peer] else { return }
        pr.lastHeard = ticks
        pr.readAck = max(pr.readAck, context)
        switch pr.state {
        case .probe:
            pr.probeSent = false
        case .replicate:
            // Appends may have been lost: make room so the follower can tell us with a rejection.
            if pr.inflight.count >= configuration.maxInflightAppends { pr.inflight.removeFirst() }
        case .snapshot:
            break
        }
        progress[peer] = pr
        if pr.match < log.lastIndex {
            sendAppend(to: peer, allowEmpty: true)
        }
        completeReads()
    }

    mutating func broadcastHeartbeat() {
        for peer in voters where peer != id {
            guard let pr = progress[peer] else { continue }
            // Never tell a follower to commit beyond what we know it shares with us.
            send(to: peer, .heartbeat(commit: min(pr.match, commitIndex), context: readSequence))
        }
    }

    mutating func tickLeader() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if configuration.checkQuorum && !quorumActive() {
            // Cut off from a quorum: stop acting as leader so nobody relies on us.
            becomeFollower(term: term, leader: nil)
            return
        }
        if electionElapsed >= configuration.electionTicks {
            electionElapsed = 0
            leadTransferee = nil  // a transfer that did not finish within an election timeout aborts
        }
        for peer in voters where peer != id {
            guard var pr = progress[peer], pr.state == .snapshot else { continue }
            pr.snapshotElapsed += 1
            if pr.snapshotElapsed >= configuration.electionTicks {
                // The snapshot (or its answer) was probably lost: probe again.
                pr.becomeProbe(next: pr.match + 1)
            }
            progress[peer] = pr
        }
        if heartbeatElapsed >= configuration.heartbeatTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat()
        }
    }
}
