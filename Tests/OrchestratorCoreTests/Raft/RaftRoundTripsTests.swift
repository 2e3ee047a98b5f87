import OrchestratorCore
import Testing

@Suite("Raft round trips: measured from heartbeats, slow links named")
struct RaftRoundTripsTests {
    @Test func eachResponseAnswersTheOldestHeartbeatStillOpen() {
        var trips = RaftRoundTrips()
        // Heartbeats every 40 ms, answered 200 ms later: several are in flight at once.
        for i in 0..<20 { trips.sent(to: "b", at: Double(i) * 0.04) }
        for i in 0..<20 { trips.answered(by: "b", at: Double(i) * 0.04 + 0.2) }
        #expect(abs((trips.median("b") ?? 0) - 0.2) < 1e-9)
        #expect(trips.median("c") == nil)
    }

    @Test func noMedianBeforeEnoughSamples() {
        var trips = RaftRoundTrips()
        for i in 0..<4 {
            trips.sent(to: "b", at: Double(i))
            trips.answered(by: "b", at: Double(i) + 0.001)
        }
        #expect(trips.median("b") == nil)
        trips.sent(to: "b", at: 10)
        trips.answered(by: "b", at: 10.001)
        #expect(trips.median("b") != nil)
    }

    /// A lost response pairs the next one with an older heartbeat once; the median does not move.
    @Test func aFewMispairingsDoNotMoveTheMedian() {
        var trips = RaftRoundTrips()
        var t = 0.0
        for i in 0..<30 {
            trips.sent(to: "b", at: t)
            if i != 10 { trips.answered(by: "b", at: t + 0.001) }
            t += 0.04
        }
        let median = trips.median("b") ?? 1
        #expect(median < 0.05, "\(median)")
    }

    @Test func unansweredHeartbeatsAreForgottenAfterAWhile() {
        var trips = RaftRoundTrips()
        trips.sent(to: "b", at: 0)
        for i in 0..<5 {
            let t = 10 + Double(i)
            trips.sent(to: "b", at: t)
            trips.answered(by: "b", at: t + 0.002)
        }
        #expect(abs((trips.median("b") ?? 0) - 0.002) < 1e-9, "the heartbeat of t=0 is not paired 10 s later")
    }

    @Test func slowPeersAreThoseAtAThirdOfTheElectionTimeout() {
        var trips = RaftRoundTrips()
        for (peer, rtt) in [("lan", 0.0005), ("wan", 0.2), ("edge", 0.07)] {
            for i in 0..<8 {
                trips.sent(to: peer, at: Double(i))
                trips.answered(by: peer, at: Double(i) + rtt)
            }
        }
        // Default timing: 20 ms ticks x 9 = 180 ms; a third is 60 ms.
        let slow = trips.slowPeers(tickSeconds: 0.02, electionTicks: 9)
        #expect(slow.map(\.peer) == ["wan", "edge"])
        #expect(trips.slowPeers(tickSeconds: 0.1, electionTicks: 9).isEmpty, "900 ms elections: 200 ms is fine")
        trips.reset()
        #expect(trips.medians.isEmpty)
    }
}
