import Testing
@testable import OrchestratorClient

/// Output formatting from recorded-style responses: each case reproduces the jq expression upstream's
/// client applies to that command's response.
@Suite struct OutputTests {
    func render(_ command: String, _ body: String) throws -> [String] {
        let spec = try #require(CommandSpec.named(command))
        return try spec.output.render(try JSON.parse(body))
    }

    let db1 = Fixtures.instance("db-b", master: ("db-a", 3306))

    @Test func discoverAndInstanceOperationsPrintTheKey() throws {
        let body = Fixtures.ok("Instance discovered: db-b:3306", details: db1)
        #expect(try render("discover", body) == ["db-b:3306"])
        #expect(try render("stop-replica", body) == ["db-b:3306"])
        #expect(try render("instance", db1) == ["db-b:3306"])
        #expect(try render("which-master", db1) == ["db-a:3306"])
    }

    @Test func whichMasterOfAMasterPrintsTheEmptyKeyAsUpstream() throws {
        #expect(try render("which-master", Fixtures.instance("db-a")) == [":0"])
    }

    @Test func whichClusterMasterPrintsHostPort() throws {
        #expect(try render("which-cluster-master", Fixtures.instance("db-a")) == ["db-a:3306"])
    }

    @Test func refactoringPrintsInstanceLessThanMaster() throws {
        let moved = Fixtures.instance("db-d", master: ("db-a", 3306), depth: 1)
        let body = Fixtures.ok("Instance db-d:3306 relocated below db-a:3306", details: moved)
        #expect(try render("relocate", body) == ["db-d:3306<db-a:3306"])
        #expect(try render("move-up", body) == ["db-d:3306<db-a:3306"])
        #expect(try render("take-master", body) == ["db-d:3306<db-a:3306"])
    }

    @Test func replicasCommandsPrintOneKeyPerLine() throws {
        let list = "[" + [Fixtures.instance("db-c", master: ("db-a", 3306)), Fixtures.instance("db-d", 3307, master: ("db-a", 3306))]
            .joined(separator: ",") + "]"
        #expect(try render("which-replicas", list) == ["db-c:3306", "db-d:3307"])
        #expect(try render("which-cluster-instances", list) == ["db-c:3306", "db-d:3307"])
        #expect(try render("all-instances", list) == ["db-c:3306", "db-d:3307"])
        #expect(try render("search", list) == ["db-c:3306", "db-d:3307"])
        #expect(try render("move-up-replicas", Fixtures.ok("Moved up 2 replicas", details: list)) == ["db-c:3306", "db-d:3307"])
        // Go encodes an empty slice as null: nothing printed.
        #expect(try render("which-replicas", "null") == [])
        #expect(try render("which-replicas", "[]") == [])
    }

    @Test func brokenAndRunningReplicas() throws {
        let broken = Fixtures.instance("db-c", master: ("db-a", 3306), ioRunning: false, ioState: 0,
                                       lastIOError: "error connecting to master")
        let stoppedClean = Fixtures.instance("db-e", master: ("db-a", 3306), sqlRunning: false, ioRunning: false,
                                             sqlState: 0, ioState: 0)
        let healthy = Fixtures.instance("db-d", master: ("db-a", 3306))
        let list = "[\(broken),\(stoppedClean),\(healthy)]"
        #expect(try render("which-broken-replicas", list) == ["db-c:3306"])
        #expect(try render("which-cluster-osc-running-replicas", list) == ["db-d:3306"])
    }

    @Test func isReplicatingPrintsTheKeyOnlyWhenBothThreadsRun() throws {
        #expect(try render("is-replicating", db1) == ["db-b:3306"])
        let stopped = Fixtures.instance("db-b", master: ("db-a", 3306), sqlRunning: false, ioRunning: false,
                                        sqlState: 0, ioState: 0)
        #expect(try render("is-replicating", stopped) == [])
        #expect(try render("is-replication-stopped", stopped) == ["db-b:3306"])
        #expect(try render("is-replication-stopped", db1) == [])
        // A master has no threads (state -1): neither.
        let master = Fixtures.instance("db-a", sqlRunning: false, ioRunning: false, sqlState: -1, ioState: -1)
        #expect(try render("is-replicating", master) == [])
        #expect(try render("is-replication-stopped", master) == [])
    }

    @Test func clustersAndAliases() throws {
        #expect(try render("clusters", Fixtures.clustersInfo) == ["db-a:3306", "db-x:3307"])
        #expect(try render("clusters-alias", Fixtures.clustersInfo) == ["db-a:3306,alpha", "db-x:3307,"])
        #expect(try render("which-cluster", Fixtures.clusterInfo) == ["db-a:3306"])
        #expect(try render("which-cluster-alias", Fixtures.clusterInfo) == ["alpha"])
    }

    @Test func topologyPrintsTheDetailsText() throws {
        let body = Fixtures.ok("Topology for db-a:3306", details: "\"\(Fixtures.topologyText)\"")
        let lines = try render("topology", body)
        #expect(lines.count == 1)
        #expect(lines[0].split(separator: "\n").map(String.init) == [
            "db-a:3306   [0s,ok,10.11.6-MariaDB-log,rw,ROW,>>,GTID]",
            "+ db-b:3306 [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]",
            "+ db-c:3306 [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]",
            "  + db-d:3306 [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]",
        ])
    }

    @Test func recoveryOutputs() throws {
        let takeover = Fixtures.ok("graceful-master-takeover: successor db-b:3306", details: Fixtures.topologyRecovery)
        #expect(try render("graceful-master-takeover", takeover) == ["db-b:3306"])
        #expect(try render("force-master-failover", Fixtures.ok("Master failed over", details: Fixtures.topologyRecovery))
            == ["db-b:3306"])
        #expect(try render("recover", Fixtures.ok("Recovery executed on db-a:3306", details: Fixtures.key("db-b", 3306)))
            == ["db-b:3306"])
        #expect(try render("ack-cluster-recoveries", Fixtures.ok("Acknowledged cluster recoveries", details: "\"db-a:3306\""))
            == ["db-a:3306"])
        #expect(try render("check-global-recoveries", Fixtures.ok("Global recoveries enabled", details: "\"enabled\""))
            == ["enabled"])
        #expect(try render("replication-analysis", Fixtures.replicationAnalysis) == [
            "db-a:3306 (cluster db-a:3306): DeadMaster",
            "db-x:3307 (cluster db-x:3307): NoFailoverSupportStructureWarning",
        ])
    }

    @Test func maintenanceAndTags() throws {
        let key = Fixtures.ok("Downtime begun: db-b:3306", details: Fixtures.key("db-b", 3306))
        #expect(try render("begin-downtime", key) == ["db-b:3306"])
        #expect(try render("register-candidate", key) == ["db-b:3306"])
        #expect(try render("tags", #"["role=backup","dc"]"#) == ["role=backup", "dc"])
        #expect(try render("tag-value", #""backup""#) == ["backup"])
        let keys = "[\(Fixtures.key("db-b", 3306)),\(Fixtures.key("db-c", 3306))]"
        #expect(try render("untag", Fixtures.ok("untagged", details: keys)) == ["db-b:3306", "db-c:3306"])
        #expect(try render("tagged", keys) == ["db-b:3306", "db-c:3306"])
    }

    @Test func gtidAndStatementOutputs() throws {
        let errant = Fixtures.instance("db-b", master: ("db-a", 3306), errant: "0-2-17")
        #expect(try render("which-gtid-errant", errant) == ["0-2-17"])
        #expect(try render("locate-gtid-errant", Fixtures.ok("located errant GTID", details: #"["mysql-bin.000002","mysql-bin.000003"]"#))
            == ["mysql-bin.000002", "mysql-bin.000003"])
        // `echo $api_details` folds jq's pretty output onto one line.
        #expect(try render("restart-replica-statements", Fixtures.ok("statements for: db-b:3306", details: #"["stop slave io_thread","set global x=1","start slave io_thread"]"#))
            == [#"[ "stop slave io_thread", "set global x=1", "start slave io_thread" ]"#])
        #expect(try render("delay-replication", Fixtures.ok("Replication delayed: db-b:3306", details: "60")) == ["60"])
    }

    @Test func canReplicateFromPrintsOnlyWhenTrue() throws {
        #expect(try render("can-replicate-from", Fixtures.ok("true", details: Fixtures.key("db-a", 3306))) == ["db-a:3306"])
        #expect(try render("can-replicate-from", Fixtures.ok("false", details: Fixtures.key("db-a", 3306))) == [])
    }

    @Test func dominantDataCenterTiesGoToTheLastName() throws {
        let masters = "[" + [
            Fixtures.instance("a", dataCenter: "east"), Fixtures.instance("b", dataCenter: "west"),
            Fixtures.instance("c", dataCenter: "west"), Fixtures.instance("d", dataCenter: "east"),
            Fixtures.instance("e", dataCenter: "north"),
        ].joined(separator: ",") + "]"
        #expect(try render("dominant-dc", masters) == ["west"])
    }

    @Test func kvPairs() throws {
        let body = Fixtures.ok("Submitted 1 masters", details: #"[{"Key":"mysql/master/alpha","Value":"db-a:3306"}]"#)
        #expect(try render("submit-masters-to-kv-stores", body) == ["mysql/master/alpha:db-a:3306"])
    }

    @Test func raftOutputs() throws {
        #expect(try render("raft-leader", #""127.0.0.2:10008""#) == ["127.0.0.2:10008"])
        #expect(try render("raft-health", #""healthy""#) == ["healthy"])
        #expect(try render("raft-leader-hostname", Fixtures.ok("Application node is healthy", details: #"{"Healthy":true,"Hostname":"orc2","Token":"t","IsActiveNode":true}"#))
            == ["orc2"])
        #expect(try render("raft-elect-leader", Fixtures.ok("Asynchronously yielded by hint orc2", details: #""orc2""#)) == ["orc2"])
        #expect(try render("raft-peers", #"["127.0.0.1:10008","127.0.0.2:10008"]"#) == ["127.0.0.1:10008", "127.0.0.2:10008"])
    }

    @Test func apiEchoesTheWholeResponseOnOneLine() throws {
        #expect(try render("api", #"{"a": [1, 2], "b": {}}"#) == [#"{ "a": [ 1, 2 ], "b": {} }"#])
    }

    @Test func describedOutputForOurAdditionsAndNoop() throws {
        #expect(try OutputKind.described.render(JSON.parse(Fixtures.ok("plan", details: #"["stop slave on db-c:3306","change master to db-b:3306"]"#)))
            == ["stop slave on db-c:3306", "change master to db-b:3306"])
        #expect(try OutputKind.described.render(JSON.parse(Fixtures.ok("plan", details: #"{"Candidate":"db-b:3306"}"#)))
            == ["{\n  \"Candidate\": \"db-b:3306\"\n}"])
        #expect(try OutputKind.described.render(JSON.parse(Fixtures.ok("noop: db-d:3306 is already below db-a:3306", details: "null")))
            == ["noop: db-d:3306 is already below db-a:3306"])
    }

    @Test func unexpectedShapesAreReported() throws {
        #expect(throws: UnexpectedResponse("expected an instance key in Details.Key, got null")) {
            try render("discover", Fixtures.ok("x", details: "null"))
        }
        #expect(throws: UnexpectedResponse("expected a list in the response, got object")) {
            try render("clusters", Fixtures.clusterInfo)
        }
    }
}
