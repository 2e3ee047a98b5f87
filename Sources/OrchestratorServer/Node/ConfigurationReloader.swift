import Foundation
import Logging
import ServiceLifecycle

/// `reload-configuration` and SIGHUP: re-reads the file orchd started from, applies the keys that
/// change at run time (``ConfigurationReload/runtimeKeys``) to the node and the recovery service, and
/// says which changed keys need a restart. A file that no longer loads changes nothing.
public actor ConfigurationReloader: Service {
    let path: String?
    let node: OrchestratorNode
    let recovery: RecoveryService?
    let logger: Logger
    let read: @Sendable (String?, Logger) throws -> OrchestratorConfiguration
    private var running: OrchestratorConfiguration

    public init(path: String?, running: OrchestratorConfiguration, node: OrchestratorNode, recovery: RecoveryService?,
                logger: Logger = Logger(label: "orchd.config"),
                read: @escaping @Sendable (String?, Logger) throws -> OrchestratorConfiguration = {
                    try ConfigurationFile.load(explicitPath: $0, logger: $1)
                }) {
        self.path = path
        self.running = running
        self.node = node
        self.recovery = recovery
        self.logger = logger
        self.read = read
    }

    /// Re-reads and applies; throws (changing nothing) when the file cannot be read or is invalid.
    public func reload() throws -> ConfigurationReload {
        let reread: OrchestratorConfiguration
        do {
            reread = try read(path, logger)
        } catch {
            logger.error("reload-configuration: \(error); the running configuration stays")
            throw error
        }
        let result = ConfigurationReload(running: running, reread: reread)
        running = ConfigurationReload.effective(running: running, reread: reread)
        node.apply(reloaded: running)
        recovery?.apply(reloaded: running)
        if result.needRestart.isEmpty {
            logger.notice("\(result.summary)")
        } else {
            logger.warning("\(result.summary)")
        }
        return result
    }

    /// Reloads on every SIGHUP until shutdown.
    public func run() async throws {
        let (signals, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        signal(SIGHUP, SIG_IGN)  // the dispatch source receives it instead of the default (terminate)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP)
        source.setEventHandler { continuation.yield() }
        source.resume()
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                _ = try? await self.reload()
            }
        }
        source.cancel()
        continuation.finish()
    }
}
