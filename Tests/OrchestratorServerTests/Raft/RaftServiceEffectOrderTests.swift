import Foundation
import Synchronization
import Testing
@testable import OrchestratorServer
import OrchestratorServerTestKit

/// What one node did, in order: durable writes and sends.
final class EffectLog: Sendable {
    enum Event: Sendable {
        case persisted(RaftHardState?, lastIndex: UInt64?)
        case sent(RaftMessage)
    }

    private let events = Mutex<[Event]>([])
    func record(_ e: Event) { events.withLock { $0.append(e) } }
    var all: [Event] { events.withLock { $0 } }
}

/// Storage that records each durable write after it completed.
final class RecordingStorage: RaftStorage {
    let inner = InMemoryRaftStorage()
    let log: EffectLog
    init(log: EffectLog) { self.log = log }

    func load() throws -> RaftStoredState { try inner.load() }
    func persist(hardState: RaftHardState?, entries: [RaftEntry]) throws {
        try inner.persist(hardState: hardState, entries: entries)
        log.record(.persisted(hardState, lastIndex: entries.last?.index))
    }
    func saveSnapshot(_ snapshot: RaftSnapshot) throws { try inner.saveSnapshot(snapshot) }
    func installSnapshot(_ snapshot: RaftSnapshot) throws { try inner.installSnapshot(snapshot) }
    func loadSnapshot() throws -> RaftSnapshot? { try inner.loadSnapshot() }
    func compact(through index: UInt64) throws { try inner.compact(through: index) }
}

/// Transport that records each message as it is handed over for sending.
final class RecordingTransport: RaftTransport {
    let inner: InMemoryRaftTransport
    let log: EffectLog
    init(inner: InMemoryRaftTransport, log: EffectLog) {
        self.inner = inner
        self.log = log
    }

    var inbound: AsyncStream<RaftFrame> { inner.inbound }
    func start() async throws { try await inner.start() }
    func send(_ frame: RaftFrame) {
        if let m = try? RaftMessageCodec.message(frame) { log.record(.sent(m)) }
        inner.send(frame)
    }
    func forget(_ peer: RaftNodeID) {}
    func shutdown() async { await inner.shutdown() }
}

@Suite("Raft service effect order", .serialized)
struct RaftServiceEffectOrderTests {
    /// Votes and acknowledgements never leave a node before the state they reveal is durable.
    @Test func nothingIsRevealedBeforeItIsDurable() async throws {
        let network = InMemoryRaftNetwork()
        let ids = ["n1", "n2", "n3"]
        var logs: [RaftNodeID: EffectLog] = [:]
        var services: [RaftNodeID: RaftService] = [:]
        var tasks: [Task<Void, any Error>] = []
        for id in ids {
            let log = EffectLog()
            var settings = RaftService.Settings(id: id, voters: ids)
            settings.tickInterval = .milliseconds(10)
            settings.core = RaftConfiguration(electionTicks: 20, heartbeatTicks: 2)
            settings.requestTimeout = .seconds(10)
            let service = try RaftService(
                settings: settings, storage: RecordingStorage(log: log),
                transport: RecordingTransport(inner: network.endpoint(id), log: log),
                stateMachine: InMemoryRaftStateMachine())
            logs[id] = log
            services[id] = service
            tasks.append(Task { try await service.run() })
        }
        // This test is about the order of effects, not liveness: on a loaded machine an election may
        // come at any time, so each step is retried on whoever leads then (bounded).
        func leader() async -> RaftNodeID? {
            for (id, s) in services where await s.status().role == .leader { return id }
            return nil
        }
        func proposeOnLeader(_ text: String) async throws {
            for _ in 0..<100 {
                if let l = await leader(), (try? await services[l]!.propose(Array(text.utf8))) != nil { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            Issue.record("no leader accepted \(text)")
        }
        #expect(await eventually { await leader() != nil })
        for i in 0..<20 { try await proposeOnLeader("x\(i)") }
        // Force a second election so votes are cast in a later term too.
        var transferred = false
        for _ in 0..<20 where !transferred {
            if let l = await leader(), let target = ids.first(where: { $0 != l }) {
                transferred = (try? await services[l]!.transferLeadership(to: target)) != nil
            }
            if !transferred { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(transferred, "a leadership transfer completed")
        for i in 0..<5 { try await proposeOnLeader("y\(i)") }
        for t in tasks { t.cancel() }
        for t in tasks { _ = try? await t.value }

        var checkedVotes = 0, checkedAcks = 0
        for id in ids {
            var durable = RaftHardState()
            var durableLast: UInt64 = 0
            for event in logs[id]!.all {
                switch event {
                case let .persisted(hs, last):
                    if let hs { durable = hs }
                    if let last { durableLast = last }
                case let .sent(m):
                    // Every message carries a term this node has made durable.
                    #expect(m.term <= durable.term || isPreVote(m), "\(id) sent term \(m.term) before persisting it")
                    switch m.kind {
                    case .voteResponse(preVote: false, granted: true):
                        #expect(durable.term == m.term && durable.votedFor == m.to, "\(id) granted a vote before persisting it")
                        checkedVotes += 1
                    case let .appendResponse(reject: false, index, _, _):
                        #expect(index <= durableLast, "\(id) acknowledged \(index) with only \(durableLast) durable")
                        checkedAcks += 1
                    default:
                        break
                    }
                }
            }
        }
        #expect(checkedVotes >= 2)
        #expect(checkedAcks >= 20)
    }

    private func isPreVote(_ m: RaftMessage) -> Bool {
        switch m.kind {
        case .voteRequest(preVote: true, _, _, _), .voteResponse(preVote: true, _): return true
        default: return false
        }
    }
}
