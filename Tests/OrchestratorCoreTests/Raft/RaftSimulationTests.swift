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
            // The faults it claims to inject actually happened.
            #expect(result.stats.partitions > 0)
            #expect(result.stats.heals > 0)
            #expect(result.stats.messagesDropped > 0)
            #expect(result.stats.crashes > 0)
            #expect(result.stats.snapshotsInstalled > 0)
            #expect(result.stats.transfersStarted > 0)
            #expect(result.stats.membershipChanges > 0)
            #expect(result.stats.midActionCrashes > 0)
            #expect(result.stats.readsServed > 0)
        }
    }

    /// A checker that cannot catch a planted bug checks nothing: each bug must be reported within
    /// a few hundred seeds.
    @Test(arguments: RaftPlantedBug.allCases)
    func plantedBugsAreCaught(_ bug: RaftPlantedBug) async {
        var base = RaftSimulationOptions()
        base.plantedBug = bug
        let seeds = 300
        let result = await RaftSimulation.runSeeds(first: 1, count: seeds, events: 2000, workers: 2, base: base)
        print("raft simulation with planted \(bug): \(result.failures.count) of \(seeds) seeds caught it; first: "
              + (result.failures.first.map { "seed \($0.seed): \($0.message)" } ?? "none"))
        #expect(!result.failures.isEmpty, "the checker never noticed \(bug) in \(seeds) seeds")
    }

    @Test func sameSeedReplaysIdentically() {
        let a = RaftSimulation.runOne(seed: 77, events: 1500)
        let b = RaftSimulation.runOne(seed: 77, events: 1500)
        #expect(a.stats == b.stats)
        #expect(a.failures.map(\.description) == b.failures.map(\.description))
    }
}
