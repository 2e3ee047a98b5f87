import OrchestratorCore

/// Small topologies for analysis and recovery tests: servers `db:<port>`, MariaDB GTID by default.
enum Fixture {
    static let now = Timestamp(secondsSinceEpoch: 1_800_000_000)

    static func key(_ port: Int) -> InstanceKey { InstanceKey(hostname: "db", port: port) }

    /// A healthy, writable master named after itself.
    static func master(_ port: Int, cluster: Int? = nil) -> Instance {
        var i = Instance(key: key(port))
        i.version = "10.11.6-MariaDB-log"
        i.flavorName = "MariaDB"
        i.logBinEnabled = true
        i.logReplicationUpdatesEnabled = true
        i.binlogFormat = "ROW"
        i.serverID = Int64(port)
        i.gtidBinlogPos = "0-\(port)-100"
        i.gtidCurrentPos = "0-\(port)-100"
        i.selfBinlogCoordinates = BinlogCoordinates(logFile: "bin.000001", logPos: 1000)
        i.clusterName = key(cluster ?? port).displayString
        i.isLastCheckValid = true
        i.lastSeenTimestamp = now
        return i
    }

    /// A healthy MariaDB GTID replica of `master` at `depth`, caught up to `0-<origin>-<seq>`.
    static func replica(_ port: Int, of master: Int, depth: Int = 1, cluster: Int = 1, seq: UInt64 = 100, origin: Int = 1) -> Instance {
        var i = Instance(key: key(port))
        i.version = "10.11.6-MariaDB-log"
        i.flavorName = "MariaDB"
        i.logBinEnabled = true
        i.logReplicationUpdatesEnabled = true
        i.binlogFormat = "ROW"
        i.readOnly = true
        i.serverID = Int64(port)
        i.masterKey = key(master)
        i.usingMariaDBGTID = true
        i.replicationIOThreadState = .running
        i.replicationSQLThreadState = .running
        i.replicationIOThreadRunning = true
        i.replicationSQLThreadRunning = true
        i.readBinlogCoordinates = BinlogCoordinates(logFile: "bin.000001", logPos: 1000)
        i.execBinlogCoordinates = BinlogCoordinates(logFile: "bin.000001", logPos: 1000)
        i.gtidSlavePos = "0-\(origin)-\(seq)"
        i.gtidCurrentPos = "0-\(origin)-\(seq)"
        i.gtidBinlogPos = "0-\(origin)-\(seq)"
        i.secondsBehindMaster = 0
        i.replicationLagSeconds = 0
        i.clusterName = key(cluster).displayString
        i.replicationDepth = depth
        i.isLastCheckValid = true
        i.lastSeenTimestamp = now
        return i
    }

    /// The standard tree: master 1 with replicas 2 and 3; 3 is an intermediate master of 4 and 5.
    static func tree() -> [Instance] {
        [master(1), replica(2, of: 1), replica(3, of: 1), replica(4, of: 3, depth: 2), replica(5, of: 3, depth: 2)]
    }

    static func snapshot(_ instances: [Instance], state: IntentState = IntentState()) -> AnalysisSnapshot {
        AnalysisSnapshot(instances: instances, operatorState: state)
    }
}

extension Instance {
    /// orchd's last probe of it failed.
    func unreachable() -> Instance {
        var c = self
        c.isLastCheckValid = false
        c.lastError = "connect: connection refused"
        return c
    }

    /// IO thread retrying the connection to its dead master, SQL thread idle (MariaDB after kill -9).
    func failingToConnect() -> Instance {
        var c = self
        c.replicationIOThreadState = .other
        c.replicationIOThreadRunning = false
        c.lastIOError = "error reconnecting to master 'repl@db:\(masterKey?.port ?? 0)' - retry-time: 60  maximum-retries: 86400  message: Can't connect to server on 'db' (111 \"Connection refused\")"
        return c
    }

    /// Replication stopped by an operator.
    func stopped() -> Instance {
        var c = self
        c.replicationIOThreadState = .stopped
        c.replicationSQLThreadState = .stopped
        c.replicationIOThreadRunning = false
        c.replicationSQLThreadRunning = false
        return c
    }

    func with(_ change: (inout Instance) -> Void) -> Instance {
        var c = self
        change(&c)
        return c
    }
}

extension Array where Element == Instance {
    /// Replaces the instance at `port` with `change(it)`.
    func replacing(_ port: Int, _ change: (Instance) -> Instance) -> [Instance] {
        map { $0.key.port == port ? change($0) : $0 }
    }

    func removing(_ port: Int) -> [Instance] { filter { $0.key.port != port } }
}
