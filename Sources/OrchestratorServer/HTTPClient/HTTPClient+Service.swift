import ServiceLifecycle

extension HTTPClient: Service {
    /// Waits for the graceful shutdown, then closes idle connections. Listed first in the daemon's
    /// ServiceGroup, so it stops last: the services that talk to peers are done with it by then.
    public func run() async throws {
        // gracefulShutdown() throws only CancellationError; the client is shut down either way.
        try? await gracefulShutdown()
        await shutDown()
    }
}
