import OrchestratorCore
import Testing

/// The read model keeps an inventory until the next moment its annotations change; that moment must
/// be the first hold (downtime, maintenance, candidate registration) to run out after now.
@Suite struct IntentHoldChangeTests {
    @Test func theFirstHoldToRunOutAfterNow() {
        let now = Timestamp(secondsSinceEpoch: 1_000)
        var state = IntentState()
        #expect(state.nextHoldChange(after: now) == nil, "no hold: annotations never change by themselves")
        state.apply(.beginDowntime(Downtime(key: Fixture.key(1), owner: "ops", reason: "r", begin: now.adding(seconds: -100),
                                            end: now.adding(seconds: -1))))
        #expect(state.nextHoldChange(after: now) == nil, "a downtime that already ended changes nothing later")
        state.apply(.beginDowntime(Downtime(key: Fixture.key(2), owner: "ops", reason: "r", begin: now, end: now.adding(seconds: 300))))
        state.apply(.beginMaintenance(Maintenance(key: Fixture.key(3), owner: "ops", reason: "r", begin: now, end: now.adding(seconds: 90))))
        state.apply(.registerCandidate(CandidateRegistration(key: Fixture.key(4), promotionRule: .prefer, registeredAt: now,
                                                             until: now.adding(seconds: 120))))
        #expect(state.nextHoldChange(after: now) == now.adding(seconds: 90))
        #expect(state.nextHoldChange(after: now.adding(seconds: 90)) == now.adding(seconds: 120))
        #expect(state.nextHoldChange(after: now.adding(seconds: 120)) == now.adding(seconds: 300))
        // An annotation made at `now` holds until then, and changes at that moment.
        let key = Fixture.key(3)
        let instance = Instance(key: key)
        #expect(state.annotate(instance, at: now.adding(seconds: 89)).isUnderMaintenance)
        #expect(!state.annotate(instance, at: now.adding(seconds: 90)).isUnderMaintenance)
    }
}
