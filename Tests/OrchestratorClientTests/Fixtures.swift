// Recorded-style JSON following upstream orchestrator's shapes (go/inst/instance.go, cluster.go,
// topology_recovery.go, analysis.go): field names, nesting, and Go's encodings (NullInt64 as
// {"Int64","Valid"}, empty slices as null, InstanceKeyMap as an array of keys).

enum Fixtures {
    static func key(_ host: String, _ port: Int) -> String {
        #"{"Hostname":"\#(host)","Port":\#(port)}"#
    }

    /// One Instance as `/api/instance/:host/:port` returns it.
    static func instance(
        _ host: String, _ port: Int = 3306, master: (String, Int)? = nil, cluster: String = "db-a:3306",
        sqlRunning: Bool = true, ioRunning: Bool = true, sqlState: Int = 1, ioState: Int = 1,
        lastSQLError: String = "", lastIOError: String = "", dataCenter: String = "dc1", errant: String = "",
        replicas: [(String, Int)] = [], depth: Int = 1
    ) -> String {
        let masterKey = master.map { key($0.0, $0.1) } ?? #"{"Hostname":"","Port":0}"#
        let replicaKeys = replicas.isEmpty ? "[]" : "[" + replicas.map { key($0.0, $0.1) }.joined(separator: ",") + "]"
        return """
        {"Key":\(key(host, port)),"InstanceAlias":"","Uptime":86400,"ServerID":\(port),"ServerUUID":"",\
        "Version":"10.11.6-MariaDB-0+deb12u1-log","VersionComment":"Debian 12","FlavorName":"MariaDB","ReadOnly":\(master != nil),\
        "Binlog_format":"ROW","BinlogRowImage":"FULL","LogBinEnabled":true,"LogSlaveUpdatesEnabled":true,\
        "LogReplicationUpdatesEnabled":true,"SelfBinlogCoordinates":{"LogFile":"mysql-bin.000003","LogPos":1234,"Type":0},\
        "MasterKey":\(masterKey),"MasterUUID":"","AncestryUUID":"","IsDetachedMaster":false,\
        "Slave_SQL_Running":\(sqlRunning),"ReplicationSQLThreadRuning":\(sqlRunning),\
        "Slave_IO_Running":\(ioRunning),"ReplicationIOThreadRuning":\(ioRunning),\
        "ReplicationSQLThreadState":\(sqlState),"ReplicationIOThreadState":\(ioState),\
        "HasReplicationFilters":false,"GTIDMode":"","SupportsOracleGTID":false,"UsingOracleGTID":false,\
        "UsingMariaDBGTID":true,"UsingPseudoGTID":false,\
        "ReadBinlogCoordinates":{"LogFile":"mysql-bin.000003","LogPos":1234,"Type":0},\
        "ExecBinlogCoordinates":{"LogFile":"mysql-bin.000003","LogPos":1234,"Type":0},\
        "IsDetached":false,"RelaylogCoordinates":{"LogFile":"relay-bin.000002","LogPos":900,"Type":1},\
        "LastSQLError":"\(lastSQLError)","LastIOError":"\(lastIOError)",\
        "SecondsBehindMaster":{"Int64":0,"Valid":\(master != nil)},"SQLDelay":0,\
        "ExecutedGtidSet":"0-1-42","GtidPurged":"","GtidErrant":"\(errant)",\
        "masterExecutedGtidSet":"","ReplicationLagSeconds":{"Int64":0,"Valid":true},\
        "SlaveHosts":\(replicaKeys),"Replicas":\(replicaKeys),"ClusterName":"\(cluster)",\
        "SuggestedClusterAlias":"alpha","DataCenter":"\(dataCenter)","Region":"","PhysicalEnvironment":"",\
        "ReplicationDepth":\(master == nil ? 0 : depth),"IsCoMaster":false,"HasReplicationCredentials":true,\
        "SemiSyncEnforced":false,"SemiSyncAvailable":true,"SemiSyncPriority":0,"SemiSyncMasterEnabled":false,\
        "SemiSyncReplicaEnabled":false,"SemiSyncMasterTimeout":0,"SemiSyncMasterWaitForReplicaCount":0,\
        "SemiSyncMasterStatus":false,"SemiSyncMasterClients":0,"SemiSyncReplicaStatus":false,\
        "LastSeenTimestamp":"2026-11-27 17:00:00","IsLastCheckValid":true,"IsUpToDate":true,\
        "IsRecentlyChecked":true,"SecondsSinceLastSeen":{"Int64":2,"Valid":true},"CountMySQLSnapshots":0,\
        "IsCandidate":false,"PromotionRule":"neutral","IsDowntimed":false,"DowntimeReason":"",\
        "DowntimeOwner":"","DowntimeEndTimestamp":"","ElapsedDowntime":0,"UnresolvedHostname":"",\
        "AllowTLS":false,"Problems":[],"LastDiscoveryLatency":1830512}
        """
    }

    /// `{"Code":"OK","Message":...,"Details":...}` as upstream's Respond() writes it.
    static func ok(_ message: String, details: String) -> String {
        #"{"Code":"OK","Message":"\#(message)","Details":\#(details)}"#
    }

    static func error(_ message: String, details: String = "null") -> String {
        #"{"Code":"ERROR","Message":"\#(message)","Details":\#(details)}"#
    }

    static let clustersInfo = """
    [{"ClusterName":"db-a:3306","ClusterAlias":"alpha","ClusterDomain":"","CountInstances":4,\
    "HeuristicLag":0,"HasAutomatedMasterRecovery":true,"HasAutomatedIntermediateMasterRecovery":true},\
    {"ClusterName":"db-x:3307","ClusterAlias":"","ClusterDomain":"","CountInstances":1,\
    "HeuristicLag":0,"HasAutomatedMasterRecovery":false,"HasAutomatedIntermediateMasterRecovery":true}]
    """

    static let clusterInfo = """
    {"ClusterName":"db-a:3306","ClusterAlias":"alpha","ClusterDomain":"","CountInstances":4,"HeuristicLag":0,\
    "HasAutomatedMasterRecovery":true,"HasAutomatedIntermediateMasterRecovery":true}
    """

    /// A TopologyRecovery as graceful-master-takeover / force-master-failover put in Details.
    static let topologyRecovery = """
    {"Id":7,"UID":"1732726800:db-a:3306","AnalysisEntry":{"AnalyzedInstanceKey":\(key("db-a", 3306)),\
    "Analysis":"DeadMaster","ClusterDetails":{"ClusterName":"db-a:3306","ClusterAlias":"alpha"}},\
    "SuccessorKey":\(key("db-b", 3306)),"SuccessorAlias":"","IsActive":false,"IsSuccessful":true,\
    "LostReplicas":[],"ParticipatingInstanceKeys":[\(key("db-a", 3306)),\(key("db-b", 3306))],"AllErrors":[],\
    "RecoveryStartTimestamp":"2026-11-27 17:00:00","RecoveryEndTimestamp":"2026-11-27 17:00:01",\
    "ProcessingNodeHostname":"orc1","ProcessingNodeToken":"abc","Acknowledged":false,"AcknowledgedAt":"",\
    "AcknowledgedBy":"","AcknowledgedComment":"","LastDetectionId":3,"RelatedRecoveryId":0,"Type":"MasterRecovery",\
    "RecoveryType":"MasterRecovery"}
    """

    static let replicationAnalysis = """
    {"Code":"OK","Message":"Analysis","Details":[\
    {"AnalyzedInstanceKey":\(key("db-a", 3306)),"AnalyzedInstanceMasterKey":{"Hostname":"","Port":0},\
    "ClusterDetails":{"ClusterName":"db-a:3306","ClusterAlias":"alpha","ClusterDomain":"","CountInstances":4},\
    "IsMaster":true,"CountReplicas":3,"CountValidReplicas":0,"Analysis":"DeadMaster","Description":"",\
    "StructureAnalysis":null,"IsDowntimed":false},\
    {"AnalyzedInstanceKey":\(key("db-x", 3307)),"AnalyzedInstanceMasterKey":{"Hostname":"","Port":0},\
    "ClusterDetails":{"ClusterName":"db-x:3307","ClusterAlias":"","ClusterDomain":"","CountInstances":2},\
    "IsMaster":true,"CountReplicas":1,"CountValidReplicas":1,"Analysis":"NoProblem","Description":"",\
    "StructureAnalysis":["NoFailoverSupportStructureWarning"],"IsDowntimed":false}]}
    """

    static let topologyText = "db-a:3306   [0s,ok,10.11.6-MariaDB-log,rw,ROW,>>,GTID]\\n+ db-b:3306 [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]\\n+ db-c:3306 [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]\\n  + db-d:3306 [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]"
}
