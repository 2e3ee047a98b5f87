import Foundation
import OrchestratorCore
import OrchestratorServer
import Testing

/// `DiscoverySeeds`: the first poll round probes and crawls from each seed without any `discover`
/// call; a seed that is down is recorded and retried by later rounds; a forgotten seed stays forgotten.
struct DiscoverySeedsTests {
    private typealias ScriptedProber = DiscoveryCrawlTests.ScriptedProber
    private typealias FixedClock = DiscoveryCrawlTests.FixedClock

    private func key(_ n: Int) -> InstanceKey { InstanceKey(hostname: "10.0.1.\(n)", port: 3306) }

    private func discovery(seeds: [InstanceKey], prober: ScriptedProber) throws -> Discovery {
        var settings = DiscoverySettings(mysql: MySQLClientConfig(user: "u", password: "p"))
        settings.discoverySeeds = seeds
        return Discovery(settings: settings, prober: prober,
                         store: InstanceStore(database: try BackendDatabase()), clock: FixedClock())
    }

    @Test("the first poll round discovers the whole topology around a seed")
    func seedIsCrawled() async throws {
        let prober = ScriptedProber(masters: [key(1): nil, key(2): key(1), key(3): key(2)])
        let discovery = try discovery(seeds: [key(2)], prober: prober)
        await discovery.pollOnce()
        #expect(await discovery.instances().map(\.key) == [key(1), key(2), key(3)])
        #expect(await discovery.instance(key(3))?.isLastCheckValid == true)
    }

    @Test("a seed that is down is recorded as failing, retried every round, and found once it answers")
    func downSeedIsRetried() async throws {
        let prober = ScriptedProber(masters: [key(1): nil, key(2): key(1)])
        prober.setDown(key(1))
        let discovery = try discovery(seeds: [key(1)], prober: prober)
        let first = await discovery.pollOnce()
        #expect(first.map(\.key) == [key(1)])
        #expect(first.first?.error != nil)
        let failing = try #require(await discovery.instance(key(1)))
        #expect(!failing.isLastCheckValid)
        #expect(failing.lastError.contains("cannot connect"))

        await discovery.pollOnce()
        #expect(prober.probeCount == 2)
        prober.setUp(key(1))
        await discovery.pollOnce()
        #expect(await discovery.instances().map(\.key) == [key(1), key(2)])
        #expect(await discovery.instance(key(1))?.isLastCheckValid == true)
    }

    @Test("a seed the operator forgets is not seeded again by later rounds")
    func forgottenSeedStaysForgotten() async throws {
        let prober = ScriptedProber(masters: [key(1): nil])
        let discovery = try discovery(seeds: [key(1)], prober: prober)
        await discovery.pollOnce()
        await discovery.forget(key(1))
        await discovery.pollOnce()
        #expect(await discovery.instances().isEmpty)
        #expect(prober.probeCount == 1)
    }

    @Test("DiscoverySeeds from the configuration take DefaultInstancePort when none is given")
    func seedsFromConfiguration() throws {
        var config = OrchestratorConfiguration()
        config.discoverySeeds = ["db1.example", "db2.example:3307"]
        let settings = DiscoverySettings(configuration: config)
        #expect(settings.discoverySeeds == [
            InstanceKey(hostname: "db1.example", port: 3306), InstanceKey(hostname: "db2.example", port: 3307),
        ])
    }
}
