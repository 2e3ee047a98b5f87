extension RaftNode {
    // MARK: - Role transitions

    /// `resetTimer: false` keeps the election timer running (Raft §5.2: only a current leader or a
    /// granted vote resets it), so a candidate that cannot win does not keep silencing one that can.
    mutating func becomeFollower(term newTerm: UInt64, leader: RaftNodeID?, resetTimer: Bool = true) {
        if newTerm > term {
            term = newTerm
            votedFor = nil
        }
        if role == .leader { abandonLeadership() }
        role = .follower
        leaderID = leader
        heartbeatElapsed = 0
        votes = [:]
        if resetTimer {
            electionElapsed = 0
            resetRandomizedElectionTimeout()
        }
    }

    mutating func becomePreCandidate() {
        // Pre-vote does not touch term or vote: a node that cannot win leaves nothing behind.
        role = .preCandidate
        leaderID = nil
        votes = [id: true]
        electionElapsed = 0
        resetRandomizedElectionTimeout()
    }

    mutating func becomeCandidate() {
        term += 1
        votedFor = id
        role = .candidate
        leaderID = nil
        votes = [id: true]
        electionElapsed = 0
        resetRandomizedElectionTimeout()
    }

    mutating func becomeLeader() {
        role = .leader
        leaderID = id
        leadTransferee = nil
        electionElapsed = 0
        heartbeatElapsed = 0
        votes = [:]
        progress = [:]
        syncProgressWithVoters()
        // A no-op in the new term lets the leader commit (and so learn) everything before it (§8).
        appendLocal(kind: .noop, data: [])
        broadcastAppend()
    }

    /// Drops leader-only state; pending reads fail so their callers retry elsewhere.
    mutating func abandonLeadership() {
        for read in pendingReads { notifications.append(.readFailed(requestID: read.requestID)) }
        for requestID in readsAwaitingCommit { notifications.append(.readFailed(requestID: requestID)) }
        pendingReads = []
        readsAwaitingCommit = []
        progress = [:]
        leadTransferee = nil
    }

    // MARK: - Campaigning

    /// Starts a (pre-)election. `transfer`: on a leader's TimeoutNow, skip pre-vote and stickiness.
    mutating func campaign(transfer: Bool) {
        guard isPromotable else { return }
        runElection(preVote: configuration.preVote && !transfer, transfer: transfer)
    }

    mutating func runElection(preVote: Bool, transfer: Bool) {
        if preVote {
            becomePreCandidate()
        } else {
            becomeCandidate()
        }
        if tallyVotes(preVote: preVote) { return }
        let voteTerm = preVote ? term + 1 : term
        for voter in voters where voter != id {
            send(to: voter, .voteRequest(preVote: preVote, lastIndex: log.lastIndex, lastTerm: log.lastTerm, transfer: transfer), term: voteTerm)
        }
    }

    /// Acts on the votes so far; returns true when the campaign ended (won or lost).
    @discardableResult
    mutating func tallyVotes(preVote: Bool) -> Bool {
        var granted = 0
        var rejected = 0
        for voter in voters {
            switch votes[voter] {
            case true?: granted += 1
            case false?: rejected += 1
            case nil: break
            }
        }
        if granted >= quorum {
            if preVote {
                runElection(preVote: false, transfer: false)  // pre-vote won: run the real election
            } else {
                becomeLeader()
            }
            return true
        }
        if voters.count - rejected < quorum {
            becomeFollower(term: term, leader: nil)
            return true
        }
        return false
    }

    // MARK: - Voting

    mutating func handleVoteRequest(_ m: RaftMessage, preVote: Bool, lastIndex: UInt64, lastTerm: UInt64) {
        let canVote = votedFor == m.from
            || (votedFor == nil && leaderID == nil)
            || (preVote && m.term > term)
        if canVote && log.isUpToDate(lastIndex: lastIndex, lastTerm: lastTerm) {
            send(to: m.from, .voteResponse(preVote: preVote, granted: true), term: m.term)
            if !preVote {
                votedFor = m.from
                electionElapsed = 0
            }
        } else {
            send(to: m.from, .voteResponse(preVote: preVote, granted: false))
        }
    }

    mutating func handleVoteResponse(_ m: RaftMessage, preVote: Bool, granted: Bool) {
        if preVote {
            guard role == .preCandidate else { return }
            // Granted pre-votes carry the term we would campaign in; rejections carry the voter's term.
            guard (granted && m.term == term + 1) || (!granted && m.term <= term + 1) else { return }
        } else {
            guard role == .candidate, m.term == term else { return }
        }
        guard voters.contains(m.from) else { return }
        votes[m.from] = granted
        tallyVotes(preVote: preVote)
    }

    // MARK: - Message intake and term rules

    mutating func receive(_ m: RaftMessage) {
        if m.term > term {
            switch m.kind {
            case .voteRequest(let preVote, _, _, let transfer):
                // Leader stickiness: a follower that heard from a live leader ignores campaigns
                // (unless the leader itself asked for one with TimeoutNow).
                let inLease = configuration.checkQuorum && leaderID != nil && electionElapsed < configuration.electionTicks
                if inLease && !transfer { return }
                if !preVote { becomeFollower(term: m.term, leader: nil, resetTimer: false) }
            case .voteResponse(true, true):
                break  // carries the future term of our pre-campaign
            case .appendEntries, .heartbeat, .installSnapshot:
                becomeFollower(term: m.term, leader: m.from)
            default:
                becomeFollower(term: m.term, leader: nil)
            }
        } else if m.term < term {
            switch m.kind {
            case .appendEntries, .heartbeat:
                // A stale leader: answer with our term so it steps down (it cannot otherwise learn it,
                // since with pre-vote/check-quorum we may never win a vote against its followers).
                if configuration.checkQuorum || configuration.preVote {
                    send(to: m.from, .appendResponse(reject: false, index: 0, hintIndex: 0, hintTerm: 0))
                }
            case .voteRequest(let preVote, _, _, _):
                // Tell a lagging candidate our term, so it cannot keep campaigning in the past.
                send(to: m.from, .voteResponse(preVote: preVote, granted: false))
            default:
                break
            }
            return
        }
        dispatch(m)
    }

    mutating func dispatch(_ m: RaftMessage) {
        switch m.kind {
        case .voteRequest(let preVote, let lastIndex, let lastTerm, _):
            handleVoteRequest(m, preVote: preVote, lastIndex: lastIndex, lastTerm: lastTerm)
        case .voteResponse(let preVote, let granted):
            handleVoteResponse(m, preVote: preVote, granted: granted)
        case .appendEntries(let prevIndex, let prevTerm, let entries, let commit):
            guard followLeader(m) else { return }
            handleAppend(from: m.from, prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: commit)
        case .heartbeat(let commit, let context):
            guard followLeader(m) else { return }
            commitTo(min(commit, log.lastIndex))
            send(to: m.from, .heartbeatResponse(context: context))
        case .installSnapshot(let snap):
            guard followLeader(m) else { return }
            handleSnapshot(from: m.from, snap)
        case .appendResponse(let reject, let index, let hintIndex, let hintTerm):
            guard role == .leader else { return }
            handleAppendResponse(from: m.from, reject: reject, index: index, hintIndex: hintIndex, hintTerm: hintTerm)
        case .heartbeatResponse(let context):
            guard role == .leader else { return }
            handleHeartbeatResponse(from: m.from, context: context)
        case .timeoutNow:
            guard role == .follower else { return }
            campaign(transfer: true)
        }
    }

    /// A message from the leader of our term: follow it. False if we are that term's leader ourselves.
    mutating func followLeader(_ m: RaftMessage) -> Bool {
        if role == .leader { return false }
        if role != .follower {
            becomeFollower(term: m.term, leader: m.from)
        }
        leaderID = m.from
        electionElapsed = 0
        return true
    }
}
