import OrchestratorCore
import Testing

/// Upstream's graceful-takeover refusals that scripts grep for, decided by the planner.
@Suite("Recovery planner: graceful takeover refusals")
struct PlannerTakeoverRefusalTests {
    private func graceful(_ replicas: [Instance], designated: InstanceKey?, auto: Bool,
                          credentials: ReplicationCredentialsSource = .configured) -> RecoveryPlan {
        var settings = PromotionSettings()
        settings.replicationCredentials = credentials
        return RecoveryPlanner.planGracefulTakeover(master: Fixture.master(1), replicas: replicas, designated: designated, auto: auto,
                                                    operatorState: IntentState(), now: Fixture.now, settings: settings)
    }

    @Test("without any replication credentials known, the takeover is refused before any step, naming the keys")
    func noCredentialsRefusesBeforeAnyStep() {
        for auto in [false, true] {
            let plan = graceful(twoReplicas, designated: Fixture.key(3), auto: auto, credentials: .none)
            #expect(!plan.isExecutable && plan.steps.isEmpty && plan.successor == nil)
            let error = plan.errors.joined()
            for needle in ["MySQLReplicationUser", "MySQLReplicationPassword", "ReplicationCredentialsQuery", "db:1", "db:3",
                           "Nothing was changed"] {
                #expect(error.contains(needle), "\(needle) in \(error)")
            }
        }
        // Upstream's refusals scripts grep for still come first.
        let noTarget = graceful(twoReplicas, designated: nil, auto: false, credentials: .none)
        #expect(noTarget.errors.first?.contains("target instance not indicated") == true)
        // A query counts as known credentials.
        #expect(graceful(twoReplicas, designated: Fixture.key(3), auto: true, credentials: .query("SELECT u, p FROM meta.repl")).isExecutable)
    }

    @Test("the credentials source follows the configuration: the query first, then MySQLReplicationUser")
    func credentialsSourceFromConfiguration() throws {
        func source(_ json: String) throws -> ReplicationCredentialsSource {
            ReplicationCredentialsSource(configuration: try OrchestratorConfiguration.load(json: Array(json.utf8), path: "t.json").0)
        }
        #expect(try source("{}") == .none)
        #expect(try source(#"{"MySQLReplicationUser": ""}"#) == .none)
        #expect(try source(#"{"MySQLReplicationUser": "repl"}"#) == .configured)
        #expect(try source(#"{"MySQLReplicationUser": "repl", "ReplicationCredentialsQuery": "SELECT u, p FROM meta.repl"}"#)
                == .query("SELECT u, p FROM meta.repl"))
        #expect(try source(#"{"ReplicationCredentialsQuery": "  "}"#) == .none)
    }

    private var twoReplicas: [Instance] { [Fixture.replica(2, of: 1), Fixture.replica(3, of: 1, seq: 101)] }

    @Test("without -d and with several direct replicas, the plain command refuses: target instance not indicated")
    func severalReplicasNeedADestination() {
        let plan = graceful(twoReplicas, designated: nil, auto: false)
        #expect(!plan.isExecutable && plan.steps.isEmpty && plan.successor == nil)
        #expect(plan.errors.count == 1)
        #expect(plan.errors.first?.contains("target instance not indicated") == true, "\(plan.errors)")
        #expect(plan.errors.first?.contains("db:1 has 2 replicas") == true, "\(plan.errors)")
        #expect(plan.errors.first?.contains("-d") == true, "the fix is named")
    }

    @Test("graceful-master-takeover-auto still chooses the best replica itself")
    func autoChoosesTheBest() {
        let plan = graceful(twoReplicas, designated: nil, auto: true)
        #expect(plan.isExecutable, "\(plan.errors)")
        #expect(plan.successor == Fixture.key(3))
    }

    @Test("without -d, a master with a single direct replica hands over to it")
    func singleReplicaNeedsNoDestination() {
        let plan = graceful([Fixture.replica(2, of: 1)], designated: nil, auto: false)
        #expect(plan.isExecutable, "\(plan.errors)")
        #expect(plan.successor == Fixture.key(2))
    }

    @Test("a -d that is not a direct replica of the master is refused: must be directly replicating from the master")
    func designatedMustBeADirectReplica() {
        for auto in [false, true] {
            let plan = graceful(twoReplicas, designated: Fixture.key(4), auto: auto)
            #expect(!plan.isExecutable && plan.steps.isEmpty)
            #expect(plan.errors.first?.contains("db:4 must be directly replicating from the master db:1") == true, "\(plan.errors)")
        }
    }
}
