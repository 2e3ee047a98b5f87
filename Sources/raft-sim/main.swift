// raft-sim: runs the deterministic Raft simulation outside the test runner (release builds are ~10x
// faster). See Scripts/simulate-raft.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OrchestratorTestKit

func usage() -> Never {
    print("""
    Usage: raft-sim [--seeds N] [--events M] [--seed S] [--first F] [--workers W] [--nodes 3|5]
      --seeds N    number of seeded runs (default 2000), seeds F ..< F+N
      --events M   events per run (default 2000)
      --seed S     run exactly one seed, print its trace on failure (also: env SEED=S)
      --first F    first seed (default 1)
      --workers W  concurrent runs (default 2)
      --nodes K    only K-node clusters (default: 3 for even seeds, 5 for odd)
      --liveness T a leader must appear within T ticks after a heal (default 300)
      --trace L    keep the last L events for a failure report (default 60)
    Exit status 1 if any run violated an invariant.
    """)
    exit(2)
}

var seeds = 2000
var events = 2000
var first: UInt64 = 1
var workers = 2
var single: UInt64? = getenv("SEED").flatMap { UInt64(String(cString: $0)) }
var nodeCounts = [3, 5]
var base = RaftSimulationOptions()
var args = CommandLine.arguments.dropFirst()
while let arg = args.popFirst() {
    func value() -> String {
        guard let v = args.popFirst() else { usage() }
        return v
    }
    func number<T: FixedWidthInteger>(_: T.Type = T.self) -> T {
        guard let n = T(value()) else { usage() }
        return n
    }
    switch arg {
    case "--seeds": seeds = number()
    case "--events": events = number()
    case "--seed": single = number()
    case "--first": first = number()
    case "--workers": workers = number()
    case "--nodes": nodeCounts = [number(Int.self)]
    case "--liveness": base.livenessTicks = number()
    case "--trace": base.traceLength = number()
    case "--help", "-h": usage()
    default: print("raft-sim: unknown option '\(arg)'"); usage()
    }
}
if let single {
    first = single
    seeds = 1
}

let clock = ContinuousClock()
let started = clock.now
let result = await RaftSimulation.runSeeds(first: first, count: seeds, events: events, nodeCounts: nodeCounts, workers: workers, base: base)
let elapsed = clock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("raft-sim: \(seeds) runs x \(events) events, seeds \(first)..<\(first + UInt64(seeds)), \(workers) workers: \(result.failures.isEmpty ? "OK" : "\(result.failures.count) FAILED") in \(String(Int(seconds * 1000))) ms")
print("raft-sim: " + result.stats.summary)
for failure in result.failures.prefix(3) { print(failure) }
if result.failures.count > 3 { print("raft-sim: failing seeds: \(result.failures.map(\.seed))") }
exit(result.failures.isEmpty ? 0 : 1)
