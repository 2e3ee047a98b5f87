#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The outcome of asking several endpoints the same question at once.
public struct RaceOutcome: Sendable {
    /// The index of the first endpoint whose response was accepted, and that response.
    public var winner: (index: Int, response: HTTPResponse)?
    /// Responses that arrived but were not accepted (e.g. leader-check 404), by endpoint index.
    public var rejected: [Int: HTTPResponse] = [:]
    /// Endpoints that gave no response, by index.
    public var failures: [Int: HTTPError] = [:]

    public init() {}
}

extension HTTPTransport {
    /// Asks each endpoint in turn and stops at the first accepted response. Transports that can,
    /// ask all at once instead.
    public func race(_ requests: [(HTTPEndpoint, String)], headers: [(String, String)], timeouts: HTTPTimeouts,
                     accept: (HTTPResponse) -> Bool) -> RaceOutcome {
        var outcome = RaceOutcome()
        for (index, (endpoint, path)) in requests.enumerated() {
            do {
                let response = try get(endpoint, path: path, headers: headers, timeouts: timeouts)
                if accept(response) {
                    outcome.winner = (index, response)
                    return outcome
                }
                outcome.rejected[index] = response
            } catch {
                outcome.failures[index] = error
            }
        }
        return outcome
    }
}

extension SocketHTTPTransport {
    /// Sends every request at once (non-blocking sockets multiplexed with `poll`) and returns as soon
    /// as one response is accepted, so a node that accepts connections but never answers (stopped,
    /// overloaded) costs nothing when another node is the leader.
    public func race(_ requests: [(HTTPEndpoint, String)], headers: [(String, String)], timeouts: HTTPTimeouts,
                     accept: (HTTPResponse) -> Bool) -> RaceOutcome {
        var outcome = RaceOutcome()
        let deadline = Monotonic.now() + max(timeouts.connect, timeouts.response)
        var pending: [Int: PendingExchange] = [:]
        for (index, (endpoint, path)) in requests.enumerated() {
            do {
                pending[index] = try PendingExchange(endpoint: endpoint, path: path, headers: headers, tls: tlsContext)
            } catch {
                outcome.failures[index] = error
            }
        }
        defer { for exchange in pending.values { exchange.close() } }
        while !pending.isEmpty {
            let remaining = deadline - Monotonic.now()
            if remaining <= 0 { break }
            let order = pending.keys.sorted()
            var descriptors = order.map { pollfd(fd: pending[$0]!.fd, events: pending[$0]!.events, revents: 0) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), Int32((remaining * 1000).rounded(.up)))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { break }
            for (position, index) in order.enumerated() where descriptors[position].revents != 0 {
                var exchange = pending[index]!
                do {
                    if let response = try exchange.advance() {
                        exchange.close()
                        pending[index] = nil
                        if accept(response) {
                            outcome.winner = (index, response)
                            return outcome
                        }
                        outcome.rejected[index] = response
                    } else {
                        pending[index] = exchange
                    }
                } catch {
                    exchange.close()
                    pending[index] = nil
                    outcome.failures[index] = error
                }
            }
        }
        for (index, exchange) in pending {
            outcome.failures[index] = exchange.connected ? .readTimeout(exchange.target) : .connectTimeout(exchange.target)
        }
        return outcome
    }
}

/// One request in flight on a non-blocking socket: connecting (address after address), then the TLS
/// handshake for `https://`, then sending, then reading.
struct PendingExchange {
    let target: String
    private(set) var fd: Int32 = -1
    private(set) var connected = false
    private var addresses: ArraySlice<SocketAddress>
    private var request: ArraySlice<UInt8>
    private var parser = HTTPResponseParser()
    private let host: String
    private let tlsContext: TLSContext?
    private var tls: TLSSession?
    private var handshaken = false
    /// What the TLS layer last asked to wait for (it may need to read while sending, or write while
    /// reading).
    private var tlsWants: Int16?

    var events: Int16 {
        if let tlsWants { return tlsWants }
        return Int16(connected && request.isEmpty ? POLLIN : POLLOUT)
    }

    init(endpoint: HTTPEndpoint, path: String, headers: [(String, String)], tls: TLSContext?) throws(HTTPError) {
        target = "\(endpoint.host):\(endpoint.port)"
        host = endpoint.host
        if endpoint.tls {
            guard let tls else { throw HTTPError.tlsSetup("\(endpoint) is https but TLS is not set up") }
            tlsContext = tls
        } else {
            tlsContext = nil
        }
        addresses = try SocketAddress.resolve(host: endpoint.host, port: endpoint.port)[...]
        request = SocketHTTPTransport.requestBytes(endpoint: endpoint, path: path, headers: headers)[...]
        try connectNext(after: .connectFailed(target, "no usable address"))
    }

    /// Starts connecting to the next address; throws `error` when none is left.
    private mutating func connectNext(after error: HTTPError) throws(HTTPError) {
        var lastError = error
        while let address = addresses.popFirst() {
            do {
                fd = try address.startConnect(target: target)
                return
            } catch {
                lastError = error
            }
        }
        fd = -1
        throw lastError
    }

    func close() {
        tls?.free()
        if fd >= 0 { closeSocket(fd) }
    }

    /// Makes progress after `poll` reported the socket ready; returns the response once complete.
    mutating func advance() throws(HTTPError) -> HTTPResponse? {
        if !connected {
            let socketError = SocketAddress.pendingError(fd)
            if socketError != 0 {
                closeSocket(fd)
                try connectNext(after: .connectFailed(target, SocketHTTPTransport.errorText(socketError)))
                return nil
            }
            connected = true
            if let tlsContext { tls = try TLSSession(context: tlsContext, fd: fd, host: host, target: target) }
        }
        if let tls { return try advanceTLS(tls) }
        if !request.isEmpty {
            let sent = request.withUnsafeBytes { sendBytes(fd, $0.baseAddress, $0.count) }
            if sent > 0 {
                request = request.dropFirst(sent)
            } else if errno != EAGAIN && errno != EINTR {
                throw HTTPError.io("sending to \(target): \(SocketHTTPTransport.errorText(errno))")
            }
            return nil
        }
        var chunk = [UInt8](repeating: 0, count: 16384)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            try parser.feed(chunk[0..<count])
        } else if count == 0 {
            try parser.finish()
        } else if errno != EAGAIN && errno != EINTR {
            throw HTTPError.io("reading from \(target): \(SocketHTTPTransport.errorText(errno))")
        }
        return parser.response
    }

    /// The same steps through the TLS session: handshake, write, read until the response is whole.
    private mutating func advanceTLS(_ tls: TLSSession) throws(HTTPError) -> HTTPResponse? {
        tlsWants = nil
        if !handshaken {
            switch try tls.handshake() {
            case .done: handshaken = true
            case let .wait(events): tlsWants = events; return nil
            case .closed: throw HTTPError.tls(target, "the server closed the connection during the TLS handshake")
            }
        }
        while !request.isEmpty {
            switch try tls.write(request) {
            case let .done(count): request = request.dropFirst(count)
            case let .wait(events): tlsWants = events; return nil
            case .closed: throw HTTPError.closedEarly("by \(target) before the request was sent")
            }
        }
        var chunk = [UInt8](repeating: 0, count: 16384)
        // BoringSSL may hold decrypted bytes the socket no longer signals: read until it asks to wait.
        while parser.response == nil {
            switch try tls.read(into: &chunk) {
            case let .done(count): try parser.feed(chunk[0..<count])
            case let .wait(events): tlsWants = events; return nil
            case .closed: try parser.finish()
            }
        }
        return parser.response
    }
}
