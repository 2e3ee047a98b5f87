/// Round trips between a leader and each follower, measured from heartbeats and their responses, and
/// whether they leave Raft's timing room to work.
///
/// A leader's heartbeats to one follower travel in order over one connection and the follower answers
/// each in order, so the oldest heartbeat still unanswered is the one a response answers. A heartbeat
/// whose response was lost (a connection dropped) would pair later responses with older sends; entries
/// older than `maxAgeSeconds` are forgotten, and only the median of the recent samples is reported, so a
/// few such pairings do not move it.
///
/// Why it matters: a follower that hears nothing for an election timeout campaigns, and a leader that
/// hears from no quorum within one steps down. When a round trip (plus a retransmission now and then)
/// is a sizeable part of the shortest election timeout, leaders come and go and recoveries cannot
/// finish. orchd's default timing is for one LAN; across data centres `RaftTickMilliseconds` must grow.
public struct RaftRoundTrips: Sendable, Equatable {
    /// Round trips kept per follower (the median is over these).
    public var window = 32
    /// Unanswered heartbeats older than this are forgotten.
    public var maxAgeSeconds = 5.0
    /// A median needs at least this many samples.
    public var minimumSamples = 5

    private var outstanding: [RaftNodeID: [Double]] = [:]
    private var samples: [RaftNodeID: [Double]] = [:]

    public init() {}

    /// A heartbeat left for `peer` at `time` (seconds on any monotonic clock).
    public mutating func sent(to peer: RaftNodeID, at time: Double) {
        var queue = outstanding[peer, default: []]
        queue.removeAll { time - $0 > maxAgeSeconds }
        queue.append(time)
        if queue.count > 256 { queue.removeFirst(queue.count - 256) }
        outstanding[peer] = queue
    }

    /// `peer` answered a heartbeat at `time`.
    public mutating func answered(by peer: RaftNodeID, at time: Double) {
        guard var queue = outstanding[peer] else { return }
        queue.removeAll { time - $0 > maxAgeSeconds }
        guard !queue.isEmpty else {
            outstanding[peer] = queue
            return
        }
        let sentAt = queue.removeFirst()
        outstanding[peer] = queue
        var recent = samples[peer, default: []]
        recent.append(max(0, time - sentAt))
        if recent.count > window { recent.removeFirst(recent.count - window) }
        samples[peer] = recent
    }

    /// Forgets everything (this node stopped leading, or leads anew).
    public mutating func reset() {
        outstanding = [:]
        samples = [:]
    }

    /// The median round trip to `peer` in seconds (nil until `minimumSamples` were measured).
    public func median(_ peer: RaftNodeID) -> Double? {
        guard let recent = samples[peer], recent.count >= minimumSamples else { return nil }
        let sorted = recent.sorted()
        return sorted[sorted.count / 2]
    }

    /// Every follower with a median, by id.
    public var medians: [RaftNodeID: Double] {
        samples.keys.reduce(into: [:]) { all, peer in all[peer] = median(peer) }
    }

    /// Followers whose median round trip is at least `fraction` of the shortest election timeout
    /// (`electionTicks * tickSeconds`), slowest first.
    public func slowPeers(tickSeconds: Double, electionTicks: Int, fraction: Double = 1.0 / 3)
        -> [(peer: RaftNodeID, seconds: Double)] {
        let limit = tickSeconds * Double(electionTicks) * fraction
        return medians.filter { $0.value >= limit }.map { (peer: $0.key, seconds: $0.value) }
            .sorted { $0.seconds > $1.seconds }
    }
}
