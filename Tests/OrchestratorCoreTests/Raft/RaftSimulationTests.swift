import Foundation
import OrchestratorCore
import OrchestratorTestKit
import Testing

/// The deterministic simulation (OrchestratorTestKit/Raft). Defaults: 2,000 seeded runs (3 and 5
/// nodes alternating) of 2,000 events each, on 2 concurrent workers. Overrides: RAFT_SIM_SEEDS,
/// RAFT_SIM_EVENTS, RAFT_SIM_FIRST; SEED=n replays exactly one seed and prints its trace.
@Suite(.serialized) struct RaftSimulationTests {
    static func env(_ name: String) -> Int? {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) }
    }

    @Test func seededSimulationKeepsEveryInvariant() async {
        let events = Self.env("RAFT_SIM_EVENTS") ?? 2000
        let result: RaftSimulation.BatchResult
        if let seed = Self.env("SEED") {
            result = RaftSimulation.runOne(seed: UInt64(seed), events: events)
        } else {
            let seeds = Self.env("RAFT_SIM_SEEDS") ?? 2000
            let first = UInt64(Self.env("RAFT_SIM_FIRST") ?? 1)
            result = await RaftSimulation.runSeeds(first: first, count: seeds, events: events, workers: 2)
        }
        print("raft simulation: \(result.stats.summary)")
        for failure in result.failures.prefix(3) {
            Issue.record("\(failure)")
        }
        if result.failures.count > 3 {
            Issue.record("failing seeds: \(result.failures.map(\.seed))")
        }
        // The runs must actually exercise what they claim to.
        #expect(result.stats.elections > 0)
        #expect(result.stats.committedEntries > 0)
        if result.stats.runs >= 100 {
            #expect(result.stats.snapshotsInstalled > 0)
            #expect(result.stats.transfersStarted > 0)
            #expect(result.stats.membershipChanges > 0)
            #expect(result.stats.midActionCrashes > 0)
            #expect(result.stats.readsServed > 0)
        }
    }

    @Test func sameSeedReplaysIdentically() {
        let a = RaftSimulation.runOne(seed: 77, events: 1500)
        let b = RaftSimulation.runOne(seed: 77, events: 1500)
        #expect(a.stats == b.stats)
        #expect(a.failures.map(\.description) == b.failures.map(\.description))
    }
}
