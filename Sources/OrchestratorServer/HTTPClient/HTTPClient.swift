import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// orchd's HTTP/1.1 client for talking to other nodes (leader forwarding, second opinions, API address
/// announcements): async on SwiftNIO, no thread per call, keep-alive connections pooled per origin,
/// `https://` over TLS with certificate and host name verification.
///
/// Built on NIO directly rather than AsyncHTTPClient: measured on these machines, AsyncHTTPClient adds
/// about 5 minutes to a cold build (HTTP/2, swift-crypto, ...), for features orchd does not need.
///
/// One instance per node: the daemon creates it, passes it to the services that talk to peers, and runs
/// it as a `Service` so it is shut down (idle connections closed) after them.
public final class HTTPClient: Sendable {
    /// Timeouts, pool bounds and TLS settings.
    public struct Configuration: Sendable {
        /// Longest wait for a TCP connection (the request timeout still bounds it).
        public var connectTimeout: Duration
        /// Kept-alive connections kept idle per origin (scheme, host, port).
        public var maxIdleConnectionsPerHost: Int
        /// An idle connection older than this is closed rather than reused.
        public var idleTimeout: Duration
        /// Larger response bodies fail the request (`badResponse`).
        public var maxResponseBytes: Int
        /// Whom `https://` peers must prove to be, and what this node presents.
        public var tls: HTTPClientTLS

        public init(connectTimeout: Duration = .seconds(2), maxIdleConnectionsPerHost: Int = 4,
                    idleTimeout: Duration = .seconds(30), maxResponseBytes: Int = 64 << 20,
                    tls: HTTPClientTLS = HTTPClientTLS()) {
            self.connectTimeout = connectTimeout
            self.maxIdleConnectionsPerHost = maxIdleConnectionsPerHost
            self.idleTimeout = idleTimeout
            self.maxResponseBytes = maxResponseBytes
            self.tls = tls
        }
    }

    public let configuration: Configuration
    let group: any EventLoopGroup
    let pool: HTTPConnectionPool
    private let tlsContext: NIOSSLContext

    /// Fails when a TLS file in `configuration.tls` cannot be read (the error names it).
    public init(configuration: Configuration = Configuration(),
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws(HTTPClientTLSError) {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.pool = HTTPConnectionPool(maxIdlePerOrigin: configuration.maxIdleConnectionsPerHost,
                                       idleTimeout: TimeAmount(configuration.idleTimeout))
        self.tlsContext = try configuration.tls.makeContext()
    }

    /// A process-wide client with default settings, for code that was given none (tests, tools). It is
    /// never shut down; orchd itself uses the instance its daemon owns.
    public static let shared: HTTPClient = {
        do {
            return try HTTPClient()
        } catch {
            // The default settings read no file; only a broken TLS library fails here.
            fatalError("cannot create the default HTTP client: \(error)")
        }
    }()

    /// Sends `request` to `address` and returns the complete response (any status). `timeout` bounds
    /// everything: waiting for a connection, the TLS handshake, sending and receiving.
    ///
    /// - Throws: `HTTPClientError` naming the address (refused, timed out, TLS failure, ...), or
    ///   `CancellationError` when the calling task is cancelled.
    public func execute(_ request: Request, to address: HTTPAddress, timeout: Duration) async throws -> Response {
        let origin = address.origin
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        if let pooled = try await pool.take(origin) {
            do {
                return try await exchange(request, on: pooled, deadline: deadline, timeout: timeout)
            } catch HTTPConnectionFailure.closed(receivedAny: false, _) where request.isIdempotent {
                // The peer closed the kept-alive connection before reading this request: send it
                // once more on a fresh connection, as HTTP/1.1 clients do for idempotent requests.
            } catch {
                throw describe(error, origin: origin, timeout: timeout, connecting: false)
            }
        }
        let connection: HTTPConnection
        do {
            connection = try await connect(origin, deadline: deadline)
        } catch {
            throw describe(error, origin: origin, timeout: timeout, connecting: true)
        }
        do {
            return try await exchange(request, on: connection, deadline: deadline, timeout: timeout)
        } catch {
            throw describe(error, origin: origin, timeout: timeout, connecting: false)
        }
    }

    /// Closes idle connections and refuses further requests.
    public func shutDown() async {
        await pool.shutDown()
    }

    // MARK: - Connections

    private func exchange(_ request: Request, on connection: HTTPConnection, deadline: NIODeadline,
                          timeout: Duration) async throws -> Response {
        do {
            let (response, reusable) = try await connection.execute(request, deadline: deadline)
            if reusable { await pool.park(connection) } else { connection.close() }
            return response
        } catch {
            connection.close()
            throw error
        }
    }

    private func connect(_ origin: HTTPAddress, deadline: NIODeadline) async throws -> HTTPConnection {
        let remaining = deadline - .now()
        let connectTimeout = min(TimeAmount(configuration.connectTimeout), remaining)
        guard connectTimeout > .zero else { throw HTTPConnectionFailure.timedOut }
        let tls = origin.scheme == .https ? tlsContext : nil
        // SNI and host name verification take a name; for an IP address NIOSSL checks the certificate
        // against the connected address instead.
        let serverHostname = Self.isIPAddress(origin.host) ? nil : origin.host
        let maxBodyBytes = configuration.maxResponseBytes
        // Happy eyeballs may initialize several channels; each gets its own ready future, and the one
        // that connected is looked up afterwards.
        let readyFutures = NIOLockedValueBox<[ObjectIdentifier: EventLoopFuture<Void>]>([:])
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let ready = channel.eventLoop.makePromise(of: Void.self)
                    readyFutures.withLockedValue { $0[ObjectIdentifier(channel)] = ready.futureResult }
                    let sync = channel.pipeline.syncOperations
                    do {
                        if let tls {
                            try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                        }
                        try sync.addHTTPClientHandlers()
                        try sync.addHandler(HTTPResponseCollector(ready: ready, waitsForTLS: tls != nil, maxBodyBytes: maxBodyBytes))
                    } catch {
                        ready.fail(error)
                        throw error
                    }
                }
            }
        let channel = try await bootstrap.connect(host: origin.host, port: origin.port).get()
        guard let ready = readyFutures.withLockedValue({ $0[ObjectIdentifier(channel)] }) else {
            channel.close(promise: nil)
            throw HTTPConnectionFailure.closed(receivedAny: false, cause: nil)
        }
        let connection = HTTPConnection(channel: channel, origin: origin, ready: ready)
        do {
            try await connection.waitUntilReady(deadline: deadline)
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    static func isIPAddress(_ host: String) -> Bool {
        // Only parsing is asked here: a failure just means "a name".
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
