import OrchestratorCore

extension RaftSimulation {
    struct EntryKey: Hashable {
        var index: UInt64
        var term: UInt64
    }

    /// What an entry at (index, term) must look like everywhere (log matching, by induction on prevTerm).
    struct Fingerprint: Equatable {
        var prevTerm: UInt64
        var kind: RaftEntry.Kind
        var data: [UInt8]
    }

    struct TraceRecord {
        var event: Int
        var what: String
        var from: Int
        var to: Int
        var term: UInt64
        var detail: UInt64
    }

    // MARK: - Performing a node's actions (the simulated shell)

    mutating func perform(_ index: Int, _ actions: [RaftAction], limit: Int = .max) {
        slots[index].active = true
        for (position, action) in actions.enumerated() {
            guard position < limit, failure == nil else { return }
            switch action {
            case .installSnapshot(let snap):
                let (applied, hash) = decodeStateMachine(snap.data)
                guard applied == snap.metadata.index else { return fail("snapshot data at \(applied) labelled \(snap.metadata.index)") }
                guard hashAt[applied] == hash else { return fail("installed snapshot at \(applied) does not match what was applied there") }
                if let c = committedEntry(applied), c.term != snap.metadata.term { return fail("snapshot term mismatch at \(applied)") }
                slots[index].storage.snapshot = snap
                slots[index].storage.entries = []
                slots[index].storage.applied = applied
                slots[index].storage.smHash = hash
                stats.snapshotsInstalled += 1
            case .persistEntries(let entries):
                persistEntries(index, entries)
            case .persistHardState(let hs):
                slots[index].storage.hardState = hs
            case .persistSnapshot(let snap):
                let (applied, hash) = decodeStateMachine(snap.data)
                guard applied == snap.metadata.index, applied <= slots[index].storage.applied, hashAt[applied] == hash else {
                    return fail("persisted snapshot at \(snap.metadata.index) is not a state this node applied")
                }
                slots[index].storage.snapshot = snap
            case .compactLog(let through):
                slots[index].storage.entries.removeAll { $0.index <= through }
            case .send(let message):
                if rng.chance(dropPercent) {
                    stats.messagesDropped += 1
                } else {
                    enqueue(message)
                    if rng.chance(duplicatePercent) { enqueue(message) }
                }
            case .apply(let entries):
                for entry in entries { applyEntry(index, entry) }
            case .readReady(let requestID, let readIndex):
                guard let floor = readFloor.removeValue(forKey: requestID) else { return fail("readReady for unknown request \(requestID)") }
                guard readIndex >= floor else {
                    return fail("stale read: read index \(readIndex) below commit \(floor) known when the read started")
                }
                stats.readsServed += 1
            case .readFailed(let requestID):
                readFloor[requestID] = nil
            case .stateChanged:
                break
            }
        }
        if network.count > 4000 {
            network.removeFirst(network.count - 4000)
            sentAt.removeFirst(sentAt.count - 4000)
        }
    }

    mutating func persistEntries(_ index: Int, _ entries: [RaftEntry]) {
        guard let first = entries.first else { return }
        var storage = slots[index].storage
        let cut = storage.entries.firstIndex { $0.index >= first.index } ?? storage.entries.count
        storage.entries.removeSubrange(cut...)
        let previous = storage.entries.last.map { ($0.index, $0.term) }
            ?? (storage.snapshot.map { ($0.metadata.index, $0.metadata.term) } ?? (0, 0))
        guard previous.0 + 1 == first.index else {
            return fail("persistEntries from \(first.index) leaves a gap after \(previous.0) on \(slots[index].id)")
        }
        var prevTerm = previous.1
        for entry in entries {
            let key = EntryKey(index: entry.index, term: entry.term)
            let print = Fingerprint(prevTerm: prevTerm, kind: entry.kind, data: entry.data)
            if let known = fingerprints[key] {
                guard known == print else {
                    return fail("log matching violated at index \(entry.index) term \(entry.term) on \(slots[index].id)")
                }
            } else {
                fingerprints[key] = print
            }
            prevTerm = entry.term
        }
        storage.entries.append(contentsOf: entries)
        slots[index].storage = storage
    }

    mutating func applyEntry(_ index: Int, _ entry: RaftEntry) {
        let applied = slots[index].storage.applied
        guard entry.index == applied + 1 else {
            return fail("\(slots[index].id) applied \(entry.index) after \(applied)")
        }
        guard committedEntry(entry.index) == entry else {
            return fail("\(slots[index].id) applied index \(entry.index) term \(entry.term) which is not the committed entry there")
        }
        var hash = slots[index].storage.smHash ^ (entry.index &* 0x9E37_79B9_7F4A_7C15) ^ (entry.term << 32)
        for byte in entry.data { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var mixer = RaftRandom(seed: hash)
        hash = mixer.next()
        slots[index].storage.smHash = hash
        slots[index].storage.applied = entry.index
        if let known = hashAt[entry.index] {
            guard known == hash else { return fail("\(slots[index].id) applied a different sequence up to \(entry.index)") }
        } else {
            hashAt[entry.index] = hash
        }
        stats.appliedEntries += 1
    }

    func decodeStateMachine(_ data: [UInt8]) -> (UInt64, UInt64) {
        guard data.count == 16 else { return (UInt64.max, 0) }
        var a: UInt64 = 0
        var b: UInt64 = 0
        for i in 0..<8 {
            a |= UInt64(data[i]) << (8 * UInt64(i))
            b |= UInt64(data[8 + i]) << (8 * UInt64(i))
        }
        return (a, b)
    }

    // MARK: - Invariants checked after every node call

    func committedEntry(_ index: UInt64) -> RaftEntry? {
        guard index >= 1, index <= UInt64(committed.count) else { return nil }
        return committed[Int(index - 1)]
    }

    /// Commit monotonicity, committed-entry agreement, election safety and leader completeness.
    mutating func observe(_ index: Int) {
        guard failure == nil, let node = slots[index].node else { return }
        let id = slots[index].id
        if node.commitIndex < slots[index].lastCommit {
            return fail("commit index of \(id) went back from \(slots[index].lastCommit) to \(node.commitIndex)")
        }
        if node.commitIndex > slots[index].lastCommit {
            var i = slots[index].lastCommit + 1
            while i <= node.commitIndex {
                if let entry = node.entry(at: i) { recordCommitted(entry, by: id) }
                i += 1
            }
            slots[index].lastCommit = node.commitIndex
        }
        if node.appliedIndex > node.commitIndex { return fail("\(id) applied \(node.appliedIndex) beyond commit \(node.commitIndex)") }
        if node.role == .leader {
            if let leader = leaderOfTerm[node.term] {
                if leader != id { return fail("two leaders in term \(node.term): \(leader) and \(id)") }
            } else {
                leaderOfTerm[node.term] = id
                stats.elections += 1
                checkLeaderCompleteness(node)
            }
        }
    }

    mutating func recordCommitted(_ entry: RaftEntry, by id: RaftNodeID) {
        let position = Int(entry.index - 1)
        if position < committed.count {
            if let known = committed[position] {
                if known != entry { fail("\(id) committed index \(entry.index) term \(entry.term), but term \(known.term) was committed there") }
                return
            }
            committed[position] = entry
        } else {
            while committed.count < position { committed.append(nil) }
            committed.append(entry)
        }
        stats.committedEntries += 1
        if entry.kind == .configuration, entry.index > lastRecordedConfigIndex {
            lastRecordedConfigIndex = entry.index
            let voters = RaftMembership.decode(entry.data)
            for s in slots.indices {
                if voters.contains(slots[s].id) {
                    slots[s].votedInCommittedConfig = true
                } else if slots[s].votedInCommittedConfig, !slots[s].removed {
                    pendingStops.append(s)  // removed for good: stop it once this event is done
                }
            }
        }
    }

    func checkLeaderCompletenessFailure(_ node: RaftNode) -> String? {
        let snapIndex = node.snapshotIndex
        if let c = committedEntry(snapIndex), node.term(at: snapIndex) != c.term {
            return "leader \(node.id) of term \(node.term) has a snapshot at \(snapIndex) disagreeing with the committed entry"
        }
        var i = snapIndex + 1
        while i <= UInt64(committed.count) {
            if let c = committed[Int(i - 1)], node.entry(at: i) != c {
                return "leader completeness: \(node.id) leads term \(node.term) without committed entry \(i) (term \(c.term))"
            }
            i += 1
        }
        return nil
    }

    mutating func checkLeaderCompleteness(_ node: RaftNode) {
        if let problem = checkLeaderCompletenessFailure(node) { fail(problem) }
    }

    /// Before a clean crash: storage must hold exactly what the node has in memory.
    mutating func checkStorageMatchesMemory(_ index: Int) {
        guard let node = slots[index].node, slots[index].active else { return }
        let storage = slots[index].storage
        let stored = storage.entries.filter { $0.index > node.snapshotIndex }
        if stored != node.entries { fail("\(node.id): stored log differs from the in-memory log after all actions were performed") }
        if storage.hardState != node.hardState { fail("\(node.id): stored hard state \(storage.hardState) differs from \(node.hardState)") }
    }

    mutating func applyPendingStops() {
        for s in pendingStops where !slots[s].removed {
            slots[s].removed = true
            slots[s].node = nil
            note("stopped removed node", from: s)
        }
        pendingStops = []
    }

    // MARK: - Failure and trace

    mutating func fail(_ message: String) {
        guard failure == nil else { return }
        let r = options.raft
        let setup = "[preVote \(r.preVote) checkQuorum \(r.checkQuorum) heartbeatTicks \(r.heartbeatTicks) maxInflight \(r.maxInflightAppends) maxEntries \(r.maxEntriesPerAppend)] "
        failure = RaftSimulationFailure(seed: seed, nodeCount: options.nodeCount, event: event, message: setup + message, trace: formattedTrace())
    }

    mutating func note(_ what: String, from: Int = -1, to: Int = -1, term: UInt64 = 0, detail: UInt64 = 0) {
        let record = TraceRecord(event: event, what: what, from: from, to: to, term: term, detail: detail)
        if trace.count < options.traceLength {
            trace.append(record)
        } else if options.traceLength > 0 {
            trace[traceNext] = record
            traceNext = (traceNext + 1) % options.traceLength
        }
    }

    func formattedTrace() -> [String] {
        let ordered = Array(trace[traceNext...]) + Array(trace[..<traceNext])
        let nodeLines = slots.map { slot -> String in
            guard let n = slot.node else { return "\(slot.id): " + (slot.removed ? "removed" : "down") }
            return "\(slot.id): \(n.role) term \(n.term) leader \(n.leaderID ?? "-") commit \(n.commitIndex) last \(n.lastIndex) voters \(n.voters)"
        }
        return ordered.map { r in
            var line = "e\(r.event) \(r.what)"
            if r.from >= 0 { line += " \(slots.indices.contains(r.from) ? slots[r.from].id : "?")" }
            if r.to >= 0 { line += " -> \(slots.indices.contains(r.to) ? slots[r.to].id : "?")" }
            if r.term > 0 { line += " t\(r.term)" }
            if r.detail > 0 { line += " #\(r.detail)" }
            return line
        } + ["nodes now:"] + nodeLines
    }
}
