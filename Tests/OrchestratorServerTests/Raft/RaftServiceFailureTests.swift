import OrchestratorCore
import Synchronization
import Testing
@testable import OrchestratorServer
import OrchestratorServerTestKit

/// A Raft log on a disk that can fill up: writes throw once `failing` is set.
private final class FillingStorage: RaftStorage {
    struct DiskFull: Error, Equatable {}
    let inner = InMemoryRaftStorage()
    let failing = Atomic(false)

    private func check() throws { if failing.load(ordering: .relaxed) { throw DiskFull() } }
    func load() throws -> RaftStoredState { try inner.load() }
    func persist(hardState: RaftHardState?, entries: [RaftEntry]) throws {
        try check()
        try inner.persist(hardState: hardState, entries: entries)
    }
    func saveSnapshot(_ snapshot: RaftSnapshot) throws {
        try check()
        try inner.saveSnapshot(snapshot)
    }
    func installSnapshot(_ snapshot: RaftSnapshot) throws {
        try check()
        try inner.installSnapshot(snapshot)
    }
    func loadSnapshot() throws -> RaftSnapshot? { try inner.loadSnapshot() }
    func compact(through index: UInt64) throws {
        try check()
        try inner.compact(through: index)
    }
}

/// The service runs in callbacks on its event loop (ticks are timers, frames are queued jobs): how it
/// ends is tested here, since no task of its own carries the error out any more.
@Suite struct RaftServiceFailureTests {
    private func single(_ storage: some RaftStorage) throws -> RaftService {
        var settings = RaftService.Settings(id: "n1", voters: ["n1"])
        settings.tickInterval = .milliseconds(10)
        settings.core = RaftConfiguration(electionTicks: 10, heartbeatTicks: 2)
        settings.requestTimeout = .seconds(5)
        return try RaftService(settings: settings, storage: storage, transport: InMemoryRaftNetwork().endpoint("n1"),
                               stateMachine: InMemoryRaftStateMachine())
    }

    @Test func aFailedLogWriteEndsRunWithTheError() async throws {
        let storage = FillingStorage()
        let service = try single(storage)
        let run = Task { try await service.run() }
        #expect(await eventually { await service.status().role == .leader })
        try await service.propose(Array("before".utf8))
        storage.failing.store(true, ordering: .relaxed)
        // The proposal's write fails: its caller hears the service stop, and run() ends with the error.
        await #expect(throws: (any Error).self) { try await service.propose(Array("after".utf8)) }
        await #expect(throws: FillingStorage.DiskFull.self) { try await run.value }
        await #expect(throws: RaftServiceError.shuttingDown) { try await service.propose([1]) }
    }

    @Test func cancellingRunEndsItWithoutAnError() async throws {
        let service = try single(InMemoryRaftStorage())
        let run = Task { try await service.run() }
        #expect(await eventually { await service.status().role == .leader })
        run.cancel()
        try await run.value  // a cancelled service ends without an error
        await #expect(throws: RaftServiceError.shuttingDown) { try await service.propose([1]) }
    }
}
