/// Everything orchestrator knows about one MySQL/MariaDB server: identity, binlog and replication
/// state, GTID positions, its place in the topology and operator state (downtime, candidacy).
///
/// Mirrors upstream orchestrator's `Instance`. Swift names are camelCase; the JSON keys are upstream's
/// exact names (see `Instance+Codable.swift`), including the `...Runing` typo and the legacy duplicates
/// (`Slave_SQL_Running`, `SlaveLagSeconds`, `SlaveHosts`, `LogSlaveUpdatesEnabled`) that are written
/// on encode. Fields our probe adds beyond upstream: `gtidCurrentPos`, `gtidSlavePos`, `gtidBinlogPos`,
/// `gtidDomainID`, `oldestBinlogGTIDPosition`, `lastError`.
public struct Instance: Sendable, Hashable, Identifiable {
    public var id: InstanceKey { key }

    // MARK: - Identity
    public var key: InstanceKey
    public var instanceAlias: String = ""
    /// Seconds since the server started.
    public var uptime: Int64 = 0
    public var serverID: Int64 = 0
    public var serverUUID: String = ""
    public var version: String = ""
    public var versionComment: String = ""
    /// "MySQL", "MariaDB", "Percona", ...
    public var flavorName: String = ""
    public var readOnly: Bool = false

    // MARK: - Binary logs
    /// `@@binlog_format` (JSON `Binlog_format`).
    public var binlogFormat: String = ""
    public var binlogRowImage: String = ""
    public var logBinEnabled: Bool = false
    /// `log_slave_updates` / `log_replica_updates`.
    public var logReplicationUpdatesEnabled: Bool = false
    /// The server's own binary log position (`SHOW MASTER STATUS`).
    public var selfBinlogCoordinates = BinlogCoordinates()

    // MARK: - Replication source
    /// The server this one replicates from; nil when it is not configured as a replica.
    public var masterKey: InstanceKey?
    public var masterUUID: String = ""
    /// Comma-separated server UUIDs of this server's ancestors.
    public var ancestryUUID: String = ""
    public var isDetachedMaster: Bool = false

    // MARK: - Replication threads
    public var replicationSQLThreadRunning: Bool = false
    public var replicationIOThreadRunning: Bool = false
    public var replicationSQLThreadState: ReplicationThreadState = .noThread
    public var replicationIOThreadState: ReplicationThreadState = .noThread

    // MARK: - GTID and positions
    public var hasReplicationFilters: Bool = false
    /// `@@gtid_mode` on MySQL ("ON", "OFF", ...).
    public var gtidMode: String = ""
    public var supportsOracleGTID: Bool = false
    public var usingOracleGTID: Bool = false
    public var usingMariaDBGTID: Bool = false
    public var usingPseudoGTID: Bool = false
    /// How far the IO thread has read from the master's binary log.
    public var readBinlogCoordinates = BinlogCoordinates()
    /// How far the SQL thread has executed, in the master's binary log.
    public var execBinlogCoordinates = BinlogCoordinates()
    public var isDetached: Bool = false
    public var relaylogCoordinates = BinlogCoordinates(type: .relay)
    public var lastSQLError: String = ""
    public var lastIOError: String = ""
    public var secondsBehindMaster: Int64?
    /// `SQL_Delay` seconds for a delayed replica.
    public var sqlDelay: Int64 = 0
    /// MySQL `@@gtid_executed` (MariaDB: left empty, see `gtidCurrentPos`).
    public var executedGtidSet: String = ""
    public var gtidPurged: String = ""
    /// GTIDs executed here that the master does not have (see `ErrantGTID`).
    public var gtidErrant: String = ""
    /// MariaDB `@@gtid_current_pos`.
    public var gtidCurrentPos: String = ""
    /// MariaDB `@@gtid_slave_pos`.
    public var gtidSlavePos: String = ""
    /// MariaDB `@@gtid_binlog_pos`.
    public var gtidBinlogPos: String = ""
    /// MariaDB `@@gtid_domain_id` (0 elsewhere).
    public var gtidDomainID: Int64 = 0
    /// MariaDB: the GTID position at the start of the oldest binary log this server still has
    /// (`BINLOG_GTID_POS(<first of SHOW BINARY LOGS>, 4)`): every event up to it is purged. Empty when
    /// unknown, when log_bin is off, or when nothing was ever purged (a first binlog starts empty).
    /// MariaDB's counterpart of MySQL's `gtidPurged`.
    public var oldestBinlogGTIDPosition: String = ""

    // MARK: - Lag and topology
    public var replicationLagSeconds: Int64?
    /// Keys of the servers that replicate from this one.
    public var replicas: [InstanceKey] = []
    /// `host:port` of the cluster's top master.
    public var clusterName: String = ""
    /// The alias this server suggests for its cluster (from `DetectClusterAliasQuery`).
    public var suggestedClusterAlias: String = ""
    public var dataCenter: String = ""
    public var region: String = ""
    public var physicalEnvironment: String = ""
    /// 0 for the master, 1 for its replicas, ...
    public var replicationDepth: Int = 0
    public var isCoMaster: Bool = false
    public var hasReplicationCredentials: Bool = false
    public var replicationCredentialsAvailable: Bool = false

    // MARK: - Semi-sync
    public var semiSyncEnforced: Bool = false
    public var semiSyncAvailable: Bool = false
    public var semiSyncPriority: Int64 = 0
    public var semiSyncMasterPluginNewVersion: Bool = false
    public var semiSyncReplicaPluginNewVersion: Bool = false
    public var semiSyncMasterEnabled: Bool = false
    public var semiSyncReplicaEnabled: Bool = false
    /// Milliseconds (`rpl_semi_sync_master_timeout`).
    public var semiSyncMasterTimeout: Int64 = 0
    public var semiSyncMasterWaitForReplicaCount: Int64 = 0
    public var semiSyncMasterStatus: Bool = false
    public var semiSyncMasterClients: Int64 = 0
    public var semiSyncReplicaStatus: Bool = false

    // MARK: - Check state
    /// When a probe last succeeded; nil when never.
    public var lastSeenTimestamp: Timestamp?
    public var isLastCheckValid: Bool = false
    public var isUpToDate: Bool = false
    public var isRecentlyChecked: Bool = false
    public var secondsSinceLastSeen: Int64?
    public var countMySQLSnapshots: Int64 = 0
    /// Nanoseconds the last probe took.
    public var lastDiscoveryLatencyNanoseconds: Int64 = 0
    /// Why the last probe failed (empty when it succeeded).
    public var lastError: String = ""

    // MARK: - Operator state
    public var isCandidate: Bool = false
    public var promotionRule: PromotionRule = .neutral
    public var isDowntimed: Bool = false
    public var downtimeReason: String = ""
    public var downtimeOwner: String = ""
    public var downtimeEndTimestamp: Timestamp?
    /// Nanoseconds spent in the current downtime.
    public var elapsedDowntimeNanoseconds: Int64 = 0
    /// An active `begin-maintenance` lock (orchd's addition; upstream keeps it off the instance).
    public var isUnderMaintenance: Bool = false
    public var unresolvedHostname: String = ""
    public var allowTLS: Bool = false
    /// Short problem codes (e.g. "not_replicating", "replication_lag", "errant_gtid").
    public var problems: [String] = []

    // MARK: - Group replication (carried for API shape; not probed on MariaDB)
    public var replicationGroupName: String = ""
    public var replicationGroupIsSinglePrimary: Bool = false
    public var replicationGroupMemberState: String = ""
    public var replicationGroupMemberRole: String = ""
    public var replicationGroupMembers: [InstanceKey] = []
    public var replicationGroupPrimaryInstanceKey: InstanceKey?

    public init(key: InstanceKey) {
        self.key = key
    }
}

// MARK: - Derived facts

extension Instance {
    /// True for MariaDB servers (by version string, as upstream).
    public var isMariaDB: Bool { version.contains("MariaDB") || flavorName == "MariaDB" }

    /// True when replicating with either GTID flavour.
    public var usingGTID: Bool { usingOracleGTID || usingMariaDBGTID }

    /// True when configured to replicate from a master (upstream's heuristic: a master key and either
    /// a read position or GTID auto-positioning).
    public var isReplica: Bool {
        guard let masterKey, masterKey.isValid else { return false }
        return !readBinlogCoordinates.isEmpty || usingGTID || replicationIOThreadState.exists
    }

    /// True when this server replicates from no one.
    public var isMaster: Bool { !isReplica }

    /// Both replication threads running.
    public var replicaRunning: Bool {
        isReplica && replicationSQLThreadState.isRunning && replicationIOThreadState.isRunning
    }

    /// Both replication threads stopped (or absent).
    public var replicationThreadsStopped: Bool {
        !replicationSQLThreadState.isRunning && !replicationIOThreadState.isRunning
    }

    /// The SQL thread has applied everything the IO thread read.
    public var sqlThreadUpToDate: Bool { readBinlogCoordinates == execBinlogCoordinates }

    /// "10.11" for "10.11.6-MariaDB-log".
    public var majorVersion: String {
        let numbers = version.prefix { $0.isNumber || $0 == "." }.split(separator: ".")
        return numbers.prefix(2).joined(separator: ".")
    }

    /// True when `self` replicates from `other`.
    public func isReplica(of other: Instance) -> Bool { masterKey == other.key }
}
