import Foundation
import OrchestratorCore
import Testing

@Suite("Analysis: structure warnings, downtime, re-probe, JSON")
struct AnalysisStructureTests {
    private func entry(_ instances: [Instance], _ port: Int = 1, state: IntentState = IntentState(),
                       settings: AnalysisSettings = AnalysisSettings()) -> ReplicationAnalysis? {
        var s = settings
        s.includeNoProblem = true
        return ReplicationAnalyzer.analyze(Fixture.snapshot(instances, state: state), now: Fixture.now, settings: s)
            .first { $0.analyzedInstanceKey == Fixture.key(port) }
    }

    struct WarningCase: CustomTestStringConvertible, Sendable {
        var name: String
        var instances: [Instance]
        var expected: StructureAnalysisCode
        var testDescription: String { name }
    }

    static let warningCases: [WarningCase] = [
        WarningCase(name: "no logging replicas", instances: Fixture.tree()
            .replacing(2) { $0.with { $0.logReplicationUpdatesEnabled = false } }
            .replacing(3) { $0.with { $0.logReplicationUpdatesEnabled = false } }, expected: .noLoggingReplicasStructureWarning),
        WarningCase(name: "no GTID on replicas", instances: Fixture.tree()
            .replacing(2) { $0.with { $0.usingMariaDBGTID = false } }, expected: .noFailoverSupportStructureWarning),
        WarningCase(name: "errant GTID on a replica", instances: Fixture.tree()
            .replacing(2) { $0.with { $0.gtidErrant = "0-2-101" } }, expected: .errantGTIDStructureWarning),
        WarningCase(name: "different GTID modes", instances: Fixture.tree()
            .replacing(2) { $0.with { $0.gtidMode = "ON" } }, expected: .differentGTIDModesStructureWarning),
        WarningCase(name: "statement and row replicas", instances: Fixture.tree()
            .replacing(2) { $0.with { $0.binlogFormat = "STATEMENT" } }, expected: .statementAndRowLoggingReplicasStructureWarning),
        WarningCase(name: "multiple major versions", instances: Fixture.tree()
            .replacing(2) { $0.with { $0.version = "10.6.16-MariaDB-log" } }, expected: .multipleMajorVersionsLoggingReplicasStructureWarning),
        WarningCase(name: "read-only master", instances: Fixture.tree()
            .replacing(1) { $0.with { $0.readOnly = true } }, expected: .noWriteableMasterStructureWarning),
    ]

    @Test(arguments: warningCases)
    func warning(_ c: WarningCase) {
        let e = entry(c.instances)
        #expect(e?.structureAnalysis.contains(c.expected) == true, "\(c.name): \(e?.structureAnalysis.map(\.rawValue) ?? [])")
        #expect(e?.analysis == .noProblem)
    }

    @Test func healthyTreeHasNoWarnings() {
        #expect(entry(Fixture.tree())?.structureAnalysis == [])
    }

    @Test func downtimedDeadMasterIsFlaggedAndCanBeHidden() {
        let dead = Fixture.tree().replacing(1) { $0.unreachable() }
            .replacing(2) { $0.failingToConnect() }.replacing(3) { $0.failingToConnect() }
        var state = IntentState()
        state.apply(.beginDowntime(Downtime(key: Fixture.key(1), owner: "ops", reason: "maintenance",
                                            begin: Fixture.now, end: Fixture.now.adding(seconds: 600))))
        let e = entry(dead, state: state)
        #expect(e?.analysis == .deadMaster && e?.isDowntimed == true && e?.skippableDueToDowntime == true)
        #expect(e?.downtimeRemainingSeconds == 600)
        var hide = AnalysisSettings()
        hide.includeDowntimed = false
        let entries = ReplicationAnalyzer.analyze(Fixture.snapshot(dead, state: state), now: Fixture.now, settings: hide)
        #expect(!entries.contains { $0.analyzedInstanceKey == Fixture.key(1) })
        // Expired downtime no longer counts.
        #expect(ReplicationAnalyzer.analyze(Fixture.snapshot(dead, state: state), now: Fixture.now.adding(seconds: 601), settings: hide)
            .first?.analysis == .deadMaster)
    }

    @Test func recoveryIgnoreHostnameFiltersDropEntries() {
        var s = AnalysisSettings()
        s.recoveryIgnoreHostnameFilters = ["^db$"]
        let dead = Fixture.tree().replacing(1) { $0.unreachable() }
        #expect(ReplicationAnalyzer.analyze(Fixture.snapshot(dead), now: Fixture.now, settings: s).isEmpty)
    }

    @Test func reprobeAfterFailedProbeOfMaster() {
        #expect(EmergentProbe.keys(afterFailedProbeOf: Fixture.key(1), instances: Fixture.tree())
                == [Fixture.key(1), Fixture.key(2), Fixture.key(3)])
        #expect(EmergentProbe.keys(afterFailedProbeOf: Fixture.key(3), instances: Fixture.tree())
                == [Fixture.key(3), Fixture.key(4), Fixture.key(5)])
        // A leaf replica's failure needs no second opinion.
        #expect(EmergentProbe.keys(afterFailedProbeOf: Fixture.key(2), instances: Fixture.tree()).isEmpty)
    }

    @Test func reprobeForUnreachableMasterAnalysis() {
        let entries = ReplicationAnalyzer.analyze(Fixture.snapshot(Fixture.tree().replacing(1) { $0.unreachable() }), now: Fixture.now)
        #expect(EmergentProbe.keys(for: entries) == [Fixture.key(1), Fixture.key(2), Fixture.key(3)])
    }

    @Test func jsonUsesUpstreamKeys() throws {
        let dead = Fixture.tree().replacing(1) { $0.unreachable() }
            .replacing(2) { $0.failingToConnect() }.replacing(3) { $0.failingToConnect() }
        let e = try #require(entry(dead))
        let data = try JSONEncoder().encode(e)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["Analysis"] as? String == "DeadMaster")
        #expect(object["CountValidReplicas"] as? Int == 2)
        #expect((object["SlaveHosts"] as? [Any])?.count == 2)
        #expect((object["ClusterDetails"] as? [String: Any])?["ClusterName"] as? String == "db:1")
        #expect(object["IsActionableRecovery"] as? Bool == true)
        let back = try JSONDecoder().decode(ReplicationAnalysis.self, from: data)
        #expect(back == e)
    }
}
