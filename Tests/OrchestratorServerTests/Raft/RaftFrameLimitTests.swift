import Foundation
import Testing
import NIOCore
import NIOEmbedded
@testable import OrchestratorServer

/// The Raft frame limit bounds what a peer can make a node buffer, and it must still hold a snapshot of
/// a whole fleet's replicated state (snapshots travel in one frame).
@Suite("Raft frame limit")
struct RaftFrameLimitTests {
    /// The replicated state of a large fleet: 100,000 discovered servers, 10,000 downtimes, maintenances
    /// and candidates each, and a full recovery history with steps and errors.
    static func fleetState() -> IntentState {
        var state = IntentState()
        let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
        func key(_ i: Int) -> InstanceKey { InstanceKey(hostname: "mysql-\(i).db.prod.example.internal", port: 3306) }
        for i in 0..<100_000 { state.apply(.discover(key: key(i))) }
        for i in 0..<10_000 {
            let hold = InstanceHold(key: key(i), owner: "dba-on-call", reason: "kernel upgrade, ticket OPS-\(i)",
                                    begin: now, end: now.adding(seconds: 86_400))
            state.apply(.beginDowntime(hold))
            state.apply(.beginMaintenance(InstanceHold(key: key(i + 10_000), owner: "dba-on-call", reason: "disk swap",
                                                      begin: now, end: now.adding(seconds: 86_400))))
            state.apply(.registerCandidate(CandidateRegistration(key: key(i + 20_000), promotionRule: .prefer,
                                                                 registeredAt: now, until: now.adding(seconds: 3600))))
        }
        for i in 0..<IntentState.recoveryHistoryLimit {
            var analysis = ReplicationAnalysis(
                analyzedInstanceKey: key(i),
                clusterDetails: ClusterInfo(clusterName: "\(key(i))", clusterAlias: "cluster-\(i)", countInstances: 12,
                                            heuristicLag: 0, hasAutomatedMasterRecovery: true,
                                            hasAutomatedIntermediateMasterRecovery: true))
            analysis.analysis = .deadMaster
            analysis.replicas = (1...11).map { key(i * 100 + $0) }
            var recovery = TopologyRecovery(id: Int64(i), uid: UUID().uuidString, analysisEntry: analysis, type: "MasterFailover",
                                            start: now, processingNodeHostname: "http://orchd-1.example.internal:3000",
                                            processingNodeToken: "orchd-1.example.internal:10008")
            recovery.steps = (0..<20).map { n in
                var step = RecoveryStepRecord(name: "repoint", detail: "repoint \(key(i * 100 + n)) to \(key(i)) via GTID and start replication")
                step.ok = true
                step.output = String(repeating: "x", count: 200)
                return step
            }
            recovery.allErrors = ["one error of some length to keep in the audit, naming \(key(i))"]
            state.apply(.writeRecovery(recovery))
        }
        return state
    }

    @Test("a fleet's snapshot fits in under half the frame limit")
    func fleetSnapshotFits() throws {
        let bytes = try JSONEncoder().encode(Self.fleetState()).count
        #expect(bytes < RaftWire.defaultMaxFrameSize / 2, "a fleet snapshot is \(bytes) bytes")
        #expect(RaftWire.defaultMaxFrameSize <= 64 << 20, "the limit stays low: \(RaftWire.defaultMaxFrameSize)")
    }

    @Test("a frame announcing more than the limit closes the connection before anything is buffered")
    func oversizedFrameIsRefusedAtOnce() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RaftFrameDecoder(maxFrameSize: RaftWire.defaultMaxFrameSize)))
        var buffer = channel.allocator.buffer(capacity: 8)
        buffer.writeInteger(UInt32(RaftWire.defaultMaxFrameSize + 1), endianness: .little)
        buffer.writeBytes([RaftWire.magic, RaftWire.version])
        #expect(throws: (any Error).self) { try channel.writeInbound(buffer) }
        _ = try? channel.finish()
    }
}
