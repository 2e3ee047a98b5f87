import OrchestratorCore
import Testing

@Suite("Second opinions before a master failover")
struct SecondOpinionTests {
    let key = InstanceKey(hostname: "db", port: 1)

    @Test func aPeerThatReachesAWritableMasterVetoes() {
        let opinions = [PeerOpinion(node: "n2", key: key, reachable: false, readOnly: false, error: "2003"),
                        PeerOpinion(node: "n3", key: key, reachable: true, readOnly: false)]
        let veto = SecondOpinion.veto(opinions, key: key)
        #expect(veto?.hasPrefix("db:1 answers and is writable from orchd node n3: not dead") == true)
        #expect(SecondOpinion.agreeing(opinions, key: key) == 1)
    }

    @Test func unreachableReadOnlySilentOrOtherServersDoNotVeto() {
        #expect(SecondOpinion.veto([], key: key) == nil, "no answer is no veto")
        #expect(SecondOpinion.veto([PeerOpinion(node: "n2", key: key, reachable: false, readOnly: false)], key: key) == nil)
        #expect(SecondOpinion.veto([PeerOpinion(node: "n2", key: key, reachable: true, readOnly: true)], key: key) == nil,
                "a read-only master takes no writes: no split brain")
        #expect(SecondOpinion.veto([PeerOpinion(node: "n2", key: InstanceKey(hostname: "db", port: 2), reachable: true,
                                                readOnly: false)], key: key) == nil)
    }

    @Test func onlyDeadMastersAndIntermediateMastersAreChecked() {
        var analysis = ReplicationAnalysis(analyzedInstanceKey: key, clusterDetails: ClusterInfo(clusterName: "db:1", clusterAlias: "db:1", countInstances: 1, heuristicLag: 0, hasAutomatedMasterRecovery: true, hasAutomatedIntermediateMasterRecovery: false))
        for code in [AnalysisCode.deadMaster, .deadMasterAndSomeReplicas, .deadCoMaster, .deadIntermediateMaster,
                     .deadIntermediateMasterAndReplicas] {
            analysis.analysis = code
            #expect(SecondOpinion.applies(to: analysis), "\(code)")
        }
        for code in [AnalysisCode.unreachableMaster, .noProblem, .lockedSemiSyncMaster] {
            analysis.analysis = code
            #expect(!SecondOpinion.applies(to: analysis), "\(code)")
        }
    }

    @Test("an intermediate master that a peer reaches is alive, read-only or not")
    func intermediateMasterVetoNeedsOnlyReachability() {
        let readOnly = [PeerOpinion(node: "n2", key: key, reachable: true, readOnly: true)]
        #expect(SecondOpinion.veto(readOnly, key: key) == nil, "a read-only server does not veto a master failover")
        let veto = SecondOpinion.veto(readOnly, key: key, intermediate: true)
        #expect(veto?.contains("answers from orchd node n2") == true, "\(veto ?? "")")
        #expect(SecondOpinion.veto([PeerOpinion(node: "n2", key: key, reachable: false, readOnly: false)], key: key,
                                   intermediate: true) == nil)
    }
}
