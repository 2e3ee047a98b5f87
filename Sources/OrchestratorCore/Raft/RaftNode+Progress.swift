extension RaftNode {
    /// The leader's bookkeeping for one follower.
    struct Progress: Sendable, Equatable {
        /// Highest index known to match the leader's log.
        var match: UInt64 = 0
        /// Next index to send.
        var next: UInt64
        var state: RaftPeerProgress.State = .probe
        /// Probe state: an append is outstanding; wait for its answer (or a heartbeat answer).
        var probeSent = false
        /// Replicate state: last index of each append in flight, oldest first.
        var inflight: [UInt64] = []
        /// Snapshot state: the index of the snapshot sent, and ticks since it was sent.
        var pendingSnapshot: UInt64 = 0
        var snapshotElapsed = 0
        /// Leader tick at which this follower last answered.
        var lastHeard: UInt64
        /// Highest read-index round this follower acknowledged.
        var readAck: UInt64 = 0

        init(next: UInt64, lastHeard: UInt64) {
            self.next = next
            self.lastHeard = lastHeard
        }

        func isPaused(maxInflight: Int) -> Bool {
            switch state {
            case .probe: probeSent
            case .replicate: inflight.count >= maxInflight
            case .snapshot: true
            }
        }

        mutating func becomeProbe(next newNext: UInt64) {
            state = .probe
            next = max(newNext, match + 1)
            probeSent = false
            inflight.removeAll()
        }

        mutating func becomeReplicate() {
            state = .replicate
            next = match + 1
            probeSent = false
            inflight.removeAll()
        }

        mutating func becomeSnapshot(index: UInt64) {
            state = .snapshot
            pendingSnapshot = index
            snapshotElapsed = 0
            probeSent = false
            inflight.removeAll()
        }

        /// Frees the inflight slots of appends acknowledged up to `index`.
        mutating func acknowledge(through index: UInt64) {
            var drop = 0
            while drop < inflight.count, inflight[drop] <= index { drop += 1 }
            if drop > 0 { inflight.removeFirst(drop) }
        }
    }

    /// Leader: a quorum of voters (itself included when it is one) answered within an election timeout.
    func quorumActive() -> Bool {
        var active = 0
        let window = UInt64(configuration.electionTicks)
        for voter in voters {
            if voter == id {
                active += 1
            } else if let pr = progress[voter], pr.lastHeard + window >= ticks {
                active += 1
            }
        }
        return active >= quorum
    }

    /// Leader: makes `progress` hold exactly the voters other than itself.
    mutating func syncProgressWithVoters() {
        let current = voters
        for peer in current where peer != id && progress[peer] == nil {
            progress[peer] = Progress(next: log.lastIndex + 1, lastHeard: ticks)
        }
        for peer in progress.keys where !current.contains(peer) {
            progress[peer] = nil
        }
    }
}
