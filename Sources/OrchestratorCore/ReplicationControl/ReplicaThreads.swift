/// A replica's replication threads as `SHOW SLAVE STATUS` reported them just now: what the control
/// planners and the start-replica outcome decide from. The server fills it from its `ReplicaStatus`.
public struct ReplicaThreads: Sendable, Equatable {
    public var masterHost: String
    public var masterPort: Int
    /// `Yes`, `No` or `Connecting`.
    public var ioThread: String
    /// `Yes` or `No`.
    public var sqlThread: String
    public var lastIOErrno: Int
    public var lastIOError: String
    public var lastSQLErrno: Int
    public var lastSQLError: String

    public init(masterHost: String, masterPort: Int, ioThread: String, sqlThread: String,
                lastIOErrno: Int = 0, lastIOError: String = "", lastSQLErrno: Int = 0, lastSQLError: String = "") {
        self.masterHost = masterHost
        self.masterPort = masterPort
        self.ioThread = ioThread
        self.sqlThread = sqlThread
        self.lastIOErrno = lastIOErrno
        self.lastIOError = lastIOError
        self.lastSQLErrno = lastSQLErrno
        self.lastSQLError = lastSQLError
    }

    public var ioRunning: Bool { ioThread.lowercased() == "yes" }
    public var sqlRunning: Bool { sqlThread.lowercased() == "yes" }
    /// Either thread exists (an IO thread that is `Connecting` counts).
    public var threadsActive: Bool { sqlRunning || (!ioThread.isEmpty && ioThread.lowercased() != "no") }
    /// Both threads running.
    public var isReplicating: Bool { ioRunning && sqlRunning }
    /// The master as an instance key.
    public var masterKey: InstanceKey { InstanceKey(hostname: masterHost, port: masterPort) }
    /// `detach-replica-master-host` prefixes the host with `//` so the IO thread cannot connect.
    public var isMasterHostDetached: Bool { masterHost.hasPrefix("//") }

    /// `IO Connecting (2003: ...), SQL Yes`.
    public var summary: String {
        var io = "IO \(ioThread)"
        if lastIOErrno != 0 { io += " (\(lastIOErrno): \(lastIOError))" }
        var sql = "SQL \(sqlThread)"
        if lastSQLErrno != 0 { sql += " (\(lastSQLErrno): \(lastSQLError))" }
        return "\(io), \(sql)"
    }
}
