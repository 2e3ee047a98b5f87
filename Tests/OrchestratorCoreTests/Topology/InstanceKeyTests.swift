import Foundation
import OrchestratorCore
import Testing

@Suite("Topology: InstanceKey")
struct TopologyInstanceKeyTests {
    @Test func parsesHostAndPort() throws {
        #expect(try InstanceKey(parsing: "db1.example.com:3307") == InstanceKey(hostname: "db1.example.com", port: 3307))
        #expect(try InstanceKey(parsing: " 127.0.0.1:13306 ") == InstanceKey(hostname: "127.0.0.1", port: 13306))
    }

    @Test func hostWithoutPortTakesDefault() throws {
        #expect(try InstanceKey(parsing: "db1") == InstanceKey(hostname: "db1", port: 3306))
        #expect(try InstanceKey(parsing: "db1", defaultPort: 3310).port == 3310)
    }

    @Test func parsesIPv6() throws {
        #expect(try InstanceKey(parsing: "[::1]:3306") == InstanceKey(hostname: "::1", port: 3306))
        #expect(try InstanceKey(parsing: "[fe80::1]") == InstanceKey(hostname: "fe80::1", port: 3306))
        #expect(try InstanceKey(parsing: "::1") == InstanceKey(hostname: "::1", port: 3306))
        #expect(try InstanceKey(parsing: "fe80::1%eth0") == InstanceKey(hostname: "fe80::1%eth0", port: 3306))
        #expect(InstanceKey(hostname: "::1", port: 3307).displayString == "[::1]:3307")
        let key = InstanceKey(hostname: "fe80::2", port: 13306)
        #expect(try InstanceKey(parsing: key.displayString) == key)
    }

    @Test func rejectsBadInput() {
        #expect(throws: InstanceKeyError.emptyHostname(input: "")) { try InstanceKey(parsing: "") }
        #expect(throws: InstanceKeyError.emptyHostname(input: ":3306")) { try InstanceKey(parsing: ":3306") }
        #expect(throws: InstanceKeyError.invalidPort(input: "db:abc", port: "abc")) { try InstanceKey(parsing: "db:abc") }
        #expect(throws: InstanceKeyError.invalidPort(input: "db:70000", port: "70000")) { try InstanceKey(parsing: "db:70000") }
        #expect(throws: InstanceKeyError.invalidPort(input: "db:", port: "")) { try InstanceKey(parsing: "db:") }
        #expect(throws: InstanceKeyError.unbalancedBracket(input: "[::1:3306")) { try InstanceKey(parsing: "[::1:3306") }
        #expect(throws: InstanceKeyError.invalidHostname(input: "db1:3306:", hostname: "db1:3306:")) {
            try InstanceKey(parsing: "db1:3306:")
        }
        #expect(throws: InstanceKeyError.invalidHostname(input: "db 1:3306", hostname: "db 1")) { try InstanceKey(parsing: "db 1:3306") }
        #expect(throws: InstanceKeyError.unexpectedText(input: "[::1]3306", text: "3306")) { try InstanceKey(parsing: "[::1]3306") }
        do {
            _ = try InstanceKey(parsing: "db:abc")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("\"abc\""))
            #expect(error.description.contains("1 to 65535"))
        }
    }

    @Test func formatsAndOrders() {
        let a = InstanceKey(hostname: "a", port: 3307)
        let b = InstanceKey(hostname: "a", port: 3306)
        let c = InstanceKey(hostname: "b", port: 1)
        #expect([a, c, b].sorted() == [b, a, c])
        #expect(a.description == "a:3307")
        #expect(Set([a, a, b]).count == 2)
    }

    @Test func codableInUpstreamShape() throws {
        let key = InstanceKey(hostname: "db1", port: 3306)
        let data = try JSONEncoder().encode(key)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(object["Hostname"] as? String == "db1")
        #expect(object["Port"] as? Int == 3306)
        #expect(object.count == 2)
        #expect(try JSONDecoder().decode(InstanceKey.self, from: data) == key)
    }
}

@Suite("Topology: BinlogCoordinates")
struct TopologyBinlogCoordinatesTests {
    @Test func ordersByFileNumberThenPosition() {
        let a = BinlogCoordinates(logFile: "mysql-bin.000009", logPos: 900)
        let b = BinlogCoordinates(logFile: "mysql-bin.000010", logPos: 4)
        let c = BinlogCoordinates(logFile: "mysql-bin.000010", logPos: 120)
        let d = BinlogCoordinates(logFile: "mysql-bin.1000000", logPos: 4)
        #expect(a < b)
        #expect(b < c)
        #expect(c < d)  // numeric, not lexical: "1000000" > "000010"
        #expect(!(c < b))
        #expect([d, c, a, b].sorted() == [a, b, c, d])
        #expect(a.fileDistance(to: c) == 1)
    }

    @Test func codableInUpstreamShape() throws {
        let coordinates = BinlogCoordinates(logFile: "relay.000002", logPos: 77, type: .relay)
        let data = try JSONEncoder().encode(coordinates)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(object["LogFile"] as? String == "relay.000002")
        #expect(object["LogPos"] as? Int == 77)
        #expect(object["Type"] as? Int == 1)
        #expect(try JSONDecoder().decode(BinlogCoordinates.self, from: data) == coordinates)
        #expect(coordinates.description == "relay.000002:77")
    }
}
