import Foundation
@testable import OrchestratorClient
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 (ephemeral port) over plain sockets, answering from a handler.
/// It records every request so tests can check paths and headers. One connection at a time.
final class FakeOrchestrator: @unchecked Sendable {
    struct Request: Sendable {
        var path: String
        var headers: [String: String]
    }

    enum Reply: Sendable {
        /// A JSON body with Content-Length.
        case json(Int, String)
        /// A JSON body sent with chunked transfer encoding, in these pieces.
        case chunked(Int, [String])
        /// Bytes written as they are, then the connection is closed.
        case raw(String)
        /// Accept the request, answer nothing for this many seconds, then close.
        case hang(Double)
    }

    let port: Int
    private let listener: Int32
    private let handler: @Sendable (Request) -> Reply
    private let lock = NSLock()
    private var recorded: [Request] = []
    private let finished = DispatchSemaphore(value: 0)

    var url: String { "http://127.0.0.1:\(port)" }

    var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    var paths: [String] { requests.map(\.path) }

    init(_ handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Stops accepting and waits for the serving thread to end.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        finished.wait()
    }

    private func serve() {
        defer { finished.signal() }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            // A client that connects and never sends must not wedge this one-connection-at-a-time server.
            var limit = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ connection: Int32) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !buffer.containsHeaderEnd {
            let count = recv(connection, &chunk, chunk.count, 0)
            if count <= 0 { return }
            buffer.append(contentsOf: chunk[0..<count])
        }
        let text = String(decoding: buffer, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count >= 2 else { return }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() where line.contains(":") {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        let request = Request(path: String(requestLine[1]), headers: headers)
        lock.lock()
        recorded.append(request)
        lock.unlock()

        switch handler(request) {
        case let .json(status, body):
            let bytes = Array(body.utf8)
            write(connection, "HTTP/1.1 \(status) X\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: \(bytes.count)\r\n\r\n\(body)")
        case let .chunked(status, pieces):
            var out = "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            write(connection, out)
            for piece in pieces {
                out = String(Array(piece.utf8).count, radix: 16) + "\r\n" + piece + "\r\n"
                write(connection, out)
                usleep(2_000)  // separate TCP segments, so the client sees the body arrive in parts
            }
            write(connection, "0\r\n\r\n")
        case let .raw(text):
            write(connection, text)
        case let .hang(seconds):
            usleep(UInt32(seconds * 1_000_000))
        }
    }

    private func write(_ connection: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// A loopback port with nothing listening (bound, then released), for "endpoint down".
    static func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

private extension [UInt8] {
    var containsHeaderEnd: Bool {
        count >= 4 && (0...(count - 4)).contains { self[$0] == 13 && self[$0 + 1] == 10 && self[$0 + 2] == 13 && self[$0 + 3] == 10 }
    }
}

/// The real socket transport with API calls limited to 20 s, so a lost response fails a test in
/// seconds rather than after the production limit of 600 s.
struct BoundedSocketTransport: HTTPTransport {
    var base = SocketHTTPTransport()

    func withTLS(_ settings: TLSSettings) throws(HTTPError) -> any HTTPTransport {
        BoundedSocketTransport(base: SocketHTTPTransport(tlsContext: try TLSContext(settings: settings)))
    }

    func get(_ endpoint: HTTPEndpoint, path: String, headers: [(String, String)], timeouts: HTTPTimeouts)
        throws(HTTPError) -> HTTPResponse
    {
        try base.get(endpoint, path: path, headers: headers,
                     timeouts: HTTPTimeouts(connect: timeouts.connect, response: min(timeouts.response, 20)))
    }

    func race(_ requests: [(HTTPEndpoint, String)], headers: [(String, String)], timeouts: HTTPTimeouts,
              accept: (HTTPResponse) -> Bool) -> RaceOutcome {
        base.race(requests, headers: headers, timeouts: timeouts, accept: accept)
    }
}

/// Records the client's sleeps instead of sleeping.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []

    var sleeps: [Double] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }

    var function: @Sendable (Double) -> Void {
        { [self] seconds in
            lock.lock()
            values.append(seconds)
            lock.unlock()
        }
    }
}

/// NSLock with a closure helper, named so test files need not import Foundation.
final class NSLockLike: @unchecked Sendable {
    private let lock = NSLock()
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
