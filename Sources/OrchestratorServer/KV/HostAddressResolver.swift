#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import OrchestratorCore
import Synchronization

/// Resolves master host names for the `/ipv4` and `/ipv6` sub-keys, with a bound on each lookup (a
/// slow DNS must not hold a recovery's publication) and a cache (the publisher asks every second).
/// A failed or timed-out lookup yields no address: the sub-keys are written empty, never stale.
public actor HostAddressResolver {
    /// Longest wait for one lookup (a timed-out lookup reuses the host's previous answer, if any).
    let timeout: Duration
    /// How long an answer is reused.
    let ttl: Duration
    private var cache: [String: (addresses: [String], at: ContinuousClock.Instant)] = [:]
    private let lookup: @Sendable (String) -> [String]

    public init(timeout: Duration = .seconds(1), ttl: Duration = .seconds(30),
                lookup: @escaping @Sendable (String) -> [String] = HostAddressResolver.getaddrinfoAddresses) {
        self.timeout = timeout
        self.ttl = ttl
        self.lookup = lookup
    }

    /// The addresses of every name among `hosts` (IP literals are left out: they are published as themselves).
    public func resolve(_ hosts: some Sequence<String>) async -> [String: [String]] {
        var result: [String: [String]] = [:]
        for host in Set(hosts) where ClusterMasterKV.needsResolution(host) {
            result[host] = await resolve(host)
        }
        return result
    }

    /// The addresses of `host`, cached for `ttl`; [] when it does not resolve within `timeout`.
    public func resolve(_ host: String) async -> [String] {
        guard ClusterMasterKV.needsResolution(host) else { return [] }
        if let hit = cache[host], ContinuousClock.now - hit.at < ttl { return hit.addresses }
        let lookup = self.lookup
        let answer = await Self.bounded(timeout) { lookup(host) }
        if let answer { cache[host] = (answer, .now) }
        return answer ?? cache[host]?.addresses ?? []
    }

    /// Runs the blocking `work` on its own thread; nil when it has not returned within `timeout` (it is
    /// left to finish; its result is dropped).
    static func bounded(_ timeout: Duration, _ work: @escaping @Sendable () -> [String]) async -> [String]? {
        let resumed = Mutex(false)
        return await withCheckedContinuation { (continuation: CheckedContinuation<[String]?, Never>) in
            let finish: @Sendable ([String]?) -> Void = { value in
                let first = resumed.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: value) }
            }
            Thread.detachNewThread { finish(work()) }
            // A Dispatch timer, not a task: the timeout must fire even when the cooperative pool is busy.
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { finish(nil) }
        }
    }

    /// getaddrinfo's addresses of `host` (TCP), as text, in its order; [] when it does not resolve.
    public static let getaddrinfoAddresses: @Sendable (String) -> [String] = { host in
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count),
                              nil, 0, NI_NUMERICHOST) == 0 else { continue }
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !addresses.contains(text) { addresses.append(text) }
        }
        return addresses
    }
}
