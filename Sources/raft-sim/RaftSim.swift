// raft-sim: runs the deterministic Raft simulation outside the test runner (release builds are ~10x
// faster). See Scripts/simulate-raft.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import OrchestratorTestKit

@main
struct RaftSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raft-sim",
        abstract: "Runs seeded deterministic Raft simulations and checks their invariants.",
        discussion: "Exit status 1 if any run violated an invariant; its report names the seed to replay.")

    @Option(help: ArgumentHelp("Number of seeded runs: seeds F ..< F+N.", valueName: "N"))
    var seeds = 2000

    @Option(help: ArgumentHelp("Events per run.", valueName: "M"))
    var events = 2000

    @Option(help: ArgumentHelp("Run exactly one seed, print its trace on failure (also: env SEED=S).", valueName: "S"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("First seed.", valueName: "F"))
    var first: UInt64 = 1

    @Option(help: ArgumentHelp("Concurrent runs.", valueName: "W"))
    var workers = 2

    @Option(help: ArgumentHelp("Only K-node clusters (default: 3 for even seeds, 5 for odd).", valueName: "K"))
    var nodes: Int?

    @Option(help: ArgumentHelp("A leader must appear within T ticks after a heal.", valueName: "T"))
    var liveness = RaftSimulationOptions().livenessTicks

    @Option(help: ArgumentHelp("Keep the last L events for a failure report.", valueName: "L"))
    var trace = RaftSimulationOptions().traceLength

    /// `SEED` from the environment, when `--seed` is not given.
    private var environmentSeed: UInt64? {
        get throws {
            guard let raw = getenv("SEED").map({ String(cString: $0) }) else { return nil }
            guard let value = UInt64(raw) else { throw ValidationError("SEED=\(raw) is not a seed (a non-negative integer)") }
            return value
        }
    }

    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
        guard events >= 1 else { throw ValidationError("--events must be at least 1, got \(events)") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1, got \(workers)") }
        if let nodes, nodes < 1 { throw ValidationError("--nodes must be at least 1, got \(nodes)") }
        guard liveness >= 1 else { throw ValidationError("--liveness must be at least 1, got \(liveness)") }
        guard trace >= 0 else { throw ValidationError("--trace must not be negative, got \(trace)") }
        guard first.addingReportingOverflow(UInt64(seeds)).overflow == false else {
            throw ValidationError("--first \(first) + --seeds \(seeds) overflows a 64-bit seed")
        }
        _ = try environmentSeed
    }

    func run() async throws {
        var first = first, seeds = seeds
        if let single = try seed ?? environmentSeed {
            first = single
            seeds = 1
        }
        var base = RaftSimulationOptions()
        base.livenessTicks = liveness
        base.traceLength = trace

        let clock = ContinuousClock()
        let started = clock.now
        let result = await RaftSimulation.runSeeds(
            first: first, count: seeds, events: events, nodeCounts: nodes.map { [$0] } ?? [3, 5], workers: workers, base: base)
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("raft-sim: \(seeds) runs x \(events) events, seeds \(first)..<\(first + UInt64(seeds)), \(workers) workers: \(result.failures.isEmpty ? "OK" : "\(result.failures.count) FAILED") in \(String(Int(seconds * 1000))) ms")
        print("raft-sim: " + result.stats.summary)
        for failure in result.failures.prefix(3) { print(failure) }
        if result.failures.count > 3 { print("raft-sim: failing seeds: \(result.failures.map(\.seed))") }
        if !result.failures.isEmpty { throw ExitCode.failure }
    }
}
