import Foundation
import OrchestratorCore

/// Wall time and waiting for discovery, injected so tests can drive time (last seen, forget-after).
public protocol DiscoveryClock: Sendable {
    /// The current wall time.
    func now() -> Timestamp
    /// Waits `seconds` (cancellable).
    func sleep(seconds: Double) async throws
}

/// The system clock.
public struct SystemDiscoveryClock: DiscoveryClock {
    public init() {}

    public func now() -> Timestamp {
        Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970))
    }

    public func sleep(seconds: Double) async throws {
        try await Task.sleep(for: .milliseconds(Int64(max(0, seconds) * 1000)))
    }
}
