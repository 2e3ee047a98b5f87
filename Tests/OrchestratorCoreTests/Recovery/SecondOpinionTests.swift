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

    @Test func onlyDeadMastersAreChecked() {
        var analysis = ReplicationAnalysis(analyzedInstanceKey: key, clusterDetails: ClusterInfo(clusterName: "db:1", clusterAlias: "db:1", countInstances: 1, heuristicLag: 0, hasAutomatedMasterRecovery: true, hasAutomatedIntermediateMasterRecovery: false))
        for code in [AnalysisCode.deadMaster, .deadMasterAndSomeReplicas, .deadCoMaster] {
            analysis.analysis = code
            #expect(SecondOpinion.applies(to: analysis), "\(code)")
        }
        for code in [AnalysisCode.deadIntermediateMaster, .unreachableMaster, .noProblem] {
            analysis.analysis = code
            #expect(!SecondOpinion.applies(to: analysis), "\(code)")
        }
    }
}
