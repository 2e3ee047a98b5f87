import OrchestratorCore
import Testing

/// How start-replica is judged from the threads re-read after START SLAVE.
@Suite("start-replica outcome from re-probed threads")
struct ReplicationStartOutcomeTests {
    enum Expected: Sendable { case replicating, pending, failed(containing: String) }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var threads: ReplicaThreads?
        var deadlinePassed: Bool
        var expected: Expected
        var testDescription: String { name }
    }

    static func threads(_ io: String, _ sql: String, ioErrno: Int = 0, ioError: String = "", sqlErrno: Int = 0,
                        sqlError: String = "") -> ReplicaThreads {
        ReplicaThreads(masterHost: "db", masterPort: 1, ioThread: io, sqlThread: sql, lastIOErrno: ioErrno,
                       lastIOError: ioError, lastSQLErrno: sqlErrno, lastSQLError: sqlError)
    }

    static let cases: [Case] = [
        Case(name: "both threads run", threads: threads("Yes", "Yes"), deadlinePassed: false, expected: .replicating),
        Case(name: "both run at the deadline", threads: threads("Yes", "Yes"), deadlinePassed: true, expected: .replicating),
        Case(name: "IO connecting, no error yet", threads: threads("Connecting", "Yes"), deadlinePassed: false, expected: .pending),
        Case(name: "IO connecting at the deadline", threads: threads("Connecting", "Yes"), deadlinePassed: true,
             expected: .failed(containing: "IO Connecting")),
        Case(name: "IO retrying a refused connection", threads: threads("Connecting", "Yes", ioErrno: 2003, ioError: "Can't connect"),
             deadlinePassed: false, expected: .pending),
        Case(name: "IO still refused at the deadline", threads: threads("Connecting", "Yes", ioErrno: 2003, ioError: "Can't connect"),
             deadlinePassed: true, expected: .failed(containing: "error 2003: Can't connect")),
        Case(name: "IO shown stopped between connection retries", threads: threads("No", "Yes", ioErrno: 2003, ioError: "Can't connect"),
             deadlinePassed: false, expected: .pending),
        Case(name: "IO refused by the master's grants", threads: threads("No", "Yes", ioErrno: 1045, ioError: "Access denied"),
             deadlinePassed: false, expected: .failed(containing: "error 1045: Access denied")),
        Case(name: "IO stopped on a fatal error", threads: threads("No", "Yes", ioErrno: 1236, ioError: "binlog purged"),
             deadlinePassed: false, expected: .failed(containing: "IO thread stopped with error 1236")),
        Case(name: "SQL stopped on a duplicate key", threads: threads("Yes", "No", sqlErrno: 1062, sqlError: "Duplicate entry"),
             deadlinePassed: false, expected: .failed(containing: "skip-query")),
        Case(name: "no longer a replica", threads: nil, deadlinePassed: false, expected: .failed(containing: "no longer a replica")),
    ]

    @Test(arguments: cases)
    func outcome(_ c: Case) {
        let outcome = ReplicationStartOutcome.evaluate(c.threads, deadlinePassed: c.deadlinePassed)
        switch (c.expected, outcome) {
        case (.replicating, .replicating), (.pending, .pending): break
        case (.failed(let text), .failed(let reason)):
            #expect(reason.contains(text), "\(reason)")
        default:
            Issue.record("expected \(c.expected), got \(outcome)")
        }
    }
}
