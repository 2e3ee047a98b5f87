import OrchestratorCore
@testable import OrchestratorServer
import Testing

/// Discovery writes a probed row when its facts change or its refresh is due, not every round.
struct InstanceStoreWritesTests {
    private func record(_ n: Int, valid: Bool = true, lastChecked: Int64 = 0) -> InstanceRecord {
        var instance = Instance(key: InstanceKey(hostname: "10.0.0.\(n)", port: 3306))
        instance.isLastCheckValid = valid
        return InstanceRecord(instance: instance, lastChecked: Timestamp(secondsSinceEpoch: lastChecked))
    }

    private let t0 = Timestamp(secondsSinceEpoch: 1_800_000_000)

    @Test("a new row is written; a row whose check times moved is not, until its refresh is due")
    func refreshOnlyWhenDue() {
        var writes = InstanceStoreWrites(refreshSeconds: 60)
        let first = [record(1)]
        #expect(writes.select(first, now: t0).count == 1)
        writes.committed(first, now: t0)
        // Check times moved: same digest, not written for up to 60 s.
        let moved = [record(1, lastChecked: 5)]
        let due = (Int64(1)...61).first { s in !writes.select(moved, now: t0.adding(seconds: s)).isEmpty }
        #expect(due != nil && due! <= 60)
        // After a refresh, the next is a full interval later.
        let at = t0.adding(seconds: due ?? 60)
        writes.committed(moved, now: at)
        #expect(writes.select(moved, now: at.adding(seconds: 59)).isEmpty)
        #expect(writes.select(moved, now: at.adding(seconds: 60)).count == 1)
    }

    @Test("a failed check, a new master or a forgotten key is written at once")
    func factsWriteAtOnce() {
        var writes = InstanceStoreWrites(refreshSeconds: 60)
        writes.committed([record(1), record(2)], now: t0)
        #expect(writes.select([record(1, valid: false)], now: t0.adding(seconds: 1)).count == 1)
        var moved = record(2)
        moved.instance.masterKey = InstanceKey(hostname: "10.0.0.9", port: 3306)
        #expect(writes.select([moved], now: t0.adding(seconds: 1)).count == 1)
        writes.forget(record(2).key)
        #expect(writes.select([record(2)], now: t0.adding(seconds: 1)).count == 1)
    }

    @Test("first refreshes of a fleet found in one round spread over the interval")
    func refreshesSpread() {
        var writes = InstanceStoreWrites(refreshSeconds: 60)
        let fleet = (1...200).map { record($0) }
        writes.committed(fleet, now: t0)
        let perSecond = (1...60).map { s in writes.select(fleet, now: t0.adding(seconds: Int64(s))).count }
        // Cumulative counts grow over the interval instead of all at once.
        #expect(perSecond.last == 200)
        #expect(perSecond[29] > 40 && perSecond[29] < 160)
    }
}
