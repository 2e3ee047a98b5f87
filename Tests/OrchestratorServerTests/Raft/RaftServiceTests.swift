import Foundation
import Testing
@testable import OrchestratorServer
import OrchestratorServerTestKit

/// Polls `condition` until it holds; gives up after `seconds` AND at least `polls` attempts (a hang
/// guard, not a speed check; the poll count keeps it fair when other suites starve this one of CPU).
func eventually(seconds: Double = 20, polls: Int = 1000, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    var attempts = 0
    while Date() < deadline || attempts < polls {
        if try await condition() { return true }
        attempts += 1
        try? await Task.sleep(for: .milliseconds(5))
    }
    return try await condition()
}

/// Three (or more) services in one process over the in-memory network.
final class InProcessRaftCluster: @unchecked Sendable {
    let network = InMemoryRaftNetwork()
    let ids: [RaftNodeID]
    var storages: [RaftNodeID: InMemoryRaftStorage] = [:]
    var machines: [RaftNodeID: InMemoryRaftStateMachine] = [:]
    var services: [RaftNodeID: RaftService] = [:]
    var tasks: [RaftNodeID: Task<Void, any Error>] = [:]
    let snapshotEvery: UInt64

    init(size: Int = 3, snapshotEvery: UInt64 = 10_000) {
        ids = (1...size).map { "n\($0)" }
        self.snapshotEvery = snapshotEvery
        for id in ids { storages[id] = InMemoryRaftStorage() }
    }

    func start(_ id: RaftNodeID, joining: Bool = false) throws {
        var settings = RaftService.Settings(id: id, voters: joining ? [] : ids)
        settings.tickInterval = .milliseconds(10)
        settings.core = RaftConfiguration(electionTicks: 10, heartbeatTicks: 2)
        settings.snapshotEvery = snapshotEvery
        settings.requestTimeout = .seconds(10)
        let machine = InMemoryRaftStateMachine()
        let service = try RaftService(
            settings: settings, storage: storages[id]!, transport: network.endpoint(id), stateMachine: machine)
        machines[id] = machine
        services[id] = service
        tasks[id] = Task { try await service.run() }
    }

    func startAll() throws { for id in ids { try start(id) } }

    func stop(_ id: RaftNodeID) async {
        tasks[id]?.cancel()
        _ = try? await tasks[id]?.value
        tasks[id] = nil
        services[id] = nil
    }

    func stopAll() async { for id in ids { await stop(id) } }

    /// The single node that is leader and that the others (running) follow.
    func leader() async -> RaftNodeID? {
        var leaders: Set<RaftNodeID> = []
        for s in services.values {
            let st = await s.status()
            if st.role == .leader { leaders.insert(st.id) }
        }
        return leaders.count == 1 ? leaders.first : nil
    }

    func waitForLeader(excluding: RaftNodeID? = nil) async -> RaftNodeID? {
        var found: RaftNodeID?
        _ = await eventually {
            found = await leader()
            return found != nil && found != excluding
        }
        return found != excluding ? found : nil
    }

    func converged(_ ids: [RaftNodeID], commands: UInt64) -> Bool {
        let states = ids.compactMap { machines[$0]?.current }
        return states.count == ids.count && states.allSatisfy { $0.commands == commands && $0.digest == states[0].digest }
    }
}

@Suite("Raft service (in-process cluster)", .serialized)
struct RaftServiceTests {
    @Test func electsLeaderAndReplicatesProposals() async throws {
        let c = InProcessRaftCluster()
        try c.startAll()
        let leader = try #require(await c.waitForLeader())
        for i in 0..<20 { try await c.services[leader]!.propose(Array("cmd\(i)".utf8)) }
        // Applied on the leader when propose returns; on all eventually.
        #expect(c.machines[leader]!.current.commands == 20)
        #expect(await eventually { c.converged(c.ids, commands: 20) })
        try await c.services[leader]!.confirmLeadership()
        let follower = c.ids.first { $0 != leader }!
        await #expect(throws: RaftServiceError.notLeader(leader: leader)) {
            try await c.services[follower]!.propose([1])
        }
        await #expect(throws: RaftServiceError.notLeader(leader: leader)) {
            try await c.services[follower]!.confirmLeadership()
        }
        let st = await c.services[leader]!.status()
        #expect(st.isPartOfQuorum && st.voters == c.ids && st.peers.count == 2)
        await c.stopAll()
    }

    @Test func concurrentProposalsAllApply() async throws {
        let c = InProcessRaftCluster()
        try c.startAll()
        let leader = try #require(await c.waitForLeader())
        let service = c.services[leader]!
        try await withThrowingTaskGroup(of: Void.self) { g in
            for i in 0..<200 { g.addTask { try await service.propose(Array("p\(i)".utf8)) } }
            try await g.waitForAll()
        }
        #expect(await eventually { c.converged(c.ids, commands: 200) })
        await c.stopAll()
    }

    @Test func transferMakesTargetLeader() async throws {
        let c = InProcessRaftCluster()
        try c.startAll()
        let leader = try #require(await c.waitForLeader())
        let target = c.ids.first { $0 != leader }!
        var changes = await c.services[target]!.leadershipChanges().makeAsyncIterator()
        try await c.services[leader]!.transferLeadership(to: target)
        #expect(await eventually { await c.leader() == target })
        var sawLead = false
        while let l = await changes.next() { if l.isLeader { sawLead = true; break } }
        #expect(sawLead)
        try await c.services[target]!.propose([7])
        await c.stopAll()
    }

    @Test func isolatedLeaderStepsDownAndItsProposalsFail() async throws {
        let c = InProcessRaftCluster()
        try c.startAll()
        let old = try #require(await c.waitForLeader())
        c.network.isolate(old)
        #expect(await eventually { await c.services[old]!.status().role != .leader })
        await #expect(throws: RaftServiceError.self) { try await c.services[old]!.propose([1]) }
        let others = c.ids.filter { $0 != old }
        var newLeader: RaftNodeID?
        #expect(await eventually {
            for id in others where await c.services[id]!.status().role == .leader { newLeader = id }
            return newLeader != nil
        })
        try await c.services[newLeader!]!.propose([2])
        c.network.heal()
        #expect(await eventually { c.converged(c.ids, commands: 1) })
        await c.stopAll()
    }

    @Test func restartedNodeCatchesUpThroughSnapshot() async throws {
        let c = InProcessRaftCluster(snapshotEvery: 5)
        try c.startAll()
        let leader = try #require(await c.waitForLeader())
        let lagging = c.ids.first { $0 != leader }!
        await c.stop(lagging)
        for i in 0..<30 { try await c.services[leader]!.propose(Array("s\(i)".utf8)) }
        #expect(await c.services[leader]!.status().snapshotIndex >= 25)
        try c.start(lagging) // fresh state machine, old storage: needs the leader's snapshot
        #expect(await eventually { c.converged(c.ids, commands: 30) })
        #expect(await c.services[lagging]!.status().snapshotIndex > 0)
        // And a full restart of every node rebuilds the same state from storage.
        await c.stopAll()
        try c.startAll()
        _ = try #require(await c.waitForLeader())
        #expect(await eventually { c.converged(c.ids, commands: 30) })
        await c.stopAll()
    }

    @Test func membershipChangesAddAndRemoveVoters() async throws {
        let c = InProcessRaftCluster(snapshotEvery: 5)
        try c.startAll()
        let leader = try #require(await c.waitForLeader())
        for i in 0..<12 { try await c.services[leader]!.propose(Array("m\(i)".utf8)) }

        // A new node joins with no voters of its own and learns everything from the leader.
        c.storages["n4"] = InMemoryRaftStorage()
        try c.start("n4", joining: true)
        try await c.services[leader]!.addVoter("n4")
        #expect(await c.services[leader]!.status().voters == ["n1", "n2", "n3", "n4"])
        #expect(await eventually { c.converged(["n1", "n2", "n3", "n4"], commands: 12) })
        #expect(await eventually { await c.services["n4"]!.status().voters == ["n1", "n2", "n3", "n4"] })

        // Removing a follower shrinks the quorum; proposals keep committing.
        let removed = c.ids.first { $0 != leader }!
        try await c.services[leader]!.removeVoter(removed)
        #expect(await c.services[leader]!.status().voters.contains(removed) == false)
        await c.stop(removed)
        try await c.services[leader]!.propose([9])
        let remaining = (c.ids + ["n4"]).filter { $0 != removed }
        #expect(await eventually { c.converged(remaining, commands: 13) })
        await #expect(throws: RaftServiceError.self) { try await c.services[leader]!.addVoter("n4") }
        await c.stopAll()
        await c.stop("n4")
    }
}
