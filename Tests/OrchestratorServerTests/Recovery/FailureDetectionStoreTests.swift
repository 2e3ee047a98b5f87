import Foundation
import Testing
@testable import OrchestratorServer

@Suite("Failure detections kept across restarts")
struct FailureDetectionStoreTests {
    func analysis(_ port: Int, _ code: AnalysisCode) -> ReplicationAnalysis {
        var a = ReplicationAnalysis(
            analyzedInstanceKey: InstanceKey(hostname: "db", port: port),
            clusterDetails: ClusterInfo(clusterName: "db:\(port)", clusterAlias: "shop", countInstances: 3, heuristicLag: 0,
                                        hasAutomatedMasterRecovery: true, hasAutomatedIntermediateMasterRecovery: false))
        a.analysis = code
        a.countReplicas = 2
        return a
    }

    @Test func detectionsSurviveARestartAndNumberingContinues() async throws {
        let database = try BackendDatabase()
        let store = FailureDetectionStore(database: database)
        var log = FailureDetectionLog()
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let first = log.observe([(analysis(1, .deadMaster), .recover)], node: "http://n1:3000", at: date)
        #expect(first.map(\.id) == [1])
        try await store.save(first, keep: 1000)
        let changed = log.holdBack(analysis(1, .deadMaster), reason: "vetoed: db:1 answers")
        let held = try #require(changed)
        try await store.save([held], keep: 1000)
        #expect(log.holdBack(analysis(1, .deadMaster), reason: "vetoed: db:1 answers") == nil, "nothing new to write")
        try await store.save(log.observe([(analysis(1, .deadMaster), .recover), (analysis(2, .deadIntermediateMaster), .recover)],
                                         node: "http://n1:3000", at: date), keep: 1000)

        // A new process reads them back, identical, and goes on numbering after them.
        let restored = try await store.load(limit: 1000)
        #expect(restored == log.detections)
        #expect(restored.first?.decision == "vetoed: db:1 answers")
        #expect(restored.first?.recoveryAllowed == false)
        var again = FailureDetectionLog(restored: restored)
        let next = again.observe([(analysis(3, .deadMaster), .recover)], node: "http://n1:3000", at: date)
        #expect(next.map(\.id) == [3])
        #expect(again.total == 3)
    }

    @Test func onlyTheNewestAreKept() async throws {
        let store = FailureDetectionStore(database: try BackendDatabase())
        var log = FailureDetectionLog()
        for port in 1...5 {
            try await store.save(log.observe([(analysis(port, .deadMaster), .recover)], node: "n", at: Date()), keep: 3)
        }
        #expect(try await store.load(limit: 1000).map(\.id) == [3, 4, 5])
        #expect(try await store.load(limit: 2).map(\.id) == [4, 5])
    }
}
