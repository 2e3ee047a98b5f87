import OrchestratorCore

/// A tiny synchronous harness for unit tests: a few `RaftNode`s, a FIFO of messages, cuttable links.
/// Unlike `RaftSimulation` it injects no faults by itself; tests script them.
public struct RaftTestCluster {
    public var nodes: [RaftNodeID: RaftNode] = [:]
    /// Node ids in a fixed order (dictionary order is not deterministic).
    public var ids: [RaftNodeID] = []
    public var queue: [RaftMessage] = []
    /// Directed links that drop everything: "a>b".
    public var cut: Set<String> = []
    public var applied: [RaftNodeID: [RaftEntry]] = [:]
    public var installedSnapshots: [RaftNodeID: [RaftSnapshot]] = [:]
    public var readsReady: [UInt64: UInt64] = [:]
    public var readsFailed: Set<UInt64> = []
    /// Every action list returned, per node, in order.
    public var history: [RaftNodeID: [[RaftAction]]] = [:]

    public init(ids: [RaftNodeID], configuration: RaftConfiguration = RaftConfiguration(), seed: UInt64 = 1) {
        for (n, id) in ids.enumerated() {
            add(RaftNode(id: id, voters: ids, configuration: configuration, seed: seed &+ UInt64(n) &* 7919))
        }
    }

    public mutating func add(_ node: RaftNode) {
        if nodes[node.id] == nil { ids.append(node.id) }
        nodes[node.id] = node
    }

    public subscript(id: RaftNodeID) -> RaftNode {
        get { nodes[id]! }
        set { nodes[id] = newValue }
    }

    public var leader: RaftNodeID? { ids.first { nodes[$0]?.role == .leader } }

    /// Records what the shell would do with `actions`: queue sends, remember applies and reads.
    public mutating func handle(_ id: RaftNodeID, _ actions: [RaftAction]) {
        history[id, default: []].append(actions)
        for action in actions {
            switch action {
            case .send(let m): queue.append(m)
            case .apply(let entries): applied[id, default: []].append(contentsOf: entries)
            case .installSnapshot(let s): installedSnapshots[id, default: []].append(s)
            case .readReady(let requestID, let index): readsReady[requestID] = index
            case .readFailed(let requestID): readsFailed.insert(requestID)
            default: break
            }
        }
    }

    public mutating func tick(_ id: RaftNodeID, times: Int = 1) {
        for _ in 0..<times {
            guard nodes[id] != nil else { return }
            handle(id, nodes[id]!.tick())
        }
    }

    /// Ticks every node `times` times, delivering all messages after each round.
    public mutating func tickAll(times: Int = 1) {
        for _ in 0..<times {
            for id in ids { tick(id) }
            deliverAll()
        }
    }

    /// Delivers one queued message (dropped when its link is cut or the target is gone).
    public mutating func deliverOne() {
        guard !queue.isEmpty else { return }
        let m = queue.removeFirst()
        guard !cut.contains("\(m.from)>\(m.to)"), nodes[m.to] != nil else { return }
        handle(m.to, nodes[m.to]!.step(m))
    }

    /// Delivers until the network is quiet (bounded).
    public mutating func deliverAll(limit: Int = 100_000) {
        var budget = limit
        while !queue.isEmpty, budget > 0 {
            deliverOne()
            budget -= 1
        }
    }

    /// Drops every queued message without delivering it.
    public mutating func dropQueued() { queue.removeAll() }

    public mutating func isolate(_ id: RaftNodeID) {
        for other in ids where other != id {
            cut.insert("\(id)>\(other)")
            cut.insert("\(other)>\(id)")
        }
    }

    public mutating func heal() { cut = [] }

    /// Starts an election on `id` and delivers until quiet.
    public mutating func campaign(_ id: RaftNodeID) {
        handle(id, nodes[id]!.campaignNow())
        deliverAll()
    }

    /// Proposes on `id`, delivers until quiet; returns the proposal.
    @discardableResult
    public mutating func propose(_ id: RaftNodeID, _ data: [UInt8]) throws(RaftError) -> RaftProposal {
        let proposal = try nodes[id]!.propose(data)
        handle(id, proposal.actions)
        deliverAll()
        return proposal
    }
}
