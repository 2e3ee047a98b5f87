import Foundation
import OrchestratorCore
@testable import OrchestratorServer
import Testing

/// The crawl's bookkeeping with a scripted prober (the in-memory twin of the MySQL prober): bounded
/// concurrency, transitive discovery, check-state bookkeeping with an injected clock. Real servers
/// are covered by the integration tests.
struct DiscoveryCrawlTests {
    /// A topology described by master links; counts probes in flight.
    final class ScriptedProber: TopologyProber, @unchecked Sendable {
        private let lock = NSLock()
        private let masters: [InstanceKey: InstanceKey?]
        private var down: Set<InstanceKey> = []
        private var inFlight = 0
        private(set) var maxInFlight = 0
        private(set) var probeCount = 0

        init(masters: [InstanceKey: InstanceKey?]) { self.masters = masters }

        func setDown(_ key: InstanceKey) { lock.withLock { _ = down.insert(key) } }
        func setUp(_ key: InstanceKey) { lock.withLock { _ = down.remove(key) } }

        func probe(_ key: InstanceKey) async -> ProbeResult {
            lock.withLock {
                inFlight += 1
                probeCount += 1
                maxInFlight = max(maxInFlight, inFlight)
            }
            try? await Task.sleep(for: .milliseconds(2))
            return lock.withLock {
                inFlight -= 1
                guard masters.keys.contains(key), !down.contains(key) else {
                    return ProbeResult(key: key, error: ProbeError(code: 2003, message: "\(key): cannot connect"))
                }
                var instance = Instance(key: key)
                instance.masterKey = masters[key] ?? nil
                instance.usingMariaDBGTID = instance.masterKey != nil
                instance.replicas = masters.filter { $0.value == key }.map(\.key).sorted()
                return ProbeResult(key: key, instance: instance, latencyNanoseconds: 1)
            }
        }
    }

    final class FixedClock: DiscoveryClock, @unchecked Sendable {
        private let lock = NSLock()
        private var current = Timestamp(secondsSinceEpoch: 1_800_000_000)
        func now() -> Timestamp { lock.withLock { current } }
        func advance(_ seconds: Int64) { lock.withLock { current = current.adding(seconds: seconds) } }
        func sleep(seconds: Double) async throws { await Task.yield() }
    }

    private func key(_ n: Int) -> InstanceKey { InstanceKey(hostname: "10.0.0.\(n)", port: 3306) }

    @Test("a wide topology is crawled from one leaf with at most DiscoveryMaxConcurrency probes in flight")
    func boundedConcurrency() async throws {
        // 1 master, 10 intermediate masters, each with 4 replicas: 51 instances.
        var masters: [InstanceKey: InstanceKey?] = [key(1): nil]
        for i in 0..<10 {
            masters[key(10 + i)] = key(1)
            for j in 0..<4 { masters[key(100 + i * 4 + j)] = key(10 + i) }
        }
        let prober = ScriptedProber(masters: masters)
        var settings = DiscoverySettings(mysql: MySQLClientConfig(user: "u", password: "p"))
        settings.discoveryMaxConcurrency = 3
        let discovery = Discovery(
            settings: settings, prober: prober, store: InstanceStore(database: try BackendDatabase()),
            clock: FixedClock())

        let leaf = try await discovery.discover(key(139))
        #expect(leaf.replicationDepth == 2)
        let instances = await discovery.instances()
        #expect(instances.count == 51)
        #expect(Set(instances.map(\.clusterName)) == ["10.0.0.1:3306"])
        #expect(prober.maxInFlight <= 3)
        #expect(prober.maxInFlight > 1)
        #expect(prober.probeCount == 51)
    }

    @Test("a failed check keeps last seen, advances the attempt, and ages out after UnseenInstanceForgetHours")
    func checkBookkeeping() async throws {
        let prober = ScriptedProber(masters: [key(1): nil, key(2): key(1)])
        let clock = FixedClock()
        var settings = DiscoverySettings(mysql: MySQLClientConfig(user: "u", password: "p"))
        settings.unseenInstanceForgetHours = 1
        let store = InstanceStore(database: try BackendDatabase())
        let discovery = Discovery(settings: settings, prober: prober, store: store, clock: clock)
        try await discovery.discover(key(1))
        let seen = try #require(try await store.record(key(2)))
        #expect(seen.instance.isLastCheckValid)

        let results = await discovery.probeResults()
        let failures = await discovery.probeResults(failedOnly: true)
        prober.setDown(key(2))
        clock.advance(60)
        await discovery.pollOnce()
        let failed = try #require(try await store.record(key(2)))
        #expect(!failed.instance.isLastCheckValid)
        #expect(failed.instance.lastError == "10.0.0.2:3306: cannot connect")
        #expect(failed.instance.lastSeenTimestamp == seen.instance.lastSeenTimestamp)
        #expect(failed.lastAttemptedCheck == seen.lastAttemptedCheck!.adding(seconds: 60))
        #expect(failed.instance.secondsSinceLastSeen == 60)

        var streamed: [InstanceKey] = []
        for await result in results {
            streamed.append(result.key)
            if streamed.count == 2 { break }
        }
        #expect(Set(streamed) == [key(1), key(2)])
        for await failure in failures {
            #expect(failure.key == key(2) && failure.error != nil, "only the failed probe: \(failure.key)")
            break
        }

        clock.advance(3600)
        await discovery.pollOnce()
        #expect(await discovery.instances().map(\.key) == [key(1)])
        #expect(try await store.record(key(2)) == nil)
    }

    @Test("the poll loop's round keeps only the results someone takes: failures for a failed-only subscriber")
    func roundKeepsWhatSubscribersTake() async throws {
        let prober = ScriptedProber(masters: [key(1): nil, key(2): key(1), key(3): key(1)])
        let discovery = Discovery(
            settings: DiscoverySettings(mysql: MySQLClientConfig(user: "u", password: "p")), prober: prober,
            store: InstanceStore(database: try BackendDatabase()), clock: FixedClock())
        try await discovery.discover(key(1))
        prober.setDown(key(3))
        #expect(await discovery.pollRound(collect: true).count == 3)
        _ = await discovery.probeResults(failedOnly: true)
        #expect(await discovery.pollRound(collect: false).map(\.key) == [key(3)])
        _ = await discovery.probeResults()
        #expect(await discovery.pollRound(collect: false).count == 3, "a subscriber of every result gets them all")
    }

    @Test("run() polls every known instance again and again, publishing results, until cancelled")
    func serviceLoop() async throws {
        let prober = ScriptedProber(masters: [key(1): nil, key(2): key(1)])
        let discovery = Discovery(
            settings: DiscoverySettings(mysql: MySQLClientConfig(user: "u", password: "p")), prober: prober,
            store: InstanceStore(database: try BackendDatabase()), clock: FixedClock())
        try await discovery.discover(key(2))
        let probesAfterDiscovery = prober.probeCount
        let stream = await discovery.probeResults()
        var received: [InstanceKey] = []
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await discovery.run() }
            for await result in stream {
                received.append(result.key)
                if received.count >= 6 { break }
            }
            group.cancelAll()
        }
        #expect(received.count == 6)
        #expect(Set(received) == [key(1), key(2)])
        #expect(prober.probeCount >= probesAfterDiscovery + 6)
    }

    /// Holds every probe of `held` until `release()`; others answer at once.
    final class GatedProber: TopologyProber, @unchecked Sendable {
        private let base: ScriptedProber
        private let held: InstanceKey
        private let lock = NSLock()
        private var open = false
        private var waiting = false
        init(base: ScriptedProber, held: InstanceKey) { self.base = base; self.held = held }
        var isWaiting: Bool { lock.withLock { waiting } }
        func release() { lock.withLock { open = true } }
        func close() { lock.withLock { open = false } }
        func probe(_ key: InstanceKey) async -> ProbeResult {
            if key == held {
                lock.withLock { waiting = true }
                while !lock.withLock({ open }) { try? await Task.sleep(for: .milliseconds(1)) }
                lock.withLock { waiting = false }
            }
            return await base.probe(key)
        }
    }

    @Test("forget wins over a probe of the same instance that was already in flight")
    func forgetDuringAnInFlightProbe() async throws {
        let prober = GatedProber(base: ScriptedProber(masters: [key(1): nil, key(2): key(1)]), held: key(2))
        prober.release()
        let store = InstanceStore(database: try BackendDatabase())
        let discovery = Discovery(settings: DiscoverySettings(mysql: MySQLClientConfig(user: "u", password: "p")),
                                  prober: prober, store: store, clock: FixedClock())
        try await discovery.discover(key(1))
        #expect(await discovery.instance(key(2)) != nil)

        prober.close()
        let poll = Task { await discovery.pollOnce() }
        for _ in 0..<5_000 where !prober.isWaiting { try await Task.sleep(for: .milliseconds(1)) }
        #expect(prober.isWaiting)
        await discovery.forget(key(2))
        prober.release()
        _ = await poll.value

        #expect(await discovery.instance(key(2)) == nil)
        #expect(try await store.record(key(2)) == nil)
    }

    @Test("refresh probes exactly the keys given, never their neighbours nor forgotten ones")
    func refreshProbesOnlyTheKeys() async throws {
        let prober = ScriptedProber(masters: [key(1): nil, key(2): key(1), key(3): key(1), key(4): key(3)])
        let discovery = Discovery(settings: DiscoverySettings(mysql: MySQLClientConfig(user: "u", password: "p")),
                                  prober: prober, store: InstanceStore(database: try BackendDatabase()), clock: FixedClock())
        try await discovery.discover(key(4))
        #expect(await discovery.instances().count == 4)
        await discovery.forget(key(2))
        let before = prober.probeCount
        let results = await discovery.refresh([key(1), key(2), key(3), InstanceKey(hostname: "//10.0.0.1", port: 3306)])
        #expect(Set(results.map(\.key)) == [key(1), key(3)])
        #expect(prober.probeCount == before + 2)
        #expect(await discovery.instance(key(2)) == nil)
    }
}
