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

    public var description: String {
        switch self {
        case let .cannotResolve(host, reason): return "cannot resolve \(host): \(reason)"
        case let .connectFailed(target, reason): return "cannot connect to \(target): \(reason)"
        case let .connectTimeout(target): return "timed out connecting to \(target)"
        case let .readTimeout(target): return "timed out waiting for the response from \(target)"
        case let .closedEarly(when): return "connection closed \(when)"
        case let .malformed(reason): return "malformed HTTP response: \(reason)"
        case let .io(reason): return reason
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
}

/// HTTP/1.1 GET over a plain TCP socket, one connection per request (`Connection: close`).
/// Blocking calls bounded by `poll` timeouts; no Foundation, to keep start-up fast.
public struct SocketHTTPTransport: HTTPTransport {
    public init() {}

    public func get(_ endpoint: HTTPEndpoint, path: String, headers: [(String, String)], timeouts: HTTPTimeouts)
        throws(HTTPError) -> HTTPResponse
    {
        let target = "\(endpoint.host):\(endpoint.port)"
        let fd = try connect(host: endpoint.host, port: endpoint.port, timeout: timeouts.connect, target: target)
        defer { closeSocket(fd) }

        let deadline = Monotonic.now() + timeouts.response
        try send(Self.requestBytes(endpoint: endpoint, path: path, headers: headers), fd: fd, deadline: deadline,
                 target: target)

        var parser = HTTPResponseParser()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while parser.response == nil {
            try wait(fd: fd, events: Int16(POLLIN), deadline: deadline, onTimeout: .readTimeout(target))
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                try parser.feed(chunk[0..<count])
            } else if count == 0 {
                try parser.finish()
            } else if errno != EINTR && errno != EAGAIN {
                throw HTTPError.io("reading from \(target): \(Self.errorText(errno))")
            }
        }
        return parser.response!
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

    /// Connects, trying each resolved address in turn, within `timeout`.
    func connect(host: String, port: Int, timeout: Double, target: String) throws(HTTPError) -> Int32 {
        let deadline = Monotonic.now() + timeout
        var lastError = HTTPError.connectFailed(target, "no usable address")
        for address in try SocketAddress.resolve(host: host, port: port) {
            let fd: Int32
            do {
                fd = try address.startConnect(target: target)
            } catch {
                lastError = error
                continue
            }
            do {
                try wait(fd: fd, events: Int16(POLLOUT), deadline: deadline, onTimeout: .connectTimeout(target))
                let socketError = SocketAddress.pendingError(fd)
                if socketError == 0 { return fd }
                lastError = .connectFailed(target, Self.errorText(socketError))
                closeSocket(fd)
            } catch {
                closeSocket(fd)
                throw error
            }
        }
        throw lastError
    }

    func send(_ bytes: [UInt8], fd: Int32, deadline: Double, target: String) throws(HTTPError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { buffer in
                sendBytes(fd, buffer.baseAddress, buffer.count)
            }
            if sent > 0 {
                offset += sent
            } else if errno == EAGAIN || errno == EINTR {
                try wait(fd: fd, events: Int16(POLLOUT), deadline: deadline, onTimeout: .readTimeout(target))
            } else {
                throw HTTPError.io("sending to \(target): \(Self.errorText(errno))")
            }
        }
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
