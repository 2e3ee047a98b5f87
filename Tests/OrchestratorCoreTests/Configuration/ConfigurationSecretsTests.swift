import OrchestratorCore
import Testing

@Suite("Configuration: secrets and credentials files")
struct ConfigurationSecretsTests {
    @Test func neverPrintsPasswords() throws {
        let (c, _) = try OrchestratorConfiguration.load(
            json: Array(#"{"MySQLTopologyPassword": "topsecret1", "MySQLOrchestratorPassword": "${P}", "HTTPAuthPassword": "hunter2", "ConsulAclToken": "tok3n", "MySQLTopologyUser": "orc"}"#.utf8),
            path: "c.json", environment: ["P": "backendpw9"], refuseUnsupportedKeys: false)
        var dumped = ""
        dump(c, to: &dumped)
        for text in [c.description, c.debugDescription, "\(c)", String(reflecting: c), c.redactedJSON, dumped] {
            for secret in ["topsecret1", "backendpw9", "hunter2", "tok3n"] {
                #expect(!text.contains(secret), "leaked \(secret)")
            }
            #expect(text.contains("orc"))
        }
        #expect(c.redactedJSON.contains("\"MySQLTopologyPassword\": \"********\""))
        #expect(c.redactedJSON.contains("\"OAuthClientSecret\": \"\""))  // empty stays visibly empty
        #expect(c.mysqlTopologyPassword == "topsecret1")  // the value itself is intact
    }

    @Test func credentialVariablesAreKnownWhateverTheyAreCalled() throws {
        // A name that appears nowhere in orchd's code, made up at run time.
        let name = "ZQ_" + String(UInt64.random(in: 1...UInt64.max), radix: 36).uppercased()
        let environment = [name: "pw-\(name)", "MIRRORED_ELSEWHERE": "pw-\(name)", "REPL": "replpw", "HOME": "/root",
                           "EMPTY": ""]
        let (c, _) = try OrchestratorConfiguration.load(
            json: Array(#"{"MySQLTopologyPassword": "${\#(name)}", "MySQLReplicationPassword": "${REPL}", "HTTPAuthPassword": ""}"#.utf8),
            path: "c.json", environment: environment)
        #expect(c.secretEnvironmentNames == [name, "REPL"])
        #expect(c.credentialEnvironmentNames(in: environment) == [name, "MIRRORED_ELSEWHERE", "REPL"],
                "a variable holding the same password is withheld too; an empty secret matches nothing")
    }

    @Test func parsesClientSection() throws {
        let text = """
        # topology credentials
        [mysqld]
        user = mysql
        password = notthisone

        [Client]
        user = orchestrator
        password = "pa ss\\"word" # trailing comment
        host = 127.0.0.1
        !includedir /etc/mysql/conf.d/
        """
        let credentials = try MySQLCredentialsFile.parse(text, path: "/etc/orc.cnf")
        #expect(credentials.user == "orchestrator")
        #expect(credentials.password == "pa ss\"word")
        #expect(!credentials.description.contains("pa ss"))
        var dumped = ""
        dump(credentials, to: &dumped)
        #expect(!dumped.contains("pa ss"))
    }

    @Test func parsesVariants() throws {
        #expect(try MySQLCredentialsFile.parse("[client]\nuser=u\npassword='p#1'", path: "f") == MySQLCredentials(user: "u", password: "p#1"))
        #expect(try MySQLCredentialsFile.parse("[client]\nuser=u\npassword", path: "f") == MySQLCredentials(user: "u", password: ""))
        #expect(try MySQLCredentialsFile.parse("[client]\nuser = u # me\n", path: "f").user == "u")
        #expect(try MySQLCredentialsFile.parse("[client]\r\nuser=u\r\npassword=p\r\n", path: "f") == MySQLCredentials(user: "u", password: "p"))
    }

    @Test func reportsProblemsWithFileAndLine() {
        #expect(throws: ConfigurationError.self) { try MySQLCredentialsFile.parse("[mysqld]\nuser=u", path: "f") }
        do {
            _ = try MySQLCredentialsFile.parse("[client]\nuser=u\npassword=\"open", path: "/etc/orc.cnf")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "cannot read /etc/orc.cnf: line 3: missing closing \" quote")
        }
        do {
            _ = try MySQLCredentialsFile.parse("[client\nuser=u", path: "/etc/orc.cnf")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 1)
        }
        do {
            _ = try MySQLCredentialsFile.parse("", path: "/etc/orc.cnf")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("no \"user\" in the [client] section"))
        }
    }

    @Test func credentialsApplyToConfiguration() {
        var c = OrchestratorConfiguration()
        c.applyTopologyCredentials(MySQLCredentials(user: "orc", password: "pw"))
        #expect(c.mysqlTopologyUser == "orc" && c.mysqlTopologyPassword == "pw")
        c.applyOrchestratorCredentials(MySQLCredentials(user: "b", password: "q"))
        #expect(c.value(for: "MySQLOrchestratorUser") == .string("b"))
    }

    @Test func everyKeyHasADefaultAndNoDuplicates() {
        let names = ConfigurationSchema.keys.map(\.name)
        #expect(Set(names).count == names.count)
        let c = OrchestratorConfiguration()
        #expect(names.allSatisfy { c.value(for: $0) != nil })
        #expect(ConfigurationSchema.closestKey(to: "RaftNode") == "RaftNodes")
        #expect(ConfigurationSchema.closestKey(to: "qqqqqqqqqqqqqqqqqqqqqqq") == nil)
    }
}
