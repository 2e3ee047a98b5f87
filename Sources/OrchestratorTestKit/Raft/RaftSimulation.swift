import OrchestratorCore

/// A deterministic, seeded simulation of a Raft cluster in one process: a lossy, duplicating,
/// reordering, partitionable network; crashes (also in the middle of performing a node's actions)
/// and restarts from only what was persisted; snapshots, transfers, membership changes, proposals
/// and reads. Invariants are checked after every event (see `RaftSimulation+Checks.swift`).
public struct RaftSimulation {
    public let seed: UInt64
    public internal(set) var options: RaftSimulationOptions
    public internal(set) var stats = RaftSimulationStats()

    var rng: RaftRandom
    var slots: [Slot] = []
    var slotOf: [RaftNodeID: Int] = [:]
    var bootstrapVoters: [RaftNodeID] = []

    // Network
    var network: [RaftMessage] = []
    /// Tick at which each message in `network` was sent: older than `maxMessageAgeTicks` is dropped,
    /// as a real transport's bounded queues and timeouts would (otherwise a backlog built during a
    /// partition delays everything after the heal by hundreds of ticks).
    var sentAt: [Int] = []
    let maxMessageAgeTicks = 15
    var blocked: Set<Int> = []
    var dropPercent = 0.0
    var duplicatePercent = 0.0

    // Scheduler
    var event = 0
    var totalTicks = 0
    var healedAtTick: Int?
    var nextHeal: Int
    var proposalCounter: UInt64 = 0
    var nextRequestID: UInt64 = 1

    // Checker
    var committed: [RaftEntry?] = []
    var fingerprints: [EntryKey: Fingerprint] = [:]
    var leaderOfTerm: [UInt64: RaftNodeID] = [:]
    var hashAt: [UInt64: UInt64] = [:]
    var readFloor: [UInt64: UInt64] = [:]
    var lastRecordedConfigIndex: UInt64 = 0
    var pendingStops: [Int] = []
    var failure: RaftSimulationFailure?
    var trace: [TraceRecord] = []
    var traceNext = 0

    struct Slot {
        var id: RaftNodeID
        var node: RaftNode?
        var storage = SimStorage()
        /// Original member: restarts with the bootstrap voters; added nodes start knowing nobody.
        var bootstrap: Bool
        var removed = false
        var votedInCommittedConfig: Bool
        var lastCommit: UInt64 = 0
        /// The node returned actions since it (re)started (before that, init may hold corrections
        /// that are persisted by its first call).
        var active = false
    }

    /// What survives a crash: exactly what the node's actions persisted.
    struct SimStorage {
        var hardState = RaftHardState()
        var snapshot: RaftSnapshot?
        var entries: [RaftEntry] = []
        /// The state machine: lastApplied and a hash chain of everything applied, persisted together.
        var applied: UInt64 = 0
        var smHash: UInt64 = 0
    }

    public init(seed: UInt64, options: RaftSimulationOptions) {
        self.seed = seed
        self.options = options
        self.rng = RaftRandom(seed: seed ^ 0x5EED_0F_5AF7)
        self.nextHeal = options.healEvery
        if options.varyConfiguration {
            var raft = options.raft
            raft.preVote = rng.chance(80)
            raft.checkQuorum = rng.chance(80)
            raft.heartbeatTicks = 1 + Int(rng.next(below: 3))
            raft.maxInflightAppends = 1 + Int(rng.next(below: 6))
            raft.maxEntriesPerAppend = rng.chance(30) ? 1 : 1 + Int(rng.next(below: 8))
            self.options.raft = RaftConfiguration(
                electionTicks: raft.electionTicks, heartbeatTicks: raft.heartbeatTicks, preVote: raft.preVote,
                checkQuorum: raft.checkQuorum, maxEntriesPerAppend: raft.maxEntriesPerAppend,
                maxBytesPerAppend: raft.maxBytesPerAppend, maxInflightAppends: raft.maxInflightAppends)
        }
        bootstrapVoters = (0..<options.nodeCount).map { "n\($0)" }
        for id in bootstrapVoters {
            slotOf[id] = slots.count
            slots.append(Slot(id: id, bootstrap: true, votedInCommittedConfig: true))
        }
        for index in slots.indices { start(index) }
        dropPercent = Double(rng.next(below: 16))
        duplicatePercent = Double(rng.next(below: 6))
    }

    /// Runs `options.events` events; returns the first invariant violation, if any.
    public mutating func run() -> RaftSimulationFailure? {
        while event < options.events, failure == nil {
            if healedAtTick == nil, event >= nextHeal { healAll() }
            if healedAtTick != nil { stableStep() } else { chaosStep() }
            applyPendingStops()
            event += 1
        }
        stats.runs = 1
        stats.events = event
        return failure
    }

    // MARK: - Scheduling

    mutating func chaosStep() {
        var r = rng.next(below: 1000)
        if network.isEmpty, (110..<840).contains(r) { r = 0 }  // nothing to deliver: time passes
        switch r {
        case 0..<110: tickAll()
        case 110..<840: deliver()
        case 840..<890: propose()
        case 890..<905: crash(midAction: rng.chance(35))
        case 905..<930: restartOne()
        case 930..<940: partition()
        case 940..<955: healLinks()
        case 955..<970: takeSnapshot()
        case 970..<978: transfer()
        case 978..<985: changeMembership()
        case 985..<995: read()
        default:
            dropPercent = Double(rng.next(below: 16))
            duplicatePercent = Double(rng.next(below: 6))
        }
    }

    /// After a heal: no faults; a quorum-acknowledged leader must appear within `livenessTicks`.
    mutating func stableStep() {
        let r = network.isEmpty ? 0 : rng.next(below: 100)
        if r < 12 {
            tickAll()
            guard let healed = healedAtTick else { return }
            if hasStableLeader() {
                if totalTicks - healed > stats.maxTicksToLeader {
                    stats.maxTicksToLeader = totalTicks - healed
                    stats.maxTicksToLeaderSeed = seed
                }
                healedAtTick = nil
                nextHeal = event + options.healEvery / 2 + Int(rng.next(below: UInt64(options.healEvery)))
                dropPercent = Double(rng.next(below: 16))
                duplicatePercent = Double(rng.next(below: 6))
            } else if totalTicks - healed > options.livenessTicks {
                fail("no leader acknowledged by a quorum within \(options.livenessTicks) ticks after the network healed")
            }
        } else if r < 95 {
            deliver()
        } else {
            propose()
        }
    }

    mutating func healAll() {
        blocked = []
        dropPercent = 0
        duplicatePercent = 0
        for index in slots.indices where slots[index].node == nil && !slots[index].removed { start(index) }
        healedAtTick = totalTicks
        stats.heals += 1
        note("HEAL ALL")
    }

    func hasStableLeader() -> Bool {
        for slot in slots {
            guard let node = slot.node, node.role == .leader else { continue }
            var acks = 0
            for voter in node.voters {
                if let s = slotOf[voter], let other = slots[s].node, other.term == node.term, other.leaderID == node.id { acks += 1 }
            }
            if acks >= node.voters.count / 2 + 1 { return true }
        }
        return false
    }

    // MARK: - Events

    mutating func enqueue(_ message: RaftMessage) {
        network.append(message)
        sentAt.append(totalTicks)
    }

    mutating func tickAll() {
        totalTicks += 1
        stats.ticks += 1
        note("tick")
        for index in slots.indices where slots[index].node != nil {
            let actions = slots[index].node!.tick()
            observe(index)
            perform(index, actions)
            if failure != nil { return }
        }
    }

    mutating func deliver() {
        guard !network.isEmpty else { return }
        let count = network.count
        let position = rng.chance(80) ? Int(rng.next(below: UInt64(min(count, 4)))) : Int(rng.next(below: UInt64(count)))
        let message = network.remove(at: position)
        let age = totalTicks - sentAt.remove(at: position)
        guard age <= maxMessageAgeTicks, let to = slotOf[message.to], let from = slotOf[message.from],
              !blocked.contains(from * 64 + to), slots[to].node != nil
        else {
            stats.messagesDropped += 1
            return
        }
        stats.messagesDelivered += 1
        note(message.kind.name, from: slotOf[message.from] ?? -1, to: to, term: message.term)
        let actions = slots[to].node!.step(message)
        observe(to)
        perform(to, actions)
        if let bug = options.plantedBug { plant(bug, after: message) }
    }

    /// Forges the messages a planted bug would make nodes send.
    mutating func plant(_ bug: RaftPlantedBug, after message: RaftMessage) {
        switch (bug, message.kind) {
        case (.doubleVote, .voteRequest(preVote: let pre, _, _, _)):
            enqueue(RaftMessage(from: message.to, to: message.from, term: message.term,
                                kind: .voteResponse(preVote: pre, granted: true)))
        case (.commitWithoutQuorum, .appendEntries(let prevIndex, _, let entries, _)) where !entries.isEmpty:
            let last = prevIndex + UInt64(entries.count)
            for slot in slots where slot.id != message.from {
                enqueue(RaftMessage(from: slot.id, to: message.from, term: message.term,
                                    kind: .appendResponse(reject: false, index: last, hintIndex: 0, hintTerm: 0)))
            }
        default:
            break
        }
    }

    /// A burst of 1-5 proposals (exercises batching and pipelining), usually on a leader.
    mutating func propose() {
        guard let index = pickLeader() ?? pickLive() else { return }
        for _ in 0...rng.next(below: 5) where failure == nil && slots[index].node != nil {
            proposeOne(index)
        }
    }

    mutating func proposeOne(_ index: Int) {
        proposalCounter += 1
        var data: [UInt8] = []
        withUnsafeBytes(of: proposalCounter.littleEndian) { data.append(contentsOf: $0) }
        guard let proposal = try? slots[index].node!.propose(data) else { return }
        note("propose", from: index, term: proposal.term, detail: proposal.index)
        observe(index)
        perform(index, proposal.actions)
    }

    mutating func crash(midAction: Bool) {
        guard let index = pickLive() else { return }
        stats.crashes += 1
        if midAction {
            // Hand the node an input, then perform only a prefix of its actions before dying.
            stats.midActionCrashes += 1
            let actions: [RaftAction]
            if let position = network.firstIndex(where: { $0.to == slots[index].id }) {
                sentAt.remove(at: position)
                actions = slots[index].node!.step(network.remove(at: position))
            } else {
                actions = slots[index].node!.tick()
            }
            observe(index)
            let cut = Int(rng.next(below: UInt64(actions.count + 1)))
            note("crash mid-action", from: index, detail: UInt64(cut))
            perform(index, actions, limit: cut)
        } else {
            note("crash", from: index)
            checkStorageMatchesMemory(index)
        }
        slots[index].node = nil
    }

    mutating func restartOne() {
        let crashed = slots.indices.filter { slots[$0].node == nil && !slots[$0].removed }
        guard !crashed.isEmpty else { return }
        let index = crashed[Int(rng.next(below: UInt64(crashed.count)))]
        note("restart", from: index)
        start(index)
    }

    mutating func start(_ index: Int) {
        let s = slots[index].storage
        let node = RaftNode(
            id: slots[index].id,
            voters: slots[index].bootstrap ? bootstrapVoters : [],
            configuration: options.raft,
            hardState: s.hardState,
            snapshot: s.snapshot,
            entries: s.entries,
            appliedIndex: s.applied,
            seed: rng.next())
        slots[index].node = node
        slots[index].lastCommit = node.commitIndex
        slots[index].active = false
    }

    mutating func partition() {
        stats.partitions += 1
        let n = slots.count
        if rng.chance(50) {
            var side = [Bool](repeating: false, count: n)
            for i in 0..<n { side[i] = rng.chance(50) }
            for a in 0..<n { for b in 0..<n where side[a] != side[b] { blocked.insert(a * 64 + b) } }
            note("partition symmetric")
        } else {
            let x = Int(rng.next(below: UInt64(n)))
            let outgoing = rng.chance(50)
            for y in 0..<n where y != x { blocked.insert(outgoing ? x * 64 + y : y * 64 + x) }
            note(outgoing ? "partition: node cannot send" : "partition: node cannot receive", from: x)
        }
    }

    mutating func healLinks() {
        blocked = []
        note("heal links")
    }

    mutating func takeSnapshot() {
        guard let index = pickLive() else { return }
        let s = slots[index].storage
        guard s.applied > (slots[index].node!.snapshotIndex) else { return }
        var data: [UInt8] = []
        withUnsafeBytes(of: s.applied.littleEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: s.smHash.littleEndian) { data.append(contentsOf: $0) }
        let actions = slots[index].node!.snapshotTaken(through: s.applied, data: data)
        if !actions.isEmpty { stats.snapshotsTaken += 1 }
        note("snapshot taken", from: index, detail: s.applied)
        observe(index)
        perform(index, actions)
    }

    mutating func transfer() {
        guard let index = pickLeader() else { return }
        let others = slots[index].node!.voters.filter { $0 != slots[index].id }
        guard !others.isEmpty else { return }
        let target = others[Int(rng.next(below: UInt64(others.count)))]
        guard let actions = try? slots[index].node!.transferLeadership(to: target) else { return }
        stats.transfersStarted += 1
        note("transfer", from: index, to: slotOf[target] ?? -1)
        observe(index)
        perform(index, actions)
    }

    mutating func changeMembership() {
        guard options.membershipChanges, let index = pickLeader() else { return }
        let voters = slots[index].node!.voters
        let proposal: RaftProposal?
        if slots.count < options.nodeCount + 3, voters.count <= options.nodeCount, rng.chance(50) {
            let newID = "n\(slots.count)"
            slotOf[newID] = slots.count
            slots.append(Slot(id: newID, bootstrap: false, votedInCommittedConfig: false))
            start(slots.count - 1)
            proposal = try? slots[index].node!.proposeAddVoter(newID)
            note("add voter", from: index, to: slots.count - 1)
        } else if voters.count >= 3 {
            let victim = voters[Int(rng.next(below: UInt64(voters.count)))]
            proposal = try? slots[index].node!.proposeRemoveVoter(victim)
            note("remove voter", from: index, to: slotOf[victim] ?? -1)
        } else {
            return
        }
        guard let proposal else { return }
        stats.membershipChanges += 1
        observe(index)
        perform(index, proposal.actions)
    }

    mutating func read() {
        guard let index = pickLeader() else { return }
        let requestID = nextRequestID
        nextRequestID += 1
        readFloor[requestID] = UInt64(committed.count)
        guard let actions = try? slots[index].node!.readIndex(requestID: requestID) else {
            readFloor[requestID] = nil
            return
        }
        note("readIndex", from: index, detail: requestID)
        observe(index)
        perform(index, actions)
    }

    // MARK: - Picking

    mutating func pickLive() -> Int? {
        let live = slots.indices.filter { slots[$0].node != nil }
        return live.isEmpty ? nil : live[Int(rng.next(below: UInt64(live.count)))]
    }

    mutating func pickLeader() -> Int? {
        let leaders = slots.indices.filter { slots[$0].node?.role == .leader }
        return leaders.isEmpty ? nil : leaders[Int(rng.next(below: UInt64(leaders.count)))]
    }
}
