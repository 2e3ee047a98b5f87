import Foundation
import OrchestratorCore
import Testing

@Suite("Instance JSON")
struct InstanceJSONTests {
    static func sample() -> Instance {
        var i = Instance(key: InstanceKey(hostname: "127.0.0.1", port: 13307))
        i.instanceAlias = "replica-a"
        i.uptime = 1234
        i.serverID = 2
        i.version = "10.11.6-MariaDB-log"
        i.flavorName = "MariaDB"
        i.readOnly = true
        i.binlogFormat = "ROW"
        i.logBinEnabled = true
        i.logReplicationUpdatesEnabled = true
        i.selfBinlogCoordinates = BinlogCoordinates(logFile: "mysql-bin.000003", logPos: 1024)
        i.masterKey = InstanceKey(hostname: "127.0.0.1", port: 13306)
        i.replicationSQLThreadRunning = true
        i.replicationIOThreadRunning = true
        i.replicationSQLThreadState = .running
        i.replicationIOThreadState = .other
        i.usingMariaDBGTID = true
        i.readBinlogCoordinates = BinlogCoordinates(logFile: "mysql-bin.000007", logPos: 500)
        i.execBinlogCoordinates = BinlogCoordinates(logFile: "mysql-bin.000007", logPos: 400)
        i.relaylogCoordinates = BinlogCoordinates(logFile: "relay.000002", logPos: 9, type: .relay)
        i.secondsBehindMaster = 3
        i.replicationLagSeconds = 3
        i.gtidCurrentPos = "0-1-100"
        i.gtidSlavePos = "0-1-100"
        i.replicas = [InstanceKey(hostname: "127.0.0.1", port: 13309)]
        i.clusterName = "127.0.0.1:13306"
        i.replicationDepth = 1
        i.semiSyncReplicaEnabled = true
        i.lastSeenTimestamp = Timestamp(secondsSinceEpoch: 1_700_000_000)
        i.isLastCheckValid = true
        i.secondsSinceLastSeen = 0
        i.promotionRule = .preferNot
        i.downtimeEndTimestamp = Timestamp(secondsSinceEpoch: 1_700_003_600)
        i.problems = ["replication_lag"]
        i.lastDiscoveryLatencyNanoseconds = 2_500_000
        i.lastError = ""
        return i
    }

    @Test func roundTrips() throws {
        let instance = Self.sample()
        let data = try JSONEncoder().encode(instance)
        #expect(try JSONDecoder().decode(Instance.self, from: data) == instance)
        let empty = Instance(key: InstanceKey(hostname: "h", port: 1))
        #expect(try JSONDecoder().decode(Instance.self, from: JSONEncoder().encode(empty)) == empty)
    }

    @Test func carriesUpstreamKeyNamesAndShapes() throws {
        let data = try JSONEncoder().encode(Self.sample())
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        for key in ["Key", "InstanceAlias", "Uptime", "ServerID", "ServerUUID", "Version", "VersionComment",
                    "FlavorName", "ReadOnly", "Binlog_format", "BinlogRowImage", "LogBinEnabled",
                    "LogReplicationUpdatesEnabled", "LogSlaveUpdatesEnabled", "SelfBinlogCoordinates",
                    "MasterKey", "MasterUUID", "AncestryUUID", "IsDetachedMaster", "ReplicationSQLThreadRuning",
                    "ReplicationIOThreadRuning", "Slave_SQL_Running", "Slave_IO_Running",
                    "ReplicationSQLThreadState", "ReplicationIOThreadState", "HasReplicationFilters", "GTIDMode",
                    "SupportsOracleGTID", "UsingOracleGTID", "UsingMariaDBGTID", "UsingPseudoGTID",
                    "ReadBinlogCoordinates", "ExecBinlogCoordinates", "RelaylogCoordinates", "IsDetached",
                    "LastSQLError", "LastIOError", "SecondsBehindMaster", "SQLDelay", "ExecutedGtidSet",
                    "GtidPurged", "GtidErrant", "ReplicationLagSeconds", "SlaveLagSeconds", "Replicas",
                    "SlaveHosts", "ClusterName", "SuggestedClusterAlias", "DataCenter", "Region",
                    "PhysicalEnvironment", "ReplicationDepth", "IsCoMaster", "SemiSyncAvailable",
                    "SemiSyncMasterEnabled", "SemiSyncReplicaEnabled", "SemiSyncMasterStatus",
                    "SemiSyncReplicaStatus", "SemiSyncMasterClients", "SemiSyncMasterTimeout",
                    "SemiSyncMasterWaitForReplicaCount", "LastSeenTimestamp", "IsLastCheckValid", "IsUpToDate",
                    "IsRecentlyChecked", "SecondsSinceLastSeen", "IsCandidate", "PromotionRule", "IsDowntimed",
                    "DowntimeReason", "DowntimeOwner", "DowntimeEndTimestamp", "UnresolvedHostname", "AllowTLS",
                    "Problems", "LastDiscoveryLatency", "GtidCurrentPos", "GtidSlavePos", "GtidBinlogPos",
                    "LastError"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(Set(object.keys) == Set(Instance.jsonKeys))
        let key = object["Key"] as! [String: Any]
        #expect(key["Hostname"] as? String == "127.0.0.1" && key["Port"] as? Int == 13307)
        let lag = object["SecondsBehindMaster"] as! [String: Any]
        #expect(lag["Int64"] as? Int == 3 && lag["Valid"] as? Bool == true)
        let unset = object["SecondsSinceLastSeen"] as! [String: Any]
        #expect(unset["Valid"] as? Bool == true)
        #expect(object["ReplicationIOThreadState"] as? Int == 2)
        #expect(object["Binlog_format"] as? String == "ROW")
        #expect(object["PromotionRule"] as? String == "prefer_not")
        #expect(object["LastSeenTimestamp"] as? String == "2023-11-14T22:13:20Z")
        #expect(object["LastDiscoveryLatency"] as? Int == 2_500_000)
        #expect((object["Replicas"] as? [[String: Any]])?.first?["Port"] as? Int == 13309)
        #expect((object["SlaveHosts"] as? [[String: Any]])?.count == 1)
        let coordinates = object["RelaylogCoordinates"] as! [String: Any]
        #expect(coordinates["Type"] as? Int == 1)
    }

    @Test func masterlessInstanceHasEmptyMasterKeyAndInvalidLag() throws {
        let data = try JSONEncoder().encode(Instance(key: InstanceKey(hostname: "m", port: 3306)))
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let master = object["MasterKey"] as! [String: Any]
        #expect(master["Hostname"] as? String == "" && master["Port"] as? Int == 0)
        let lag = object["SecondsBehindMaster"] as! [String: Any]
        #expect(lag["Valid"] as? Bool == false)
        #expect(object["LastSeenTimestamp"] as? String == "")
    }

    @Test func decodesUpstreamStyleJSONWithLegacyNames() throws {
        let json = """
        {"Key":{"Hostname":"db2","Port":3306},"MasterKey":{"Hostname":"db1","Port":3306},
         "Slave_SQL_Running":true,"Slave_IO_Running":false,"LogSlaveUpdatesEnabled":true,
         "SlaveLagSeconds":{"Int64":7,"Valid":true},"SlaveHosts":[{"Hostname":"db3","Port":3306}],
         "SecondsBehindMaster":{"Int64":0,"Valid":false},"LastSeenTimestamp":"2024-03-01 10:20:30",
         "DowntimeEndTimestamp":"","PromotionRule":"","ReplicationSQLThreadState":1}
        """
        let instance = try JSONDecoder().decode(Instance.self, from: Data(json.utf8))
        #expect(instance.masterKey == InstanceKey(hostname: "db1", port: 3306))
        #expect(instance.replicationSQLThreadRunning && !instance.replicationIOThreadRunning)
        #expect(instance.logReplicationUpdatesEnabled)
        #expect(instance.replicationLagSeconds == 7)
        #expect(instance.secondsBehindMaster == nil)
        #expect(instance.replicas == [InstanceKey(hostname: "db3", port: 3306)])
        #expect(instance.lastSeenTimestamp?.rfc3339 == "2024-03-01T10:20:30Z")
        #expect(instance.downtimeEndTimestamp == nil)
        #expect(instance.promotionRule == .neutral)
        #expect(instance.replicationSQLThreadState == .running)
        #expect(instance.replicationIOThreadState == .noThread)
    }

    @Test func timestampsParseAndFormat() {
        #expect(Timestamp(secondsSinceEpoch: 0).rfc3339 == "1970-01-01T00:00:00Z")
        #expect(Timestamp(secondsSinceEpoch: 951_782_400).rfc3339 == "2000-02-29T00:00:00Z")
        #expect(Timestamp(parsing: "2006-01-02T15:04:05Z")?.secondsSinceEpoch == 1_136_214_245)
        let offsetParsed = Timestamp(parsing: "2006-01-02T15:04:05+02:00")
        #expect(offsetParsed == Timestamp(secondsSinceEpoch: 1_136_207_045))
        #expect(Timestamp(parsing: "2006-01-02 15:04:05.123456")?.secondsSinceEpoch == 1_136_214_245)
        #expect(Timestamp(parsing: "2006-01-02") == nil)
        #expect(Timestamp(parsing: "yesterday") == nil)
        #expect(Timestamp(secondsSinceEpoch: 1_136_214_245).sqlDateTime == "2006-01-02 15:04:05")
        #expect(Timestamp(secondsSinceEpoch: -1).rfc3339 == "1969-12-31T23:59:59Z")
    }

    @Test func problemsFollowUpstreamOrder() {
        var i = Self.sample()
        i.isRecentlyChecked = true
        #expect(i.computedProblems(reasonableReplicationLagSeconds: 10) == ["not_replicating"])  // IO "other"
        i.replicationIOThreadState = .running
        #expect(i.computedProblems(reasonableReplicationLagSeconds: 10) == [])
        i.replicationLagSeconds = 30
        i.gtidErrant = "0-2-5"
        #expect(i.computedProblems(reasonableReplicationLagSeconds: 10) == ["replication_lag", "errant_gtid"])
        i.sqlDelay = 25  // a delayed replica is measured against its delay
        #expect(i.computedProblems(reasonableReplicationLagSeconds: 10) == ["errant_gtid"])
        i.isRecentlyChecked = false
        #expect(i.computedProblems(reasonableReplicationLagSeconds: 10).first == "not_recently_checked")
        i.isLastCheckValid = false
        #expect(i.computedProblems(reasonableReplicationLagSeconds: 10).first == "last_check_invalid")
        var master = Instance(key: InstanceKey(hostname: "m", port: 1))
        master.isLastCheckValid = true
        master.isRecentlyChecked = true
        #expect(master.computedProblems(reasonableReplicationLagSeconds: 10).isEmpty)
    }

    @Test func derivedFacts() {
        var i = Self.sample()
        #expect(i.isReplica && i.isMariaDB && i.usingGTID)
        #expect(!i.replicaRunning)  // IO thread state "other"
        i.replicationIOThreadState = .running
        #expect(i.replicaRunning)
        #expect(i.majorVersion == "10.11")
        #expect(!i.sqlThreadUpToDate)
        i.masterKey = nil
        #expect(i.isMaster)
    }
}
