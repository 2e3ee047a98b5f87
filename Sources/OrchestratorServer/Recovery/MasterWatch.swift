import Foundation
import OrchestratorCore

/// Notices a master's crash within a round trip instead of a poll interval: the leader keeps one
/// connection per cluster master running a short `DO SLEEP` in a loop. A crashed (or killed) server's
/// socket closes at once, so the blocked query fails immediately and `onLost` runs; the analysis that
/// follows stays holistic (it still needs the replicas to agree). Connect failures do not call
/// `onLost` — a server that is already down is the poller's business.
actor MasterWatch {
    private let config: MySQLClientConfig
    private let onLost: @Sendable (InstanceKey) async -> Void
    private var watching: [InstanceKey: Task<Void, Never>] = [:]

    init(config: MySQLClientConfig, onLost: @escaping @Sendable (InstanceKey) async -> Void) {
        self.config = config
        self.onLost = onLost
    }

    /// Watches exactly `masters` (starts new watches, cancels the others).
    func watch(_ masters: Set<InstanceKey>) {
        for (key, task) in watching where !masters.contains(key) {
            task.cancel()
            watching[key] = nil
        }
        for key in masters where watching[key] == nil {
            let config = self.config, onLost = self.onLost
            watching[key] = Task.detached { await Self.run(key, config: config, onLost: onLost) }
        }
    }

    func stopAll() { watch([]) }

    private static func run(_ key: InstanceKey, config: MySQLClientConfig,
                            onLost: @Sendable (InstanceKey) async -> Void) async {
        let endpoint = MySQLEndpoint(host: key.hostname, port: key.port)
        // Shorter than the read timeout, so a healthy server never trips it.
        let pause = max(0.2, min(1.0, Double(config.readTimeoutSeconds) / 2))
        while !Task.isCancelled {
            guard let connection = try? await MySQLConnection.connect(to: endpoint, config: config) else {
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            do {
                while !Task.isCancelled { _ = try await connection.exec("DO SLEEP(\(pause))") }
                await connection.close()
                return
            } catch {
                await connection.close()
                if !Task.isCancelled { await onLost(key) }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}
