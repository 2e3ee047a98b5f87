/// A list of server variable (or status) names a probe asks for, each with its slot: the answer is
/// kept by slot (``NameValues``), so reading a value is an array index, not a lookup in a dictionary
/// built and hashed again for every probe (at 10,000 servers a second, that was a twentieth of a node).
protocol ServerNameList: CaseIterable, RawRepresentable where RawValue == Int {
    /// The names, in slot order, as the probe asks for them.
    static var names: [String] { get }
    /// Name (as asked, and lower-cased) -> slot.
    static var slots: [String: Int] { get }
}

extension ServerNameList {
    var name: String { Self.names[rawValue] }

    static func slotTable() -> [String: Int] {
        var slots: [String: Int] = [:]
        for (slot, name) in names.enumerated() {
            slots[name] = slot
            slots[name.lowercased()] = slot
        }
        return slots
    }

    static func slot(of name: String) -> Int? { slots[name] ?? slots[name.lowercased()] }
}

/// The values a server gave for a name list; names it does not have are nil.
struct NameValues<Name: ServerNameList>: ExpressibleByDictionaryLiteral {
    private var values = [String?](repeating: nil, count: Name.names.count)

    init() {}

    /// Values by name (any case), as a server would list them.
    init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { set(name, value) }
    }

    subscript(_ name: Name) -> String? { values[name.rawValue] }

    /// Keeps `value` for `name` as the server spelt it (any case); a name not asked for is ignored.
    mutating func set(_ name: String, _ value: String) {
        if let slot = Name.slot(of: name) { values[slot] = value }
    }
}

/// The global variables a probe reads (both flavours, old and new spellings).
enum ServerVariable: Int, ServerNameList {
    case serverID, serverUUID, version, versionComment, readOnly, logBin
    case logSlaveUpdates, logReplicaUpdates, binlogFormat, binlogRowImage, gtidMode
    case gtidStrictMode, gtidDomainID, gtidCurrentPos, gtidSlavePos, gtidBinlogPos
    case gtidExecuted, gtidPurged, reportHost, reportPort
    case semiSyncMasterEnabled, semiSyncSlaveEnabled, semiSyncMasterTimeout
    case semiSyncMasterWaitForSlaveCount, semiSyncSourceEnabled
    case semiSyncReplicaEnabled, semiSyncSourceTimeout
    case semiSyncSourceWaitForReplicaCount

    static let names = [
        "server_id", "server_uuid", "version", "version_comment", "read_only", "log_bin",
        "log_slave_updates", "log_replica_updates", "binlog_format", "binlog_row_image", "gtid_mode",
        "gtid_strict_mode", "gtid_domain_id", "gtid_current_pos", "gtid_slave_pos", "gtid_binlog_pos",
        "gtid_executed", "gtid_purged", "report_host", "report_port",
        "rpl_semi_sync_master_enabled", "rpl_semi_sync_slave_enabled", "rpl_semi_sync_master_timeout",
        "rpl_semi_sync_master_wait_for_slave_count", "rpl_semi_sync_source_enabled",
        "rpl_semi_sync_replica_enabled", "rpl_semi_sync_source_timeout",
        "rpl_semi_sync_source_wait_for_replica_count",
    ]
    static let slots = slotTable()
}

/// The global status variables a probe reads.
enum ServerStatus: Int, ServerNameList {
    case uptime, semiSyncMasterStatus, semiSyncMasterClients, semiSyncSlaveStatus
    case semiSyncSourceStatus, semiSyncSourceClients, semiSyncReplicaStatus

    static let names = [
        "Uptime", "Rpl_semi_sync_master_status", "Rpl_semi_sync_master_clients", "Rpl_semi_sync_slave_status",
        "Rpl_semi_sync_source_status", "Rpl_semi_sync_source_clients", "Rpl_semi_sync_replica_status",
    ]
    static let slots = slotTable()
}
