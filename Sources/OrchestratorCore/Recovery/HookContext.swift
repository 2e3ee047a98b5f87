/// The values recovery hooks receive, both as `{placeholders}` substituted into the command text and
/// as `ORC_*` environment variables (upstream's names). Pure: built from the recovery record.
public struct HookContext: Sendable, Equatable {
    /// Placeholder name (without braces) to value, including upstream's legacy synonyms
    /// (`countSlaves`, `lostSlaves`, `slaveHosts`).
    public var placeholders: [String: String]
    /// `ORC_*` variables, sorted by name.
    public var environment: [(String, String)] {
        environmentValues.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
    var environmentValues: [String: String]

    public static func == (a: HookContext, b: HookContext) -> Bool {
        a.placeholders == b.placeholders && a.environmentValues == b.environmentValues
    }

    /// - Parameters:
    ///   - recovery: the recovery (its analysis entry names the failure; successor set once resolved).
    ///   - command: `force-master-failover`, `graceful-master-takeover`, ... or "" for automated ones.
    ///   - orchestratorHost: this node's host name.
    ///   - successorBinlogCoordinates: the new master's binlog position after promotion, when known.
    public init(recovery: TopologyRecovery, command: String = "", orchestratorHost: String,
                successorBinlogCoordinates: BinlogCoordinates? = nil) {
        let a = recovery.analysisEntry
        let instanceType = a.isCoMaster ? "co-master" : (a.isMaster ? "master" : "intermediate-master")
        let lost = recovery.lostReplicas.map(\.displayString).joined(separator: ",")
        let replicaHosts = a.replicas.map(\.displayString).joined(separator: ",")
        var p: [String: String] = [
            "failureType": a.analysis.rawValue,
            "instanceType": instanceType,
            "isMaster": String(a.isMaster),
            "isCoMaster": String(a.isCoMaster),
            "failureDescription": a.description,
            "command": command.isEmpty ? a.commandHint : command,
            "failedHost": a.analyzedInstanceKey.hostname,
            "failedPort": String(a.analyzedInstanceKey.port),
            "failureCluster": a.clusterDetails.clusterName,
            "failureClusterAlias": a.clusterDetails.clusterAlias,
            "failureClusterDomain": a.clusterDetails.clusterDomain,
            "countReplicas": String(a.countReplicas),
            "isDowntimed": String(a.isDowntimed),
            "autoMasterRecovery": String(a.clusterDetails.hasAutomatedMasterRecovery),
            "autoIntermediateMasterRecovery": String(a.clusterDetails.hasAutomatedIntermediateMasterRecovery),
            "orchestratorHost": orchestratorHost,
            "recoveryUID": recovery.uid,
            "isSuccessful": String(recovery.successorKey != nil),
            "lostReplicas": lost,
            "countLostReplicas": String(recovery.lostReplicas.count),
            "replicaHosts": replicaHosts,
        ]
        var env: [String: String] = [
            "ORC_FAILURE_TYPE": p["failureType"]!, "ORC_INSTANCE_TYPE": instanceType, "ORC_IS_MASTER": p["isMaster"]!,
            "ORC_IS_CO_MASTER": p["isCoMaster"]!, "ORC_FAILURE_DESCRIPTION": a.description, "ORC_COMMAND": p["command"]!,
            "ORC_FAILED_HOST": p["failedHost"]!, "ORC_FAILED_PORT": p["failedPort"]!,
            "ORC_FAILURE_CLUSTER": p["failureCluster"]!, "ORC_FAILURE_CLUSTER_ALIAS": p["failureClusterAlias"]!,
            "ORC_FAILURE_CLUSTER_DOMAIN": p["failureClusterDomain"]!, "ORC_COUNT_REPLICAS": p["countReplicas"]!,
            "ORC_IS_DOWNTIMED": p["isDowntimed"]!, "ORC_AUTO_MASTER_RECOVERY": p["autoMasterRecovery"]!,
            "ORC_AUTO_INTERMEDIATE_MASTER_RECOVERY": p["autoIntermediateMasterRecovery"]!,
            "ORC_ORCHESTRATOR_HOST": orchestratorHost, "ORC_IS_SUCCESSFUL": p["isSuccessful"]!,
            "ORC_LOST_REPLICAS": lost, "ORC_REPLICA_HOSTS": replicaHosts, "ORC_RECOVERY_UID": recovery.uid,
        ]
        if let successor = recovery.successorKey {
            p["successorHost"] = successor.hostname
            p["successorPort"] = String(successor.port)
            p["successorAlias"] = recovery.successorAlias
            env["ORC_SUCCESSOR_HOST"] = successor.hostname
            env["ORC_SUCCESSOR_PORT"] = String(successor.port)
            env["ORC_SUCCESSOR_ALIAS"] = recovery.successorAlias
            if let coordinates = successorBinlogCoordinates {
                p["successorBinlogCoordinates"] = coordinates.description
                env["ORC_SUCCESSOR_BINLOG_COORDINATES"] = coordinates.description
            }
        }
        p["countSlaves"] = p["countReplicas"]
        p["lostSlaves"] = p["lostReplicas"]
        p["slaveHosts"] = p["replicaHosts"]
        placeholders = p
        environmentValues = env
    }

    /// `command` with every known `{placeholder}` replaced; unknown braces are left as written (a
    /// shell `${VAR}` or a typo stays visible rather than vanishing).
    public func expand(_ command: String) -> String {
        var result = ""
        var rest = Substring(command)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), let value = placeholders[String(after[..<close])] {
                result += value
                rest = after[after.index(after: close)...]
            } else {
                result += "{"
                rest = after
            }
        }
        return result + rest
    }
}
