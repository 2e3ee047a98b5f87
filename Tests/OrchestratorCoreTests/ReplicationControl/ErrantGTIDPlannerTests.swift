import OrchestratorCore
import Testing

/// The errant-GTID planner: one flavour decision, the repairs' steps and their refusals.
@Suite("Errant-GTID planner: flavour, repairs and refusals")
struct ErrantGTIDPlannerTests {
    static let k = Fixture.key
    static let uuid1 = "00000000-0000-0000-0000-000000000001"
    static let uuid2 = "00000000-0000-0000-0000-000000000002"

    /// The fixture tree (MariaDB) and the `GtidErrant` replica 2 gets in ``subject(_:_:errant:)``.
    static func mariadb(errant: String = "0-2-101") -> Tree { Tree(instances: Fixture.tree(), errant: errant) }

    /// The fixture tree as MySQL 8.0 servers.
    static func mysql(errant: String = "\(uuid2):1-3") -> Tree {
        Tree(instances: Fixture.tree().enumerated().map { n, instance in
            var i = instance
            i.version = "8.0.36"
            i.flavorName = "MySQL"
            i.serverUUID = "00000000-0000-0000-0000-00000000000\(n + 1)"
            i.executedGtidSet = "\(uuid1):1-100"
            return i
        }, errant: errant)
    }

    /// Instances plus the errant text of the instance under test (the inventory recomputes
    /// `GtidErrant` from positions, so the planner's instance carries it as the re-probe left it).
    struct Tree: Sendable {
        var instances: [Instance]
        var errant: String
    }

    static func inventory(_ instances: [Instance]) -> Inventory {
        Inventory(probed: instances, intent: IntentState(), now: Fixture.now)
    }

    static func subject(_ tree: Tree, _ port: Int = 2) -> (Instance, Inventory) {
        let inventory = inventory(tree.instances)
        var instance = inventory.instance(k(port))!
        instance.gtidErrant = tree.errant
        return (instance, inventory)
    }

    static func refusal<T>(_ result: Result<T, ErrantGTIDRefusal>) -> ErrantGTIDRefusal? {
        if case .failure(let r) = result { return r }
        return nil
    }

    // MARK: - Flavour

    struct FlavourCase: Sendable, CustomTestStringConvertible {
        var name: String
        var tree: Tree
        var expected: ErrantGTIDs?
        var testDescription: String { name }
    }

    static let flavourCases: [FlavourCase] = [
        FlavourCase(name: "MariaDB list", tree: mariadb(), expected: .mariadb(MariaDBGTIDList([
            MariaDBGTID(domainID: 0, serverID: 2, sequence: 101)]))),
        FlavourCase(name: "MySQL set", tree: mysql(), expected: .mysql(try! MySQLGTIDSet(parsing: "\(uuid2):1-3"))),
        FlavourCase(name: "none on MariaDB", tree: mariadb(errant: ""), expected: nil),
        FlavourCase(name: "none on MySQL", tree: mysql(errant: ""), expected: nil),
    ]

    @Test(arguments: flavourCases)
    func theServerDecidesTheNotation(_ c: FlavourCase) throws {
        let (instance, _) = Self.subject(c.tree)
        #expect(try ErrantGTIDs.of(instance) == c.expected)
    }

    @Test func aMySQLSetOnAMariaDBServerIsUnreadableNotGuessed() {
        let (instance, _) = Self.subject(Self.mariadb(errant: "\(Self.uuid2):1-3"))
        #expect(throws: ErrantGTIDRefusal.self) { try ErrantGTIDs.of(instance) }
        let refusal = Self.refusal(ErrantGTIDPlanner.injectEmpty(instance, inventory: Self.inventory(Self.mariadb().instances)))
        #expect(refusal?.kind == .unreadable)
        #expect(refusal?.message.contains("MariaDB GTID list") == true, "\(refusal?.message ?? "")")
    }

    // MARK: - No errant GTID

    @Test(arguments: [mariadb(errant: ""), mysql(errant: "")])
    func repairsOfNothingAreRefused(_ tree: Tree) {
        let (instance, inventory) = Self.subject(tree)
        for result in [ErrantGTIDPlanner.injectEmpty(instance, inventory: inventory),
                       ErrantGTIDPlanner.resetMaster(instance, inventory: inventory)] {
            let refusal = Self.refusal(result)
            #expect(refusal?.kind == .noErrantGTID)
            #expect(refusal?.message.contains("no errant GTID is found") == true, "\(refusal?.message ?? "planned")")
        }
        #expect((try? ErrantGTIDPlanner.locate(instance, inventory: inventory).get()) == .some(nil), "locate finds nothing to find")
    }

    // MARK: - inject-empty

    @Test func mariadbInjectionRunsOnTheClusterMasterThenWaitsForTheReplica() throws {
        let (instance, inventory) = Self.subject(Self.mariadb(errant: "0-4-7"), 4)
        let plan = try ErrantGTIDPlanner.injectEmpty(instance, inventory: inventory, catchUpSeconds: 3).get()
        #expect(plan.runsOn == Self.k(1), "the cluster master, not the intermediate master db:3")
        #expect(plan.steps == [
            .injectMariaDBNoops(master: Self.k(1), errant: MariaDBGTIDList([MariaDBGTID(domainID: 0, serverID: 4, sequence: 7)])),
            .awaitCaughtUp(replica: Self.k(4), with: Self.k(1), timeoutSeconds: 3),
        ])
    }

    @Test func mysqlInjectionListsEveryGTID() throws {
        let (instance, inventory) = Self.subject(Self.mysql())
        let plan = try ErrantGTIDPlanner.injectEmpty(instance, inventory: inventory).get()
        #expect(plan.steps.first == .injectEmptyTransactions(
            master: Self.k(1), gtids: ["\(Self.uuid2):1", "\(Self.uuid2):2", "\(Self.uuid2):3"]))
        #expect(plan.steps.last == .awaitCaughtUp(replica: Self.k(2), with: Self.k(1),
                                                  timeoutSeconds: ErrantGTIDPlanner.defaultCatchUpSeconds))
    }

    @Test func injectionNeedsAReachableMasterOtherThanTheInstance() {
        var unreachable = Self.mariadb()
        unreachable.instances[0].isLastCheckValid = false
        unreachable.instances[0].lastError = "connect: connection refused"
        let (replica, inventory) = Self.subject(unreachable)
        let refusal = Self.refusal(ErrantGTIDPlanner.injectEmpty(replica, inventory: inventory))
        #expect(refusal?.kind == .unsafe)
        #expect(refusal?.message.contains("db:1 is not reachable (connect: connection refused)") == true, "\(refusal?.message ?? "")")

        let (master, inventory2) = Self.subject(Self.mariadb(errant: "0-9-5"), 1)
        #expect(Self.refusal(ErrantGTIDPlanner.injectEmpty(master, inventory: inventory2))?.message
            .contains("no known master other than itself") == true)
    }

    @Test func aHugeMySQLSetIsRefusedWithTheAdviceToReclone() {
        let (instance, inventory) = Self.subject(Self.mysql(errant: "\(Self.uuid2):1-20000"))
        let refusal = Self.refusal(ErrantGTIDPlanner.injectEmpty(instance, inventory: inventory))
        #expect(refusal?.kind == .unsafe)
        #expect(refusal?.message.contains("re-clone") == true, "\(refusal?.message ?? "")")
    }

    // MARK: - reset-master

    @Test func resetMasterOnMariaDBIsRefusedWithTheAlternatives() {
        let (instance, inventory) = Self.subject(Self.mariadb())
        let refusal = Self.refusal(ErrantGTIDPlanner.resetMaster(instance, inventory: inventory))
        #expect(refusal?.kind == .unsupported)
        for words in ["gtid_purged", "gtid-errant-inject-empty", "gtid_slave_pos"] {
            #expect(refusal?.message.contains(words) == true, "\(refusal?.message ?? "") lacks \(words)")
        }
    }

    @Test func resetMasterOnAMySQLLeafRunsOnTheInstance() throws {
        let (instance, inventory) = Self.subject(Self.mysql())
        let plan = try ErrantGTIDPlanner.resetMaster(instance, inventory: inventory).get()
        #expect(plan.runsOn == Self.k(2))
        #expect(plan.steps == [.resetMasterRemovingErrant(Self.k(2), errant: try MySQLGTIDSet(parsing: "\(Self.uuid2):1-3"))])
    }

    @Test func resetMasterOnAnInstanceWithReplicasIsRefusedNamingThem() {
        let (instance, inventory) = Self.subject(Self.mysql(), 3)
        let refusal = Self.refusal(ErrantGTIDPlanner.resetMaster(instance, inventory: inventory))
        #expect(refusal?.kind == .unsafe)
        #expect(refusal?.message.contains("db:4, db:5") == true, "\(refusal?.message ?? "")")
    }

    // MARK: - locate

    @Test func locateMatchesOnlyTheErrantEventsOfTheServersFlavour() throws {
        let (maria, mariaInventory) = Self.subject(Self.mariadb(errant: "0-2-103"))
        let plan = try #require(try ErrantGTIDPlanner.locate(maria, inventory: mariaInventory).get())
        // The master is at 0-1-100: the replica's own events 101...103 are errant.
        #expect(plan.matcher.matches(.mariadb(MariaDBGTID(domainID: 0, serverID: 2, sequence: 102))))
        #expect(!plan.matcher.matches(.mariadb(MariaDBGTID(domainID: 0, serverID: 2, sequence: 100))))
        #expect(!plan.matcher.matches(.mariadb(MariaDBGTID(domainID: 0, serverID: 1, sequence: 102))))
        #expect(!plan.matcher.matches(.mysql(try MySQLGTIDSet(parsing: "\(Self.uuid2):2"))))

        let (mysql, mysqlInventory) = Self.subject(Self.mysql())
        let mysqlPlan = try #require(try ErrantGTIDPlanner.locate(mysql, inventory: mysqlInventory).get())
        #expect(mysqlPlan.matcher.matches(.mysql(try MySQLGTIDSet(parsing: "\(Self.uuid2):2"))))
        #expect(!mysqlPlan.matcher.matches(.mysql(try MySQLGTIDSet(parsing: "\(Self.uuid2):4"))))
        #expect(!mysqlPlan.matcher.matches(.mariadb(MariaDBGTID(domainID: 0, serverID: 2, sequence: 2))))
    }
}
