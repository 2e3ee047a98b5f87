import OrchestratorCore

extension RaftSimulation {
    /// The outcome of many seeded runs.
    public struct BatchResult: Sendable {
        public var stats = RaftSimulationStats()
        public var failures: [RaftSimulationFailure] = []
    }

    /// Runs seeds `first ..< first + count` on `workers` concurrent tasks. Even seeds use 3 nodes and
    /// odd seeds 5 (or `nodeCounts` given). Deterministic per seed whatever the worker count.
    public static func runSeeds(
        first: UInt64, count: Int, events: Int, nodeCounts: [Int] = [3, 5], workers: Int = 2,
        base: RaftSimulationOptions = RaftSimulationOptions()
    ) async -> BatchResult {
        await withTaskGroup(of: BatchResult.self) { group in
            for worker in 0..<max(1, workers) {
                group.addTask {
                    var result = BatchResult()
                    var i = worker
                    while i < count {
                        let seed = first + UInt64(i)
                        result.add(runOne(seed: seed, events: events, nodeCounts: nodeCounts, base: base))
                        i += max(1, workers)
                    }
                    return result
                }
            }
            var total = BatchResult()
            for await part in group { total.add(part) }
            total.failures.sort { $0.seed < $1.seed }
            return total
        }
    }

    /// One seed, synchronously.
    public static func runOne(seed: UInt64, events: Int, nodeCounts: [Int] = [3, 5], base: RaftSimulationOptions = RaftSimulationOptions()) -> BatchResult {
        var options = base
        options.events = events
        options.nodeCount = nodeCounts[Int(seed % UInt64(nodeCounts.count))]
        var simulation = RaftSimulation(seed: seed, options: options)
        var result = BatchResult()
        if let failure = simulation.run() { result.failures.append(failure) }
        result.stats = simulation.stats
        return result
    }
}

extension RaftSimulation.BatchResult {
    public mutating func add(_ other: RaftSimulation.BatchResult) {
        stats.add(other.stats)
        failures.append(contentsOf: other.failures)
    }
}
