#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a request got no complete response. Messages are one line and never contain credentials.
public enum HTTPError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotResolve(String, String)
    case connectFailed(String, String)
    case connectTimeout(String)
    case readTimeout(String)
    case closedEarly(String)
    case malformed(String)
    case io(String)
    /// A TLS failure with an endpoint (target, reason): a certificate that does not verify, an alert.
    /// Not retried: it will not go away by itself.
    case tls(String, String)
    /// The TLS context could not be built (CA file, client certificate or key): nothing was sent.
    case tlsSetup(String)

    public var description: String {
        switch self {
        case let .cannotResolve(host, reason): return "cannot resolve \(host): \(reason)"
        case let .connectFailed(target, reason): return "cannot connect to \(target): \(reason)"
        case let .connectTimeout(target): return "timed out connecting to \(target)"
        case let .readTimeout(target): return "timed out waiting for the response from \(target)"
        case let .closedEarly(when): return "connection closed \(when)"
        case let .malformed(reason): return "malformed HTTP response: \(reason)"
        case let .io(reason): return reason
        case let .tls(target, reason): return "TLS with \(target) failed: \(reason)"
        case let .tlsSetup(reason): return reason
        }
    }
}

/// Time limits for one request, in seconds.
public struct HTTPTimeouts: Equatable, Sendable {
    public var connect: Double
    /// For the whole response after connecting.
    public var response: Double

    public init(connect: Double, response: Double) {
        self.connect = connect
        self.response = response
    }

    /// Leader checks: one second in all, as upstream's `curl -m 1`.
    public static let leaderCheck = HTTPTimeouts(connect: 1, response: 1)
    /// API calls: recoveries and takeovers can take minutes.
    public static let apiCall = HTTPTimeouts(connect: 3, response: 600)
}

/// Sends GET requests; a seam so the command logic can be tested without sockets.
public protocol HTTPTransport: Sendable {
    func get(_ endpoint: HTTPEndpoint, path: String, headers: [(String, String)], timeouts: HTTPTimeouts)
        throws(HTTPError) -> HTTPResponse

    /// Sends one request to each endpoint and returns when one response is accepted (or all are in).
    /// The default asks one endpoint after the other.
    func race(_ requests: [(HTTPEndpoint, String)], headers: [(String, String)], timeouts: HTTPTimeouts,
              accept: (HTTPResponse) -> Bool) -> RaceOutcome

    /// The transport to use when some endpoint is `https://`; called only then. The default keeps
    /// `self` (test doubles).
    func withTLS(_ settings: TLSSettings) throws(HTTPError) -> any HTTPTransport
}

extension HTTPTransport {
    public func withTLS(_ settings: TLSSettings) throws(HTTPError) -> any HTTPTransport { self }
}

/// HTTP/1.1 GET over a TCP socket, plain or TLS (BoringSSL, see `TLSContext`), one connection per request
/// (`Connection: close`). Non-blocking sockets bounded by `poll` timeouts; no Foundation, to keep start-up
/// fast.
public struct SocketHTTPTransport: HTTPTransport {
    /// For `https://` endpoints; nil until `withTLS` (an https endpoint without it is an error).
    public let tlsContext: TLSContext?

    public init(tlsContext: TLSContext? = nil) {
        self.tlsContext = tlsContext
    }

    public func withTLS(_ settings: TLSSettings) throws(HTTPError) -> any HTTPTransport {
        SocketHTTPTransport(tlsContext: try TLSContext(settings: settings))
    }

    public func get(_ endpoint: HTTPEndpoint, path: String, headers: [(String, String)], timeouts: HTTPTimeouts)
        throws(HTTPError) -> HTTPResponse
    {
        var exchange = try PendingExchange(endpoint: endpoint, path: path, headers: headers, tls: tlsContext)
        defer { exchange.close() }
        var deadline = Monotonic.now() + timeouts.connect
        var connected = false
        while true {
            if exchange.connected && !connected {
                connected = true
                deadline = Monotonic.now() + timeouts.response
            }
            try wait(fd: exchange.fd, events: exchange.events, deadline: deadline,
                     onTimeout: connected ? .readTimeout(exchange.target) : .connectTimeout(exchange.target))
            if let response = try exchange.advance() { return response }
        }
    }

    // MARK: - Socket steps

    static func requestBytes(endpoint: HTTPEndpoint, path: String, headers: [(String, String)]) -> [UInt8] {
        let hostHeader = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
        var request = "GET \(path) HTTP/1.1\r\nHost: \(hostHeader):\(endpoint.port)\r\n"
        request += "User-Agent: orchestrator-client\r\nAccept: application/json\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        if let user = endpoint.user, !headers.contains(where: { $0.0.lowercased() == "authorization" }) {
            request += "Authorization: Basic \(base64(user + ":" + (endpoint.password ?? "")))\r\n"
        }
        request += "\r\n"
        return Array(request.utf8)
    }

    /// Waits until `fd` is ready for `events` or the deadline passes.
    func wait(fd: Int32, events: Int16, deadline: Double, onTimeout: HTTPError) throws(HTTPError) {
        while true {
            let remaining = deadline - Monotonic.now()
            if remaining <= 0 { throw onTimeout }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining * 1000, 2_000_000_000).rounded(.up)))
            if ready > 0 { return }
            if ready == 0 { throw onTimeout }
            if errno != EINTR { throw HTTPError.io("poll failed: \(Self.errorText(errno))") }
        }
    }

    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

// MARK: - Socket helpers (free functions, so methods named connect/send do not shadow the C calls)

/// A resolved address to connect to.
struct SocketAddress {
    var family: Int32
    var type: Int32
    var proto: Int32
    var storage: sockaddr_storage
    var length: socklen_t

    /// The addresses of `host` in getaddrinfo's order.
    static func resolve(host: String, port: Int) throws(HTTPError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw HTTPError.cannotResolve(host, String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            var storage = sockaddr_storage()
            let length = min(Int(info.pointee.ai_addrlen), MemoryLayout<sockaddr_storage>.size)
            withUnsafeMutableBytes(of: &storage) { target in
                target.copyMemory(from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: length))
            }
            addresses.append(SocketAddress(family: info.pointee.ai_family, type: info.pointee.ai_socktype,
                                           proto: info.pointee.ai_protocol, storage: storage,
                                           length: socklen_t(length)))
        }
        return addresses
    }

    /// A non-blocking socket with a connect started (or done); wait for POLLOUT, then check
    /// `pendingError`.
    func startConnect(target: String) throws(HTTPError) -> Int32 {
        #if os(Linux)
        // Close-on-exec from the start: a child spawned by another thread between socket() and fcntl()
        // would otherwise keep the connection open after we close it.
        let fd = socket(family, type | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), proto)
        guard fd >= 0 else { throw HTTPError.connectFailed(target, SocketHTTPTransport.errorText(errno)) }
        #else
        let fd = socket(family, type, proto)
        guard fd >= 0 else { throw HTTPError.connectFailed(target, SocketHTTPTransport.errorText(errno)) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        #endif
        // No Nagle: over TLS the handshake's last flight and the request are separate small writes, and
        // the second would wait for the server's delayed ACK (40 ms a command, measured).
        if family == Int32(AF_INET) || family == Int32(AF_INET6) {
            var on: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = storage
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connectSocket(fd, $0, length) }
        }
        if result != 0 && errno != EINPROGRESS {
            let reason = SocketHTTPTransport.errorText(errno)
            closeSocket(fd)
            throw HTTPError.connectFailed(target, reason)
        }
        return fd
    }

    /// The result of a non-blocking connect (0 when connected).
    static func pendingError(_ fd: Int32) -> Int32 {
        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
        return socketError
    }
}

func connectSocket(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

func sendBytes(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Darwin)
    return send(fd, bytes, count, 0)
    #else
    return send(fd, bytes, count, Int32(MSG_NOSIGNAL))
    #endif
}

func closeSocket(_ fd: Int32) {
    _ = close(fd)
}

/// Seconds on the monotonic clock.
enum Monotonic {
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
