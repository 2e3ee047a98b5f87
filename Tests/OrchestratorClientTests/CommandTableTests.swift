import Testing
@testable import OrchestratorClient

@Suite struct CommandTableTests {
    /// Flags used for every command below: instance db1 (no port), destination db2:3307, alias alpha...
    static let fullArguments = [
        "-i", "db1", "-d", "db2:3307", "-a", "alpha", "-o", "ops team", "-r", "disk swap", "-u", "1h",
        "-R", "prefer", "-t", "role=backup", "-l", "olap", "-H", "orc2", "-q", "set global x=1",
        "-n", "mysql-bin.000042", "-S", "60", "-P", "/cluster/alpha",
    ]

    /// The API path (below /api/) each command requests with `fullArguments`. Every command must be here.
    static let expectedPaths: [String: String] = [
        "api": "cluster/alpha",
        "async-discover": "async-discover/db1/3306",
        "discover": "discover/db1/3306",
        "forget": "forget/db1/3306",
        "forget-cluster": "forget-cluster/alpha",
        "topology": "topology/alpha",
        "topology-tabulated": "topology-tabulated/alpha",
        "topology-tags": "topology-tags/alpha",
        "snapshot-topologies": "snapshot-topologies",
        "clusters": "clusters-info",
        "clusters-alias": "clusters-info",
        "search": "search?s=db1",
        "instance": "instance/db1/3306",
        "which-master": "instance/db1/3306",
        "which-replicas": "instance-replicas/db1/3306",
        "which-broken-replicas": "instance-replicas/db1/3306",
        "which-cluster-instances": "cluster/alpha",
        "which-cluster": "cluster-info/alpha",
        "which-cluster-alias": "cluster-info/alpha",
        "which-cluster-master": "master/alpha",
        "all-clusters-masters": "masters",
        "all-instances": "all-instances",
        "which-cluster-osc-replicas": "cluster-osc-replicas/alpha",
        "which-cluster-osc-running-replicas": "cluster-osc-replicas/alpha",
        "downtimed": "downtimed/alpha",
        "dominant-dc": "masters",
        "submit-masters-to-kv-stores": "submit-masters-to-kv-stores/alpha",
        "relocate": "relocate/db1/3306/db2/3307",
        "relocate-replicas": "relocate-replicas/db1/3306/db2/3307",
        "match": "match/db1/3306/db2/3307",
        "match-up": "match-up/db1/3306",
        "match-up-replicas": "match-up-replicas/db1/3306/db2/3307",
        "move-up": "move-up/db1/3306",
        "move-below": "move-below/db1/3306/db2/3307",
        "move-equivalent": "move-equivalent/db1/3306/db2/3307",
        "move-up-replicas": "move-up-replicas/db1/3306/db2/3307",
        "make-co-master": "make-co-master/db1/3306",
        "take-master": "take-master/db1/3306",
        "move-gtid": "move-below-gtid/db1/3306/db2/3307",
        "move-below-gtid": "move-below-gtid/db1/3306/db2/3307",
        "move-replicas-gtid": "move-replicas-gtid/db1/3306/db2/3307",
        "repoint": "repoint/db1/3306/db2/3307",
        "repoint-replicas": "repoint-replicas/db1/3306/db2/3307",
        "take-siblings": "take-siblings/db1/3306",
        "tags": "tags/db1/3306",
        "tag-value": "tag-value/db1/3306?tag=role%3Dbackup",
        "tag": "tag/db1/3306?tag=role%3Dbackup",
        "untag": "untag/db1/3306?tag=role%3Dbackup",
        "untag-all": "untag-all?tag=role%3Dbackup",
        "tagged": "tagged?tag=role%3Dbackup",
        "submit-pool-instances": "submit-pool-instances/olap?instances=db1",
        "which-heuristic-cluster-pool-instances": "heuristic-cluster-pool-instances/alpha/olap",
        "begin-downtime": "begin-downtime/db1/3306/ops%20team/disk%20swap/1h",
        "end-downtime": "end-downtime/db1/3306",
        "begin-maintenance": "begin-maintenance/db1/3306/ops%20team/disk%20swap",
        "end-maintenance": "end-maintenance/db1/3306",
        "register-candidate": "register-candidate/db1/3306/prefer",
        "register-hostname-unresolve": "register-hostname-unresolve/db1/3306/orc2",
        "deregister-hostname-unresolve": "deregister-hostname-unresolve/db1/3306",
        "stop-replica": "stop-replica/db1/3306",
        "stop-replica-nice": "stop-replica-nice/db1/3306",
        "start-replica": "start-replica/db1/3306",
        "restart-replica": "restart-replica/db1/3306",
        "reset-replica": "reset-replica/db1/3306",
        "detach-replica": "detach-replica/db1/3306",
        "reattach-replica": "reattach-replica/db1/3306",
        "detach-replica-master-host": "detach-replica-master-host/db1/3306",
        "reattach-replica-master-host": "reattach-replica-master-host/db1/3306",
        "skip-query": "skip-query/db1/3306",
        "which-gtid-errant": "instance/db1/3306",
        "locate-gtid-errant": "locate-gtid-errant/db1/3306",
        "gtid-errant-reset-master": "gtid-errant-reset-master/db1/3306",
        "gtid-errant-inject-empty": "gtid-errant-inject-empty/db1/3306",
        "enable-semi-sync-master": "enable-semi-sync-master/db1/3306",
        "disable-semi-sync-master": "disable-semi-sync-master/db1/3306",
        "enable-semi-sync-replica": "enable-semi-sync-replica/db1/3306",
        "disable-semi-sync-replica": "disable-semi-sync-replica/db1/3306",
        "restart-replica-statements": "restart-replica-statements/db1/3306?q=set%20global%20x%3D1",
        "delay-replication": "delay-replication/db1/3306/60",
        "can-replicate-from": "can-replicate-from/db1/3306/db2/3307",
        "can-replicate-from-gtid": "can-replicate-from-gtid/db1/3306/db2/3307",
        "is-replicating": "instance/db1/3306",
        "is-replication-stopped": "instance/db1/3306",
        "set-read-only": "set-read-only/db1/3306",
        "set-writeable": "set-writeable/db1/3306",
        "flush-binary-logs": "flush-binary-logs/db1/3306",
        "purge-binary-logs": "purge-binary-logs/db1/3306/mysql-bin.000042",
        "last-pseudo-gtid": "last-pseudo-gtid/db1/3306",
        "change-master-credentials": "change-master-credentials/db1/3306",
        "recover": "recover/db1/3306/db2/3307",
        "graceful-master-takeover": "graceful-master-takeover/alpha/db2/3307",
        "graceful-master-takeover-auto": "graceful-master-takeover-auto/alpha/db2/3307",
        "force-master-failover": "force-master-failover/alpha",
        "force-master-takeover": "force-master-takeover/alpha/db2/3307",
        "drill": "drill/alpha/db2/3307",
        "audit-failure-detection": "audit-failure-detection",
        "ack-cluster-recoveries": "ack-recovery/cluster/alpha?comment=disk%20swap",
        "ack-instance-recoveries": "ack-recovery/instance/db1/3306?comment=disk%20swap",
        "ack-all-recoveries": "ack-all-recoveries?comment=disk%20swap",
        "disable-global-recoveries": "disable-global-recoveries",
        "enable-global-recoveries": "enable-global-recoveries",
        "check-global-recoveries": "check-global-recoveries",
        "replication-analysis": "replication-analysis",
        "audit-recovery": "audit-recovery/cluster/alpha",
        "failover-plan": "failover-plan/alpha",
        "raft-leader": "raft-leader",
        "raft-health": "raft-health",
        "reload-configuration": "reload-configuration",
        "raft-leader-hostname": "status",
        "raft-elect-leader": "raft-yield-hint/orc2",
        "raft-state": "raft-state",
        "raft-status": "raft-status",
        "raft-peers": "raft-peers",
        "raft-yield": "raft-yield/orc2",
        "raft-add-peer": "raft-add-peer/orc2",
        "raft-remove-peer": "raft-remove-peer/orc2",
    ]

    /// Every command of upstream's client (3.2.6 `run_command` plus Percona's addition).
    static let upstreamCommands = """
    help which-api api async-discover discover forget forget-cluster topology topology-tabulated topology-tags
    snapshot-topologies clusters clusters-alias search instance which-instance which-master which-replicas
    which-broken-replicas which-cluster-instances which-cluster which-cluster-alias which-cluster-master
    all-clusters-masters all-instances which-cluster-osc-replicas which-cluster-osc-running-replicas downtimed
    dominant-dc submit-masters-to-kv-stores relocate relocate-replicas match match-up match-up-replicas move-up
    move-below move-equivalent move-up-replicas make-co-master take-master move-gtid move-replicas-gtid repoint
    repoint-replicas take-siblings tags tag-value tag untag untag-all tagged submit-pool-instances
    which-heuristic-cluster-pool-instances begin-downtime end-downtime begin-maintenance end-maintenance
    register-candidate register-hostname-unresolve deregister-hostname-unresolve stop-replica stop-replica-nice
    start-replica restart-replica reset-replica detach-replica reattach-replica detach-replica-master-host
    reattach-replica-master-host skip-query which-gtid-errant locate-gtid-errant gtid-errant-reset-master
    gtid-errant-inject-empty enable-semi-sync-master disable-semi-sync-master enable-semi-sync-replica
    disable-semi-sync-replica restart-replica-statements delay-replication can-replicate-from
    can-replicate-from-gtid is-replicating is-replication-stopped set-read-only set-writeable flush-binary-logs
    purge-binary-logs last-pseudo-gtid recover graceful-master-takeover graceful-master-takeover-auto
    force-master-failover force-master-takeover ack-cluster-recoveries ack-all-recoveries
    disable-global-recoveries enable-global-recoveries check-global-recoveries replication-analysis raft-leader
    raft-health raft-leader-hostname raft-elect-leader change-master-credentials
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    @Test func everyUpstreamCommandIsKnown() {
        for name in Self.upstreamCommands {
            #expect(CommandSpec.named(name) != nil, "missing \(name)")
        }
    }

    @Test func namesAreUniqueAndEveryCommandHasAnExpectedPath() {
        var seen = Set<String>()
        for spec in CommandSpec.all {
            for name in [spec.name] + spec.aliases {
                #expect(seen.insert(name).inserted, "duplicate \(name)")
            }
            if spec.route != nil {
                #expect(Self.expectedPaths[spec.name] != nil, "no expected path for \(spec.name)")
            }
        }
    }

    @Test(arguments: expectedPaths.keys.sorted())
    func commandResolvesToUpstreamPath(_ name: String) throws {
        let options = try ClientOptions.parse(arguments: ["-c", name] + Self.fullArguments, environment: [:])
        let spec = try #require(CommandSpec.named(options.normalizedCommand!))
        #expect(try spec.requestPath(options: options) == Self.expectedPaths[name])
    }

    func path(_ arguments: [String], user: String = "") throws -> String {
        let options = try ClientOptions.parse(arguments: arguments, environment: [:])
        let spec = try #require(CommandSpec.named(options.normalizedCommand!))
        return try spec.requestPath(options: options, currentUser: { user })
    }

    @Test func optionalPartsAndHints() throws {
        #expect(try path(["-c", "recover", "-i", "db1:3307"]) == "recover/db1/3307")
        #expect(try path(["-c", "graceful-master-takeover", "-i", "db1:3306"]) == "graceful-master-takeover/db1:3306")
        #expect(try path(["-c", "downtimed"]) == "downtimed")
        #expect(try path(["-c", "audit-recovery"]) == "audit-recovery")
        #expect(try path(["-c", "submit-masters-to-kv-stores"]) == "submit-masters-to-kv-stores")
        #expect(try path(["-c", "move-up-replicas", "-i", "db1"]) == "move-up-replicas/db1/3306")
        #expect(try path(["-c", "which-heuristic-cluster-pool-instances", "-a", "alpha"]) == "heuristic-cluster-pool-instances/alpha")
        // The alias wins over the instance for a cluster hint, as `${alias:-$instance}`.
        #expect(try path(["-c", "topology", "-i", "db1:3306", "-a", "alpha"]) == "topology/alpha")
        #expect(try path(["-c", "topology", "-i", "db1:3306"]) == "topology/db1:3306")
    }

    @Test func apiPathIsSentAsTypedExceptWhatCannotBeInARequestLine() throws {
        #expect(try path(["-c", "api", "-P", "/search?s=db%2D1&x=1"]) == "search?s=db%2D1&x=1")
        #expect(try path(["-c", "api", "-P", "search?s=a b\"é"]) == "search?s=a%20b%22%C3%A9")
    }

    @Test func defaultPortAndOwner() throws {
        #expect(try path(["-c", "discover", "-i", "db1", "-D", "3310"]) == "discover/db1/3310")
        #expect(try path(["-c", "begin-downtime", "-i", "db1", "-r", "x"], user: "root") == "begin-downtime/db1/3306/root/x/10m")
        #expect(try path(["-c", "discover", "-i", "[::1]:3307"]) == "discover/::1/3307")
    }

    @Test func slaveSpellingsReachReplicaPaths() throws {
        #expect(try path(["-c", "stop-slave", "-i", "db1"]) == "stop-replica/db1/3306")
        #expect(try path(["-c", "relocate-slaves", "-i", "db1", "-d", "db2"]) == "relocate-replicas/db1/3306/db2/3306")
    }

    @Test func noopIsAQueryParameterForRecoveryRefactoringAndReplicationControlOnly() throws {
        #expect(try path(["-c", "relocate", "-i", "db1", "-d", "db2", "--noop"]) == "relocate/db1/3306/db2/3306?noop=true")
        #expect(try path(["-c", "recover", "-i", "db1", "--dry-run"]) == "recover/db1/3306?noop=true")
        #expect(try path(["-c", "graceful-master-takeover", "-a", "alpha", "-d", "db2", "--noop"])
            == "graceful-master-takeover/alpha/db2/3306?noop=true")
        #expect(try path(["-c", "stop-replica", "-i", "db1", "--noop"]) == "stop-replica/db1/3306?noop=true")
        #expect(try path(["-c", "delay-replication", "-i", "db1", "-S", "5", "--noop"]) == "delay-replication/db1/3306/5?noop=true")
        #expect(throws: (any Error).self) { try path(["-c", "which-gtid-errant", "-i", "db1", "--noop"]) }
        #expect(try path(["-c", "force-master-failover", "-a", "alpha", "--noop"]) == "force-master-failover/alpha?noop=true")
        #expect(try path(["-c", "force-master-takeover", "-a", "alpha", "-d", "db2", "--noop"])
            == "force-master-takeover/alpha/db2/3306?noop=true")
        #expect(throws: (any Error).self) { try path(["-c", "audit-failure-detection", "--noop"]) }
    }

    @Test func missingFlagsAreNamed() {
        #expect(throws: UsageError("-c relocate needs a destination: give -d host[:port]")) {
            try path(["-c", "relocate", "-i", "db1"])
        }
        #expect(throws: UsageError("-c relocate needs an instance: give -i host[:port] (or set ORCHESTRATOR_INSTANCE)")) {
            try path(["-c", "relocate", "-d", "db1"])
        }
        #expect(throws: UsageError("-c topology needs a cluster: give -a <cluster alias> or -i host[:port]")) {
            try path(["-c", "topology"])
        }
        #expect(throws: UsageError("-c raft-elect-leader needs a host name: give -H <hostname>")) {
            try path(["-c", "raft-elect-leader"])
        }
        #expect(throws: UsageError("-c ack-all-recoveries needs a reason: give -r <reason>")) {
            try path(["-c", "ack-all-recoveries"])
        }
        #expect(throws: UsageError("-c register-candidate needs a promotion rule: give -R prefer|neutral|prefer_not|must_not")) {
            try path(["-c", "register-candidate", "-i", "db1"])
        }
        #expect(throws: UsageError("-i 'db1:abc' has an invalid port 'abc'; use host[:port]")) {
            try path(["-c", "discover", "-i", "db1:abc"])
        }
    }

    @Test func unknownCommandsSuggestTheClosest() {
        #expect(CommandSpec.suggestions(for: "relocat").prefix(2) == ["relocate", "relocate-replicas"])
        #expect(CommandSpec.suggestions(for: "clustres").first == "clusters")
        #expect(CommandSpec.suggestions(for: "raft-leadr").first == "raft-leader")
        #expect(CommandSpec.suggestions(for: "which-clustr-master").first == "which-cluster-master")
        #expect(CommandSpec.suggestions(for: "gracefull-master-takeover").first == "graceful-master-takeover")
        #expect(CommandSpec.suggestions(for: "zzzzzzzz").isEmpty)
        #expect(CommandSpec.unknownCommandMessage("discovr")
            == "unknown command 'discovr'; did you mean: discover? (see -h for all commands)")
    }

    @Test func helpListsEveryCommandUnderItsGroup() {
        let help = HelpText.lines()
        #expect(help.first == "Usage: orchestrator-client -c <command> [flags...]")
        for spec in CommandSpec.all {
            #expect(help.contains { $0.hasPrefix("  \(spec.name) ") || $0.hasPrefix("  \(spec.name)|") }, "\(spec.name)")
        }
        for group in CommandGroup.allCases { #expect(help.contains("\(group.rawValue):")) }
    }
}
