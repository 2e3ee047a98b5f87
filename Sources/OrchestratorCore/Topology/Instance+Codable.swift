/// JSON in upstream orchestrator's shape. Encoding writes every upstream key (plus the legacy
/// duplicates); decoding accepts any subset, taking defaults for missing keys, and prefers the new
/// names over the legacy ones when both are present.
extension Instance: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case key = "Key"
        case instanceAlias = "InstanceAlias"
        case uptime = "Uptime"
        case serverID = "ServerID"
        case serverUUID = "ServerUUID"
        case version = "Version"
        case versionComment = "VersionComment"
        case flavorName = "FlavorName"
        case readOnly = "ReadOnly"
        case binlogFormat = "Binlog_format"
        case binlogRowImage = "BinlogRowImage"
        case logBinEnabled = "LogBinEnabled"
        case logSlaveUpdatesEnabled = "LogSlaveUpdatesEnabled"
        case logReplicationUpdatesEnabled = "LogReplicationUpdatesEnabled"
        case selfBinlogCoordinates = "SelfBinlogCoordinates"
        case masterKey = "MasterKey"
        case masterUUID = "MasterUUID"
        case ancestryUUID = "AncestryUUID"
        case isDetachedMaster = "IsDetachedMaster"
        case slaveSQLRunning = "Slave_SQL_Running"
        case replicationSQLThreadRunning = "ReplicationSQLThreadRuning"
        case slaveIORunning = "Slave_IO_Running"
        case replicationIOThreadRunning = "ReplicationIOThreadRuning"
        case replicationSQLThreadState = "ReplicationSQLThreadState"
        case replicationIOThreadState = "ReplicationIOThreadState"
        case hasReplicationFilters = "HasReplicationFilters"
        case gtidMode = "GTIDMode"
        case supportsOracleGTID = "SupportsOracleGTID"
        case usingOracleGTID = "UsingOracleGTID"
        case usingMariaDBGTID = "UsingMariaDBGTID"
        case usingPseudoGTID = "UsingPseudoGTID"
        case readBinlogCoordinates = "ReadBinlogCoordinates"
        case execBinlogCoordinates = "ExecBinlogCoordinates"
        case isDetached = "IsDetached"
        case relaylogCoordinates = "RelaylogCoordinates"
        case lastSQLError = "LastSQLError"
        case lastIOError = "LastIOError"
        case secondsBehindMaster = "SecondsBehindMaster"
        case sqlDelay = "SQLDelay"
        case executedGtidSet = "ExecutedGtidSet"
        case gtidPurged = "GtidPurged"
        case gtidErrant = "GtidErrant"
        case gtidCurrentPos = "GtidCurrentPos"
        case gtidSlavePos = "GtidSlavePos"
        case gtidBinlogPos = "GtidBinlogPos"
        case gtidDomainID = "GtidDomainId"
        case oldestBinlogGTIDPosition = "MariaDBOldestBinlogGTIDPosition"
        case slaveLagSeconds = "SlaveLagSeconds"
        case replicationLagSeconds = "ReplicationLagSeconds"
        case slaveHosts = "SlaveHosts"
        case replicas = "Replicas"
        case clusterName = "ClusterName"
        case suggestedClusterAlias = "SuggestedClusterAlias"
        case dataCenter = "DataCenter"
        case region = "Region"
        case physicalEnvironment = "PhysicalEnvironment"
        case replicationDepth = "ReplicationDepth"
        case isCoMaster = "IsCoMaster"
        case hasReplicationCredentials = "HasReplicationCredentials"
        case replicationCredentialsAvailable = "ReplicationCredentialsAvailable"
        case semiSyncEnforced = "SemiSyncEnforced"
        case semiSyncAvailable = "SemiSyncAvailable"
        case semiSyncPriority = "SemiSyncPriority"
        case semiSyncMasterPluginNewVersion = "SemiSyncMasterPluginNewVersion"
        case semiSyncReplicaPluginNewVersion = "SemiSyncReplicaPluginNewVersion"
        case semiSyncMasterEnabled = "SemiSyncMasterEnabled"
        case semiSyncReplicaEnabled = "SemiSyncReplicaEnabled"
        case semiSyncMasterTimeout = "SemiSyncMasterTimeout"
        case semiSyncMasterWaitForReplicaCount = "SemiSyncMasterWaitForReplicaCount"
        case semiSyncMasterStatus = "SemiSyncMasterStatus"
        case semiSyncMasterClients = "SemiSyncMasterClients"
        case semiSyncReplicaStatus = "SemiSyncReplicaStatus"
        case lastSeenTimestamp = "LastSeenTimestamp"
        case isLastCheckValid = "IsLastCheckValid"
        case isUpToDate = "IsUpToDate"
        case isRecentlyChecked = "IsRecentlyChecked"
        case secondsSinceLastSeen = "SecondsSinceLastSeen"
        case countMySQLSnapshots = "CountMySQLSnapshots"
        case isCandidate = "IsCandidate"
        case promotionRule = "PromotionRule"
        case isDowntimed = "IsDowntimed"
        case downtimeReason = "DowntimeReason"
        case downtimeOwner = "DowntimeOwner"
        case downtimeEndTimestamp = "DowntimeEndTimestamp"
        case elapsedDowntime = "ElapsedDowntime"
        case isUnderMaintenance = "IsUnderMaintenance"
        case unresolvedHostname = "UnresolvedHostname"
        case allowTLS = "AllowTLS"
        case problems = "Problems"
        case lastDiscoveryLatency = "LastDiscoveryLatency"
        case lastError = "LastError"
        case replicationGroupName = "ReplicationGroupName"
        case replicationGroupIsSinglePrimary = "ReplicationGroupIsSinglePrimary"
        case replicationGroupMemberState = "ReplicationGroupMemberState"
        case replicationGroupMemberRole = "ReplicationGroupMemberRole"
        case replicationGroupMembers = "ReplicationGroupMembers"
        case replicationGroupPrimaryInstanceKey = "ReplicationGroupPrimaryInstanceKey"
    }

    /// Every JSON key an encoded Instance carries (for tests and API documentation).
    public static var jsonKeys: [String] { CodingKeys.allCases.map(\.rawValue) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func get<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try c.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        func first<T: Decodable>(_ keys: CodingKeys..., fallback: T) throws -> T {
            for key in keys { if let value = try c.decodeIfPresent(T.self, forKey: key) { return value } }
            return fallback
        }
        func key(_ k: CodingKeys) throws -> InstanceKey? {
            guard let value = try c.decodeIfPresent(InstanceKey.self, forKey: k), !value.isEmpty else { return nil }
            return value
        }
        func time(_ k: CodingKeys) throws -> Timestamp? {
            if let text = try? c.decodeIfPresent(String.self, forKey: k) {
                if text.isEmpty { return nil }
                guard let value = Timestamp(parsing: text) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: k, in: c, debugDescription: "invalid timestamp \"\(text)\"")
                }
                return value
            }
            return try c.decodeIfPresent(Timestamp.self, forKey: k)
        }

        self.init(key: try get(.key, InstanceKey.empty))
        instanceAlias = try get(.instanceAlias, "")
        uptime = try get(.uptime, 0)
        serverID = try get(.serverID, 0)
        serverUUID = try get(.serverUUID, "")
        version = try get(.version, "")
        versionComment = try get(.versionComment, "")
        flavorName = try get(.flavorName, "")
        readOnly = try get(.readOnly, false)
        binlogFormat = try get(.binlogFormat, "")
        binlogRowImage = try get(.binlogRowImage, "")
        logBinEnabled = try get(.logBinEnabled, false)
        logReplicationUpdatesEnabled = try first(.logReplicationUpdatesEnabled, .logSlaveUpdatesEnabled, fallback: false)
        selfBinlogCoordinates = try get(.selfBinlogCoordinates, BinlogCoordinates())
        masterKey = try key(.masterKey)
        masterUUID = try get(.masterUUID, "")
        ancestryUUID = try get(.ancestryUUID, "")
        isDetachedMaster = try get(.isDetachedMaster, false)
        replicationSQLThreadRunning = try first(.replicationSQLThreadRunning, .slaveSQLRunning, fallback: false)
        replicationIOThreadRunning = try first(.replicationIOThreadRunning, .slaveIORunning, fallback: false)
        replicationSQLThreadState = try get(.replicationSQLThreadState, .noThread)
        replicationIOThreadState = try get(.replicationIOThreadState, .noThread)
        hasReplicationFilters = try get(.hasReplicationFilters, false)
        gtidMode = try get(.gtidMode, "")
        supportsOracleGTID = try get(.supportsOracleGTID, false)
        usingOracleGTID = try get(.usingOracleGTID, false)
        usingMariaDBGTID = try get(.usingMariaDBGTID, false)
        usingPseudoGTID = try get(.usingPseudoGTID, false)
        readBinlogCoordinates = try get(.readBinlogCoordinates, BinlogCoordinates())
        execBinlogCoordinates = try get(.execBinlogCoordinates, BinlogCoordinates())
        isDetached = try get(.isDetached, false)
        relaylogCoordinates = try get(.relaylogCoordinates, BinlogCoordinates(type: .relay))
        lastSQLError = try get(.lastSQLError, "")
        lastIOError = try get(.lastIOError, "")
        secondsBehindMaster = try get(.secondsBehindMaster, NullInt64(nil)).value
        sqlDelay = try get(.sqlDelay, 0)
        executedGtidSet = try get(.executedGtidSet, "")
        gtidPurged = try get(.gtidPurged, "")
        gtidErrant = try get(.gtidErrant, "")
        gtidCurrentPos = try get(.gtidCurrentPos, "")
        gtidSlavePos = try get(.gtidSlavePos, "")
        gtidBinlogPos = try get(.gtidBinlogPos, "")
        gtidDomainID = try get(.gtidDomainID, 0)
        oldestBinlogGTIDPosition = try get(.oldestBinlogGTIDPosition, "")
        replicationLagSeconds = try first(.replicationLagSeconds, .slaveLagSeconds, fallback: NullInt64(nil)).value
        replicas = try first(.replicas, .slaveHosts, fallback: [InstanceKey]())
        clusterName = try get(.clusterName, "")
        suggestedClusterAlias = try get(.suggestedClusterAlias, "")
        dataCenter = try get(.dataCenter, "")
        region = try get(.region, "")
        physicalEnvironment = try get(.physicalEnvironment, "")
        replicationDepth = try get(.replicationDepth, 0)
        isCoMaster = try get(.isCoMaster, false)
        hasReplicationCredentials = try get(.hasReplicationCredentials, false)
        replicationCredentialsAvailable = try get(.replicationCredentialsAvailable, false)
        semiSyncEnforced = try get(.semiSyncEnforced, false)
        semiSyncAvailable = try get(.semiSyncAvailable, false)
        semiSyncPriority = try get(.semiSyncPriority, 0)
        semiSyncMasterPluginNewVersion = try get(.semiSyncMasterPluginNewVersion, false)
        semiSyncReplicaPluginNewVersion = try get(.semiSyncReplicaPluginNewVersion, false)
        semiSyncMasterEnabled = try get(.semiSyncMasterEnabled, false)
        semiSyncReplicaEnabled = try get(.semiSyncReplicaEnabled, false)
        semiSyncMasterTimeout = try get(.semiSyncMasterTimeout, 0)
        semiSyncMasterWaitForReplicaCount = try get(.semiSyncMasterWaitForReplicaCount, 0)
        semiSyncMasterStatus = try get(.semiSyncMasterStatus, false)
        semiSyncMasterClients = try get(.semiSyncMasterClients, 0)
        semiSyncReplicaStatus = try get(.semiSyncReplicaStatus, false)
        lastSeenTimestamp = try time(.lastSeenTimestamp)
        isLastCheckValid = try get(.isLastCheckValid, false)
        isUpToDate = try get(.isUpToDate, false)
        isRecentlyChecked = try get(.isRecentlyChecked, false)
        secondsSinceLastSeen = try get(.secondsSinceLastSeen, NullInt64(nil)).value
        countMySQLSnapshots = try get(.countMySQLSnapshots, 0)
        isCandidate = try get(.isCandidate, false)
        promotionRule = try get(.promotionRule, .neutral)
        isDowntimed = try get(.isDowntimed, false)
        downtimeReason = try get(.downtimeReason, "")
        downtimeOwner = try get(.downtimeOwner, "")
        downtimeEndTimestamp = try time(.downtimeEndTimestamp)
        elapsedDowntimeNanoseconds = try get(.elapsedDowntime, 0)
        isUnderMaintenance = try get(.isUnderMaintenance, false)
        unresolvedHostname = try get(.unresolvedHostname, "")
        allowTLS = try get(.allowTLS, false)
        problems = try get(.problems, [String]())
        lastDiscoveryLatencyNanoseconds = try get(.lastDiscoveryLatency, 0)
        lastError = try get(.lastError, "")
        replicationGroupName = try get(.replicationGroupName, "")
        replicationGroupIsSinglePrimary = try get(.replicationGroupIsSinglePrimary, false)
        replicationGroupMemberState = try get(.replicationGroupMemberState, "")
        replicationGroupMemberRole = try get(.replicationGroupMemberRole, "")
        replicationGroupMembers = try get(.replicationGroupMembers, [InstanceKey]())
        replicationGroupPrimaryInstanceKey = try key(.replicationGroupPrimaryInstanceKey)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(instanceAlias, forKey: .instanceAlias)
        try c.encode(uptime, forKey: .uptime)
        try c.encode(serverID, forKey: .serverID)
        try c.encode(serverUUID, forKey: .serverUUID)
        try c.encode(version, forKey: .version)
        try c.encode(versionComment, forKey: .versionComment)
        try c.encode(flavorName, forKey: .flavorName)
        try c.encode(readOnly, forKey: .readOnly)
        try c.encode(binlogFormat, forKey: .binlogFormat)
        try c.encode(binlogRowImage, forKey: .binlogRowImage)
        try c.encode(logBinEnabled, forKey: .logBinEnabled)
        try c.encode(logReplicationUpdatesEnabled, forKey: .logSlaveUpdatesEnabled)
        try c.encode(logReplicationUpdatesEnabled, forKey: .logReplicationUpdatesEnabled)
        try c.encode(selfBinlogCoordinates, forKey: .selfBinlogCoordinates)
        try c.encode(masterKey ?? .empty, forKey: .masterKey)
        try c.encode(masterUUID, forKey: .masterUUID)
        try c.encode(ancestryUUID, forKey: .ancestryUUID)
        try c.encode(isDetachedMaster, forKey: .isDetachedMaster)
        try c.encode(replicationSQLThreadRunning, forKey: .slaveSQLRunning)
        try c.encode(replicationSQLThreadRunning, forKey: .replicationSQLThreadRunning)
        try c.encode(replicationIOThreadRunning, forKey: .slaveIORunning)
        try c.encode(replicationIOThreadRunning, forKey: .replicationIOThreadRunning)
        try c.encode(replicationSQLThreadState, forKey: .replicationSQLThreadState)
        try c.encode(replicationIOThreadState, forKey: .replicationIOThreadState)
        try c.encode(hasReplicationFilters, forKey: .hasReplicationFilters)
        try c.encode(gtidMode, forKey: .gtidMode)
        try c.encode(supportsOracleGTID, forKey: .supportsOracleGTID)
        try c.encode(usingOracleGTID, forKey: .usingOracleGTID)
        try c.encode(usingMariaDBGTID, forKey: .usingMariaDBGTID)
        try c.encode(usingPseudoGTID, forKey: .usingPseudoGTID)
        try c.encode(readBinlogCoordinates, forKey: .readBinlogCoordinates)
        try c.encode(execBinlogCoordinates, forKey: .execBinlogCoordinates)
        try c.encode(isDetached, forKey: .isDetached)
        try c.encode(relaylogCoordinates, forKey: .relaylogCoordinates)
        try c.encode(lastSQLError, forKey: .lastSQLError)
        try c.encode(lastIOError, forKey: .lastIOError)
        try c.encode(NullInt64(secondsBehindMaster), forKey: .secondsBehindMaster)
        try c.encode(sqlDelay, forKey: .sqlDelay)
        try c.encode(executedGtidSet, forKey: .executedGtidSet)
        try c.encode(gtidPurged, forKey: .gtidPurged)
        try c.encode(gtidErrant, forKey: .gtidErrant)
        try c.encode(gtidCurrentPos, forKey: .gtidCurrentPos)
        try c.encode(gtidSlavePos, forKey: .gtidSlavePos)
        try c.encode(gtidBinlogPos, forKey: .gtidBinlogPos)
        try c.encode(gtidDomainID, forKey: .gtidDomainID)
        // Not upstream's: kept because the backend stores instances as this JSON.
        try c.encode(oldestBinlogGTIDPosition, forKey: .oldestBinlogGTIDPosition)
        try c.encode(NullInt64(replicationLagSeconds), forKey: .slaveLagSeconds)
        try c.encode(NullInt64(replicationLagSeconds), forKey: .replicationLagSeconds)
        try c.encode(replicas, forKey: .slaveHosts)
        try c.encode(replicas, forKey: .replicas)
        try c.encode(clusterName, forKey: .clusterName)
        try c.encode(suggestedClusterAlias, forKey: .suggestedClusterAlias)
        try c.encode(dataCenter, forKey: .dataCenter)
        try c.encode(region, forKey: .region)
        try c.encode(physicalEnvironment, forKey: .physicalEnvironment)
        try c.encode(replicationDepth, forKey: .replicationDepth)
        try c.encode(isCoMaster, forKey: .isCoMaster)
        try c.encode(hasReplicationCredentials, forKey: .hasReplicationCredentials)
        try c.encode(replicationCredentialsAvailable, forKey: .replicationCredentialsAvailable)
        try c.encode(semiSyncEnforced, forKey: .semiSyncEnforced)
        try c.encode(semiSyncAvailable, forKey: .semiSyncAvailable)
        try c.encode(semiSyncPriority, forKey: .semiSyncPriority)
        try c.encode(semiSyncMasterPluginNewVersion, forKey: .semiSyncMasterPluginNewVersion)
        try c.encode(semiSyncReplicaPluginNewVersion, forKey: .semiSyncReplicaPluginNewVersion)
        try c.encode(semiSyncMasterEnabled, forKey: .semiSyncMasterEnabled)
        try c.encode(semiSyncReplicaEnabled, forKey: .semiSyncReplicaEnabled)
        try c.encode(semiSyncMasterTimeout, forKey: .semiSyncMasterTimeout)
        try c.encode(semiSyncMasterWaitForReplicaCount, forKey: .semiSyncMasterWaitForReplicaCount)
        try c.encode(semiSyncMasterStatus, forKey: .semiSyncMasterStatus)
        try c.encode(semiSyncMasterClients, forKey: .semiSyncMasterClients)
        try c.encode(semiSyncReplicaStatus, forKey: .semiSyncReplicaStatus)
        try c.encode(lastSeenTimestamp?.rfc3339 ?? "", forKey: .lastSeenTimestamp)
        try c.encode(isLastCheckValid, forKey: .isLastCheckValid)
        try c.encode(isUpToDate, forKey: .isUpToDate)
        try c.encode(isRecentlyChecked, forKey: .isRecentlyChecked)
        try c.encode(NullInt64(secondsSinceLastSeen), forKey: .secondsSinceLastSeen)
        try c.encode(countMySQLSnapshots, forKey: .countMySQLSnapshots)
        try c.encode(isCandidate, forKey: .isCandidate)
        try c.encode(promotionRule, forKey: .promotionRule)
        try c.encode(isDowntimed, forKey: .isDowntimed)
        try c.encode(downtimeReason, forKey: .downtimeReason)
        try c.encode(downtimeOwner, forKey: .downtimeOwner)
        try c.encode(downtimeEndTimestamp?.rfc3339 ?? "", forKey: .downtimeEndTimestamp)
        try c.encode(elapsedDowntimeNanoseconds, forKey: .elapsedDowntime)
        try c.encode(isUnderMaintenance, forKey: .isUnderMaintenance)
        try c.encode(unresolvedHostname, forKey: .unresolvedHostname)
        try c.encode(allowTLS, forKey: .allowTLS)
        try c.encode(problems, forKey: .problems)
        try c.encode(lastDiscoveryLatencyNanoseconds, forKey: .lastDiscoveryLatency)
        try c.encode(lastError, forKey: .lastError)
        try c.encode(replicationGroupName, forKey: .replicationGroupName)
        try c.encode(replicationGroupIsSinglePrimary, forKey: .replicationGroupIsSinglePrimary)
        try c.encode(replicationGroupMemberState, forKey: .replicationGroupMemberState)
        try c.encode(replicationGroupMemberRole, forKey: .replicationGroupMemberRole)
        try c.encode(replicationGroupMembers, forKey: .replicationGroupMembers)
        try c.encode(replicationGroupPrimaryInstanceKey ?? .empty, forKey: .replicationGroupPrimaryInstanceKey)
    }
}
