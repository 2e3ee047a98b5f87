import Foundation
import Testing
@testable import OrchestratorServer

@Suite struct HostAddressResolverTests {
    @Test func aSlowLookupIsCutShortAndLiteralsAreNotLookedUp() async {
        let calls = Counter()
        let resolver = HostAddressResolver(timeout: .milliseconds(100)) { host in
            calls.increment()
            // Far longer than any scheduling delay on a loaded machine: a call that waited for it is not cut short.
            if host == "slow.example" { usleep(30_000_000) }
            return ["10.0.0.9"]
        }
        let start = ContinuousClock.now
        #expect(await resolver.resolve("slow.example") == [], "a lookup past the timeout yields no address")
        #expect(ContinuousClock.now - start < .seconds(15), "cut short, not waited for (30 s)")
        #expect(await resolver.resolve("127.0.0.1") == [] && calls.value == 1, "a literal is never looked up")
        #expect(await resolver.resolve(["db1", "db1", "::1"]) == ["db1": ["10.0.0.9"]])
        #expect(await resolver.resolve("db1") == ["10.0.0.9"])
        #expect(calls.value == 2, "db1 looked up once, then cached")
    }

    @Test func getaddrinfoResolvesLocalhost() {
        let addresses = HostAddressResolver.getaddrinfoAddresses("localhost")
        #expect(addresses.contains("127.0.0.1") || addresses.contains("::1"), "\(addresses)")
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}
