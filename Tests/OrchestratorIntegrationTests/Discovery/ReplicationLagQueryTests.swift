import Foundation
import OrchestratorCore
import OrchestratorServer
import OrchestratorTestKit
import Testing

/// `ReplicationLagQuery` against real MariaDB: a heartbeat-like table says a replica lags while
/// `Seconds_Behind_Master` says it does not; the probe reports both, and a failing query leaves the
/// lag unknown with a warning rather than failing the probe.
@Suite(.serialized, .enabled(if: !MariaDBSandbox.integrationSkipped, "ORCHD_SKIP_INTEGRATION=1"))
struct ReplicationLagQueryTests {
    static let heartbeatLag = 1234
    static let lagQuery = "SELECT TIMESTAMPDIFF(SECOND, ts, NOW()) FROM meta.heartbeat WHERE anchor = 1"

    @Test("a replica's lag is the query's value; Seconds_Behind_Master stays as the server reports it")
    func lagFromHeartbeatTable() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:3", alias: "lagquery")
        defer { sandbox.down() }
        _ = try await sandbox.sql(1, "CREATE TABLE meta.heartbeat (anchor TINYINT PRIMARY KEY, ts DATETIME NOT NULL); "
            + "INSERT INTO meta.heartbeat VALUES (1, NOW() - INTERVAL \(Self.heartbeatLag) SECOND)")
        for n in 2...3 { try await waitForHeartbeat(sandbox, n) }

        var settings = DiscoveryHarness.settings()
        settings.replicationLagQuery = Self.lagQuery
        let harness = try DiscoveryHarness(settings: settings)
        defer { Task { await harness.shutdown() } }
        for n in 2...3 { try await harness.discovery.discover(sandbox.key(n)) }

        for n in 2...3 {
            let replica = try #require(await harness.discovery.instance(sandbox.key(n)))
            #expect(replica.isLastCheckValid)
            let lag = try #require(replica.replicationLagSeconds, "lag of \(n)")
            #expect(lag >= Int64(Self.heartbeatLag) && lag < Int64(Self.heartbeatLag) + 60, "lag of \(n): \(lag)")
            let behind = try #require(replica.secondsBehindMaster, "Seconds_Behind_Master of \(n)")
            #expect(behind < 60, "Seconds_Behind_Master of \(n): \(behind)")
            #expect(replica.lastError.isEmpty, "\(replica.lastError)")
            #expect(replica.lagStatusString == "\(lag)s")
            // The API shows both fields, as upstream.
            let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(replica)) as? [String: Any])
            let shown = try #require(json["ReplicationLagSeconds"] as? [String: Any])
            #expect((shown["Int64"] as? NSNumber)?.int64Value == lag && shown["Valid"] as? Bool == true, "\(shown)")
            let reported = try #require(json["SecondsBehindMaster"] as? [String: Any])
            #expect((reported["Int64"] as? NSNumber)?.int64Value == behind, "\(reported)")
        }
        // The master is not a replica: the query is not run there.
        #expect(await harness.discovery.instance(sandbox.key(1))?.replicationLagSeconds == nil)
    }

    @Test("a failing query leaves the lag unknown (null) with a warning; the probe still succeeds")
    func failingQueryIsUnknownLag() async throws {
        let sandbox = try await MariaDBSandbox.up(topology: "star:2", alias: "lagfail")
        defer { sandbox.down() }
        var settings = DiscoveryHarness.settings()
        settings.replicationLagQuery = "SELECT lag FROM meta.no_such_heartbeat"
        let harness = try DiscoveryHarness(settings: settings)
        defer { Task { await harness.shutdown() } }
        try await harness.discovery.discover(sandbox.key(2))
        let replica = try #require(await harness.discovery.instance(sandbox.key(2)))
        #expect(replica.isLastCheckValid)
        #expect(replica.replicationLagSeconds == nil)
        #expect(replica.secondsBehindMaster != nil)
        #expect(replica.lastError.contains("ReplicationLagQuery failed on \(sandbox.key(2))"), "\(replica.lastError)")
        #expect(replica.lastError.contains("no_such_heartbeat"), "\(replica.lastError)")
        #expect(replica.lagStatusString == "null")
    }

    private func waitForHeartbeat(_ sandbox: MariaDBSandbox, _ n: Int) async throws {
        for _ in 0..<100 {
            let count = try? await sandbox.sql(n, "SELECT COUNT(*) FROM meta.heartbeat")
            if count?.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("1") == true { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("meta.heartbeat did not reach node \(n)")
    }
}
