import Testing
@testable import OrchestratorClient

@Suite struct ClientOptionsTests {
    func parse(_ arguments: [String], _ environment: [String: String] = [:]) throws -> ClientOptions {
        try ClientOptions.parse(arguments: arguments, environment: environment)
    }

    @Test func shortFlagsAsUpstream() throws {
        let options = try parse([
            "-c", "begin-downtime", "-i", "db1:3307", "-d", "db2", "-a", "alpha", "-o", "ops", "-r", "maint",
            "-u", "1h", "-R", "prefer", "-t", "role=x", "-l", "pool1", "-H", "orc2", "-U", "http://orc:3000",
            "-P", "clusters", "-q", "select 1", "-n", "mysql-bin.000004", "-S", "30", "-b", "u:p",
            "-e", "X-User: bob", "-D", "3310",
        ])
        #expect(options.command == "begin-downtime")
        #expect(options.instance == "db1:3307")
        #expect(options.destination == "db2")
        #expect(options.alias == "alpha")
        #expect(options.owner == "ops")
        #expect(options.reason == "maint")
        #expect(options.duration == "1h")
        #expect(options.promotionRule == "prefer")
        #expect(options.tag == "role=x")
        #expect(options.pool == "pool1")
        #expect(options.hostname == "orc2")
        #expect(options.api == "http://orc:3000")
        #expect(options.path == "clusters")
        #expect(options.query == "select 1")
        #expect(options.binlog == "mysql-bin.000004")
        #expect(options.seconds == "30")
        #expect(options.basicAuth == "u:p")
        #expect(options.headerAuth == "X-User: bob")
        #expect(options.defaultPort == 3310)
        #expect(options.noop == false)
    }

    @Test func defaults() throws {
        let options = try parse([])
        #expect(options.duration == "10m")
        #expect(options.api == "http://localhost:3000")
        #expect(options.defaultPort == 3306)
        #expect(options.command == nil)
        #expect(options.owner == nil)
    }

    @Test func longSpellingsWithOneOrTwoDashesAndEquals() throws {
        let options = try parse([
            "--command", "relocate", "-alias", "alpha", "--promotion-rule=must_not", "--instance=db1",
            "--destination", "db2:3307", "-duration", "2h", "--api=http://x:1", "--noop",
        ])
        #expect(options.command == "relocate")
        #expect(options.alias == "alpha")
        #expect(options.promotionRule == "must_not")
        #expect(options.instance == "db1")
        #expect(options.destination == "db2:3307")
        #expect(options.duration == "2h")
        #expect(options.api == "http://x:1")
        #expect(options.noop)
        #expect(try parse(["--dry-run"]).noop)
    }

    @Test func attachedShortValueAndSourceSynonym() throws {
        let options = try parse(["-cclusters", "-s", "db9"])
        #expect(options.command == "clusters")
        #expect(options.destination == "db9")
    }

    @Test func environmentThenFlagsWin() throws {
        let environment = [
            "ORCHESTRATOR_API": "http://a:3000 http://b:3000", "ORCHESTRATOR_INSTANCE": "local:3306",
            "ORCHESTRATOR_AUTH_USER": "alice", "ORCHESTRATOR_AUTH_PASSWORD": "s3cret",
            "ORCHESTRATOR_AUTH_USER_HEADER": "X-Forwarded-User: alice",
        ]
        let fromEnvironment = try parse(["-c", "instance"], environment)
        #expect(fromEnvironment.api == "http://a:3000 http://b:3000")
        #expect(fromEnvironment.instance == "local:3306")
        #expect(fromEnvironment.basicAuth == "alice:s3cret")
        #expect(fromEnvironment.headerAuth == "X-Forwarded-User: alice")

        let overridden = try parse(["-U", "http://c:3000", "-i", "other", "-b", "bob:pw"], environment)
        #expect(overridden.api == "http://c:3000")
        #expect(overridden.instance == "other")
        #expect(overridden.basicAuth == "bob:pw")
        // An empty -U keeps the environment's API, as upstream.
        #expect(try parse(["-U", ""], environment).api == "http://a:3000 http://b:3000")
    }

    @Test func helpSpellings() throws {
        #expect(try parse(["-h"]).help)
        #expect(try parse(["--help"]).help)
        #expect(try parse(["help"]).help)
        #expect(try parse(["-c", "help"]).normalizedCommand == "help")
        // getopts declares -h with a value: the following word is swallowed, not an error.
        #expect(try parse(["-h", "something"]).help)
    }

    @Test func firstSlaveBecomesReplica() throws {
        #expect(try parse(["-c", "stop-slave"]).normalizedCommand == "stop-replica")
        #expect(try parse(["-c", "move-slaves-gtid"]).normalizedCommand == "move-replicas-gtid")
        #expect(try parse(["-c", "slave-slave"]).normalizedCommand == "replica-slave")
    }

    @Test func mistakesAreOneLineUsageErrors() {
        #expect(throws: UsageError("flag '-c' needs a value (see -h)")) { try parse(["-c"]) }
        #expect(throws: UsageError("unknown flag '-x' (see -h)")) { try parse(["-x", "1"]) }
        #expect(throws: UsageError("unknown flag '--frobnicate' (see -h)")) { try parse(["--frobnicate"]) }
        #expect(throws: UsageError("-D expects a port number between 1 and 65535, got 'abc'")) {
            try parse(["-D", "abc"])
        }
        #expect(throws: (any Error).self) { try parse(["-c", "clusters", "stray"]) }
    }
}

@Suite struct ProfileScriptTests {
    @Test func takesPlainAssignmentsAndSkipsShell() {
        let text = """
        # orchestrator-client settings
        export ORCHESTRATOR_API="http://orc1:3000/api http://orc2:3000/api"
        ORCHESTRATOR_AUTH_USER='ops'
        export ORCHESTRATOR_INSTANCE=`hostname`:3306
        export ORCHESTRATOR_AUTH_PASSWORD=${SECRET}
        export ORCHESTRATOR_AUTH_USER_HEADER=X-User:ops # comment
        PATH=/usr/bin
        """
        #expect(ProfileScript.assignments(in: text) == [
            "ORCHESTRATOR_API": "http://orc1:3000/api http://orc2:3000/api",
            "ORCHESTRATOR_AUTH_USER": "ops",
            "ORCHESTRATOR_AUTH_USER_HEADER": "X-User:ops",
        ])
    }

    @Test func environmentWinsOverTheFile() {
        let merged = ProfileScript.merged(["ORCHESTRATOR_API": "http://env:1", "HOME": "/root"],
                                          fileText: "export ORCHESTRATOR_API=http://file:1\nORCHESTRATOR_INSTANCE=db1")
        #expect(merged == ["ORCHESTRATOR_API": "http://env:1", "HOME": "/root", "ORCHESTRATOR_INSTANCE": "db1"])
        #expect(ProfileScript.merged(["A": "1"], fileText: nil) == ["A": "1"])
    }
}
