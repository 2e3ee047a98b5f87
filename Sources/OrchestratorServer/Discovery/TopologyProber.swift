import OrchestratorCore

/// Reads the state of one MySQL server. The seam between discovery and the network: the real
/// implementation is ``MySQLTopologyProber``; tests may supply a scripted one.
public protocol TopologyProber: Sendable {
    /// Probes `key` once. Never throws: a failure is a result with `error` set.
    func probe(_ key: InstanceKey) async -> ProbeResult

    /// Where a probe of `key` had best run (nil: anywhere).
    func taskExecutor(for key: InstanceKey) -> (any TaskExecutor)?
}

extension TopologyProber {
    public func taskExecutor(for key: InstanceKey) -> (any TaskExecutor)? { nil }
}

/// What one probe of one instance found.
public struct ProbeResult: Sendable {
    /// The instance probed.
    public var key: InstanceKey
    /// The instance as read, when the probe succeeded (check state fields are filled by discovery).
    public var instance: Instance?
    /// Why the probe failed (connection refused, access denied, not a MySQL server, ...).
    public var error: ProbeError?
    /// Result of `DetectClusterDomainQuery` on a master ("" otherwise).
    public var clusterDomain: String
    /// Non-fatal problems, e.g. a configured detection query that failed.
    public var warnings: [String]
    /// Wall time the probe took, nanoseconds.
    public var latencyNanoseconds: Int64
    /// `Last_IO_Errno` of the replica status (0: none, or not a replica).
    public var lastIOErrno: Int = 0

    public init(
        key: InstanceKey,
        instance: Instance? = nil,
        error: ProbeError? = nil,
        clusterDomain: String = "",
        warnings: [String] = [],
        latencyNanoseconds: Int64 = 0
    ) {
        self.key = key
        self.instance = instance
        self.error = error
        self.clusterDomain = clusterDomain
        self.warnings = warnings
        self.latencyNanoseconds = latencyNanoseconds
    }

    /// True when the instance answered.
    public var isValid: Bool { instance != nil && error == nil }

    /// Other instances this probe points at: the master and the replicas. A detached master host
    /// (`//host`, see `detach-replica-master-host`) names no server to crawl.
    public var neighbours: [InstanceKey] {
        guard let instance else { return [] }
        var keys = instance.replicas
        if let master = instance.masterKey, master.isValid, !master.isDetachedMasterKey, !instance.isDetachedMaster {
            keys.append(master)
        }
        return keys
    }
}

/// A failed probe: the MySQL error code when there is one, and a readable message naming the instance.
public struct ProbeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// MySQL/libmariadb error number, 0 when the failure did not come from MySQL.
    public var code: UInt32
    public var message: String

    public init(code: UInt32, message: String) {
        self.code = code
        self.message = message
    }

    init(_ error: any Error, key: InstanceKey) {
        if let mysql = error as? MySQLError {
            self.init(code: mysql.code, message: mysql.description + ProbeError.hint(for: mysql.code))
        } else {
            self.init(code: 0, message: "\(key): \(error)")
        }
    }

    public var description: String { message }

    /// A short "what to do" for the errors operators meet most.
    static func hint(for code: UInt32) -> String {
        switch code {
        case 1045: return " (check MySQLTopologyUser/MySQLTopologyPassword)"
        case 1227: return " (grant the topology user the missing privilege)"
        case 2002, 2003: return " (is the server running and listening on this port?)"
        case 2013, 2027, 2012: return " (is this port a MySQL server?)"
        default: return ""
        }
    }
}
