import Foundation
import Testing

/// The proxy the slow-links scenario relies on does what it says: bytes arrive whole and in order, a
/// delay is a delay, a loss rate holds chunks back, and a cut closes the connection.
@Suite("faulty link (test proxy)", .serialized)
struct FaultyLinkTests {
    /// An echo server on 127.0.0.1:`port` (one thread per connection), until the listener closes.
    final class Echo: @unchecked Sendable {
        let listener: Int32
        init(port: Int) throws {
            listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var one: Int32 = 1
            setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = try FaultyLinkTests.address("127.0.0.1", port)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, listen(listener, 8) == 0 else { throw FaultyLinkTests.Failure( "echo: errno \(errno)") }
            Thread.detachNewThread { [listener] in
                while true {
                    let fd = accept(listener, nil, nil)
                    if fd < 0 { return }
                    Thread.detachNewThread {
                        var buffer = [UInt8](repeating: 0, count: 4096)
                        while true {
                            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                            if n <= 0 { break }
                            _ = buffer.withUnsafeBytes { write(fd, $0.baseAddress, n) }
                        }
                        close(fd)
                    }
                }
            }
        }
        func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }
    }

    /// A client connection to `port`; `exchange` writes bytes and reads as many back.
    struct Client {
        let fd: Int32
        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = try FaultyLinkTests.address("127.0.0.1", port)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw FaultyLinkTests.Failure( "connect: errno \(errno)") }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        /// Sends `bytes`, returns what came back (up to as many bytes; fewer when the link closed).
        func exchange(_ bytes: [UInt8]) -> [UInt8] {
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            var got: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while got.count < bytes.count {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                got += buffer[0..<n]
            }
            return got
        }
        func close() { Glibc.close(fd) }
    }

    static let port = 24_900 + Int(getpid() % 40) * 2
    static let directory = (ProcessInfo.processInfo.environment["ORCHD_TEST_DIR"] ?? NSTemporaryDirectory()) + "/faulty-link-\(getpid())"

    struct Failure: Error { let description: String; init(_ d: String) { description = d } }

    static func address(_ host: String, _ port: Int) throws -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw Failure("bad address \(host)") }
        return address
    }

    @Test func relaysInOrderDelaysHoldsAndCuts() throws {
        let echo = try Echo(port: Self.port)
        defer { echo.stop() }
        let link = try FaultyLink(listen: "127.0.0.1", port: Self.port + 1, target: "127.0.0.1", targetPort: Self.port, directory: Self.directory)
        defer { link.stop() }
        let client = try Client(port: Self.port + 1)
        defer { client.close() }

        let message = (0..<50_000).map { UInt8($0 % 251) }
        #expect(client.exchange(message) == message, "relayed whole and in order")

        link.set { $0.delayMillis = 100 }
        let started = Date()
        #expect(client.exchange([1, 2, 3]) == [1, 2, 3])
        let roundTrip = Date().timeIntervalSince(started)
        #expect(roundTrip >= 0.19 && roundTrip < 1.5, "100 ms each way: \(roundTrip) s")

        link.set { $0.delayMillis = 0; $0.lossRate = 1; $0.retransmitMillis = 150 }
        let held = link.stats.held
        let lossStarted = Date()
        #expect(client.exchange([4]) == [4])
        #expect(Date().timeIntervalSince(lossStarted) >= 0.29, "each direction held 150 ms")
        usleep(300_000)
        #expect(link.stats.held - held >= 2, "\(link.stats)")

        link.set { $0 = FaultyLink.Conditions(); $0.cut = true }
        #expect(client.exchange([5]).isEmpty, "a cut link closes the connection")
        #expect(link.stats.connections == 1, "\(link.stats)")
    }
}

extension FaultyLinkTests {
    /// Several connections at once, each a stream of small frames one way (as Raft's transport sends),
    /// every one of them answered promptly.
    @Test func manyConnectionsOfSmallFramesKeepFlowing() throws {
        let echo = try Echo(port: Self.port + 10)
        defer { echo.stop() }
        let link = try FaultyLink(listen: "127.0.0.1", port: Self.port + 11, target: "127.0.0.1", targetPort: Self.port + 10, directory: Self.directory)
        defer { link.stop() }
        let clients = try (0..<6).map { _ in try Client(port: Self.port + 11) }
        defer { for c in clients { c.close() } }
        var worst = 0.0
        for round in 0..<300 {
            for c in clients {
                let started = Date()
                let frame = (0..<(round % 7 == 0 ? 30_000 : 60)).map { UInt8(($0 + round) % 256) }
                #expect(c.exchange(frame) == frame)
                worst = max(worst, Date().timeIntervalSince(started))
            }
        }
        #expect(worst < 0.2, "slowest round trip \(worst) s")
    }
}
