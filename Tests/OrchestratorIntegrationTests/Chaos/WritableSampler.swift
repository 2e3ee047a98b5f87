import Foundation
import OrchestratorServer
import OrchestratorTestKit
import Synchronization

/// Samples, every 10 ms, which servers of a sandbox answer writable (`@@global.read_only = 0`), each
/// round asking every server at once over a kept connection (orchd's topology user). Every writable
/// server counts as a master, except an *outsider*: a server the scenario itself restarted after
/// killing it (a failed master coming back writable, which orchd does not fence, nor does upstream)
/// counts only while replicas are attached to it (a `Binlog Dump` thread) or it replicates; alone, it
/// is recorded apart as "writable alone". Two writable masters in one round is the split-brain the
/// invariant forbids.
final class WritableSampler: @unchecked Sendable {
    struct Sample: Sendable {
        /// Milliseconds since the sampler started.
        var at: Double
        /// Writable masters of the cluster (ports).
        var masters: [Int]
        /// Writable outsiders with no replica attached and not replicating (ports).
        var alone: [Int]
    }

    let ports: [Int]
    let outsiders: Set<Int>
    let interval: Duration
    private let state = Mutex<(samples: [Sample], stop: Bool)>(([], false))
    private let origin = ContinuousClock.now
    private var task: Task<Void, Never>?

    init(ports: [Int], outsiders: Set<Int> = [], interval: Duration = .milliseconds(10)) {
        self.ports = ports
        self.outsiders = outsiders
        self.interval = interval
        let config = MySQLClientConfig(user: MariaDBSandbox.topologyUser, password: MariaDBSandbox.topologyPassword,
                                       connectTimeoutSeconds: 1, readTimeoutSeconds: 1, writeTimeoutSeconds: 1)
        task = Task.detached { [self] in await self.loop(config: config) }
    }

    deinit { task?.cancel() }

    func millis() -> Double {
        let d = ContinuousClock.now - origin
        return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    var samples: [Sample] { state.withLock { $0.samples } }

    /// Rounds in which more than one server was a writable master.
    var violations: [Sample] { samples.filter { $0.masters.count > 1 } }

    /// Stops sampling and waits for the round in flight.
    func stop() async {
        state.withLock { $0.stop = true }
        task?.cancel()
        await task?.value
    }

    /// The first sample at or after `after` (ms) in which `port`'s role moved to another writable master.
    func firstOtherMaster(than port: Int, after: Double) -> (at: Double, port: Int)? {
        for sample in samples where sample.at >= after {
            if let other = sample.masters.first(where: { $0 != port }) { return (sample.at, other) }
        }
        return nil
    }

    /// Waits up to `seconds` for a writable master other than `port` after `after` (ms): the RTO in ms,
    /// nil when none came.
    func waitForOtherMaster(than port: Int, after: Double, seconds: Double) async -> Double? {
        _ = await eventuallyAsync(seconds: seconds) { firstOtherMaster(than: port, after: after) != nil }
        return firstOtherMaster(than: port, after: after).map { $0.at - after }
    }

    private func loop(config: MySQLClientConfig) async {
        var connections: [Int: MySQLConnection] = [:]
        while !Task.isCancelled, !state.withLock({ $0.stop }) {
            let started = ContinuousClock.now
            let at = millis()
            let current = connections
            let answers = await withTaskGroup(of: (Int, MySQLConnection?, Bool, Bool).self) { group in
                for port in ports {
                    group.addTask {
                        do {
                            let connection: MySQLConnection
                            if let c = current[port] {
                                connection = c
                            } else {
                                connection = try await MySQLConnection.connect(to: MySQLEndpoint(host: "127.0.0.1", port: port),
                                                                              config: config)
                            }
                            let row = try await connection.query("""
                                SELECT @@global.read_only AS ro, \
                                (SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%') AS dumps, \
                                (SELECT COUNT(*) FROM information_schema.GLOBAL_STATUS \
                                 WHERE VARIABLE_NAME = 'SLAVE_RUNNING' AND VARIABLE_VALUE = 'ON') AS replicating
                                """).first
                            let writable = row?.int("ro") == 0
                            let attached = (row?.int("dumps") ?? 0) > 0 || (row?.int("replicating") ?? 0) > 0
                            return (port, connection, writable, attached)
                        } catch {
                            if let c = current[port] { await c.close() }
                            return (port, nil, false, false)
                        }
                    }
                }
                var all: [(Int, MySQLConnection?, Bool, Bool)] = []
                for await answer in group { all.append(answer) }
                return all
            }
            var masters: [Int] = [], alone: [Int] = []
            for (port, connection, writable, attached) in answers {
                connections[port] = connection
                if writable { if attached || !outsiders.contains(port) { masters.append(port) } else { alone.append(port) } }
            }
            let sample = Sample(at: at, masters: masters.sorted(), alone: alone.sorted())
            state.withLock { $0.samples.append(sample) }
            let next = started + interval
            if ContinuousClock.now < next { try? await Task.sleep(until: next, clock: .continuous) }
        }
        for connection in connections.values { await connection.close() }
    }
}
