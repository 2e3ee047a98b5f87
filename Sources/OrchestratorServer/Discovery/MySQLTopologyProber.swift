import OrchestratorCore

/// Probes real MySQL/MariaDB servers over pooled libmariadb connections.
///
/// One probe reads server variables and status, `SHOW MASTER STATUS`, on MariaDB the oldest binary
/// log's start position, the replica status, the replicas (`SHOW SLAVE HOSTS`, or the processlist), and runs the operator's detection queries.
/// Essential reads that fail fail the probe; a failing detection query is a warning.
public struct MySQLTopologyProber: TopologyProber {
    public let pool: MySQLConnectionPool
    public let settings: DiscoverySettings

    public init(pool: MySQLConnectionPool, settings: DiscoverySettings) {
        self.pool = pool
        self.settings = settings
    }

    public func probe(_ key: InstanceKey) async -> ProbeResult {
        let clock = ContinuousClock()
        let start = clock.now
        var result: ProbeResult
        do {
            let endpoint = MySQLEndpoint(host: key.hostname, port: key.port)
            let settings = self.settings
            // One hop to the connection's thread for the whole probe.
            result = try await pool.withConnection(to: endpoint) { connection in
                try await connection.session { session in
                    try InstanceReader(key: key, session: session, settings: settings).read()
                }
            }
        } catch {
            result = ProbeResult(key: key, error: ProbeError(error, key: key))
        }
        let elapsed = clock.now - start
        result.latencyNanoseconds = elapsed.components.seconds * 1_000_000_000
            + elapsed.components.attoseconds / 1_000_000_000
        result.instance?.lastDiscoveryLatencyNanoseconds = result.latencyNanoseconds
        return result
    }
}

// MARK: - One read of one instance

/// The queries of one probe over one connection, run synchronously on the connection's thread.
struct InstanceReader {
    let key: InstanceKey
    let session: MySQLSession
    let settings: DiscoverySettings

    static let variableNames = [
        "server_id", "server_uuid", "version", "version_comment", "read_only", "log_bin",
        "log_slave_updates", "log_replica_updates", "binlog_format", "binlog_row_image", "gtid_mode",
        "gtid_strict_mode", "gtid_domain_id", "gtid_current_pos", "gtid_slave_pos", "gtid_binlog_pos",
        "gtid_executed", "gtid_purged", "report_host", "report_port",
        "rpl_semi_sync_master_enabled", "rpl_semi_sync_slave_enabled", "rpl_semi_sync_master_timeout",
        "rpl_semi_sync_master_wait_for_slave_count", "rpl_semi_sync_source_enabled",
        "rpl_semi_sync_replica_enabled", "rpl_semi_sync_source_timeout",
        "rpl_semi_sync_source_wait_for_replica_count",
    ]

    static let statusNames = [
        "Uptime", "Rpl_semi_sync_master_status", "Rpl_semi_sync_master_clients", "Rpl_semi_sync_slave_status",
        "Rpl_semi_sync_source_status", "Rpl_semi_sync_source_clients", "Rpl_semi_sync_replica_status",
    ]

    func read() throws -> ProbeResult {
        let variables = try nameValues("SHOW GLOBAL VARIABLES WHERE Variable_name IN", Self.variableNames)
        let status = try nameValues("SHOW GLOBAL STATUS WHERE Variable_name IN", Self.statusNames)
        var instance = Instance(key: key)
        InstanceMapper.apply(variables: variables, status: status, to: &instance)
        let flavor = ServerFlavor(version: instance.version, versionComment: instance.versionComment)

        if instance.logBinEnabled, let row = try session.query(flavor.masterStatusQuery).first {
            InstanceMapper.apply(masterStatus: row, to: &instance)
        }
        var warnings: [String] = []
        if flavor.isMariaDB, instance.logBinEnabled {
            instance.oldestBinlogGTIDPosition = readOldestBinlogStart(&warnings)
        }
        var lastIOErrno = 0
        if let row = try session.query(flavor.replicaStatusQuery).first {
            InstanceMapper.apply(replicaStatus: row, to: &instance)
            lastIOErrno = Int(row.int("Last_IO_Errno") ?? 0)
        }
        instance.replicas = try readReplicas(flavor)

        if instance.isReplica, !settings.replicationLagQuery.isEmpty {
            instance.replicationLagSeconds = readReplicationLag(&warnings)
        }

        var result = ProbeResult(key: key, instance: instance, warnings: warnings)
        result.lastIOErrno = lastIOErrno
        runDetectionQueries(&result)
        return result
    }

    // MARK: - Purged binary logs (MariaDB)

    /// The GTID position the oldest binary log still on the server starts at: events up to it are
    /// purged, so a replica behind it cannot be served from here. MariaDB has no `gtid_purged`; the
    /// oldest file's header (its Gtid_list event) says the same. Two small queries: the file list
    /// and one header read. A first binlog that was never purged starts at "" (nothing missing).
    /// A failure is a warning and leaves the position unknown, which claims nothing.
    private func readOldestBinlogStart(_ warnings: inout [String]) -> String {
        do {
            guard let file = try session.query("SHOW BINARY LOGS").first?[position: 0], !file.isEmpty else {
                return ""
            }
            let position = try session.query("SELECT BINLOG_GTID_POS(?, 4)", .string(file)).first?[position: 0]
            return position ?? ""
        } catch {
            warnings.append("reading the GTID position of the oldest binary log failed on \(key): \(error) "
                + "(the topology user needs BINLOG MONITOR); purged-binlog checks are skipped for it")
            return ""
        }
    }

    /// `SHOW ... WHERE Variable_name IN (...)` with the names bound as escaped literals; returns
    /// lower-cased name -> value. Absent variables (other flavour or version) are simply missing.
    private func nameValues(_ prefix: String, _ names: [String]) throws -> [String: String] {
        let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
        let rows = try session.query("\(prefix) (\(placeholders))", values: names.map { .string($0) })
        var values: [String: String] = [:]
        for row in rows.rows {
            if let name = row[position: 0] { values[name.lowercased()] = row[position: 1] ?? "" }
        }
        return values
    }

    // MARK: - Replicas

    private func readReplicas(_ flavor: ServerFlavor) throws -> [InstanceKey] {
        var keys: [InstanceKey] = []
        for row in try session.query(flavor.replicaHostsQuery).rows {
            guard let host = row["Host"], !host.isEmpty, let port = row.int("Port"), port > 0 else { continue }
            keys.append(InstanceKey(hostname: host, port: Int(port)))
        }
        if keys.isEmpty && !settings.discoverByShowSlaveHosts {
            keys = try readReplicasFromProcesslist()
        }
        return Array(Set(keys)).sorted()
    }

    /// Upstream's fallback: hosts of binlog dump threads, assumed to listen on this server's port.
    /// Several servers on one host make that key this server's own; such keys are dropped.
    private func readReplicasFromProcesslist() throws -> [InstanceKey] {
        let rows = try session.query(
            "SELECT SUBSTRING_INDEX(host, ':', 1) AS replica_hostname FROM information_schema.processlist "
                + "WHERE command IN (?, ?)", "Binlog Dump", "Binlog Dump GTID")
        return rows.rows.compactMap { row in
            guard let host = row["replica_hostname"], !host.isEmpty else { return nil }
            let replica = InstanceKey(hostname: host, port: key.port)
            return replica == key ? nil : replica
        }
    }

    // MARK: - Replication lag

    /// `ReplicationLagQuery`'s single value, run as written (no value of ours spliced in). Upstream's
    /// reading: a negative lag is clock skew and counts as 0. A failing query, no row, NULL or a value
    /// that is not a number leave the lag unknown (nil, `null` in the API), with a warning on the
    /// instance; unlike upstream, orchd does not quietly fall back to `Seconds_Behind_Master`, which
    /// is the number the operator configured the query to replace. A decimal answer (pt-heartbeat's
    /// fractional seconds) is rounded.
    private func readReplicationLag(_ warnings: inout [String]) -> Int64? {
        let text: String?
        do {
            text = try session.query(settings.replicationLagQuery).first?[position: 0]
        } catch {
            warnings.append("ReplicationLagQuery failed on \(key): \(error); its replication lag is unknown")
            return nil
        }
        guard let text = text.map({ String($0.filter { !$0.isWhitespace }) }), !text.isEmpty else {
            warnings.append("ReplicationLagQuery returned no value on \(key); its replication lag is unknown")
            return nil
        }
        guard let seconds = Int64(text) ?? Double(text).flatMap({ abs($0) < 1e15 ? Int64($0.rounded()) : nil }) else {
            warnings.append("ReplicationLagQuery returned \"\(text)\" on \(key), not a number of seconds; "
                + "its replication lag is unknown")
            return nil
        }
        return max(0, seconds)
    }

    // MARK: - Operator's detection queries

    /// Runs the configured queries as written (upstream's contract: they are the operator's SQL; no
    /// value of ours is ever spliced into them). A failing query becomes a warning.
    private func runDetectionQueries(_ result: inout ProbeResult) {
        guard var instance = result.instance else { return }
        let isMaster = !instance.isReplica
        // The alias is asked of every instance, as upstream does: the members of a co-master ring are
        // all replicas, and the grouping takes the root's answer, else the first member's.
        if let alias = scalar(settings.detectClusterAliasQuery, "DetectClusterAliasQuery", &result) {
            instance.suggestedClusterAlias = alias
        }
        if isMaster {
            if let domain = scalar(settings.detectClusterDomainQuery, "DetectClusterDomainQuery", &result) {
                result.clusterDomain = domain
            }
        }
        if let alias = scalar(settings.detectInstanceAliasQuery, "DetectInstanceAliasQuery", &result) {
            instance.instanceAlias = alias
        }
        if let priority = scalar(settings.detectSemiSyncEnforcedQuery, "DetectSemiSyncEnforcedQuery", &result) {
            instance.semiSyncPriority = Int64(priority) ?? 0
            instance.semiSyncEnforced = instance.semiSyncPriority > 0
        }
        instance.dataCenter = detect(
            (settings.detectDataCenterQuery, "DetectDataCenterQuery"),
            (settings.dataCenterPattern, "DataCenterPattern"), &result)
        instance.region = detect(
            (settings.detectRegionQuery, "DetectRegionQuery"), (settings.regionPattern, "RegionPattern"), &result)
        instance.physicalEnvironment = detect(
            (settings.detectPhysicalEnvironmentQuery, "DetectPhysicalEnvironmentQuery"),
            (settings.physicalEnvironmentPattern, "PhysicalEnvironmentPattern"), &result)
        result.instance = instance
    }

    /// A query (when configured) wins over a hostname pattern, as upstream.
    private func detect(
        _ query: (text: String, name: String),
        _ pattern: (text: String, name: String),
        _ result: inout ProbeResult
    ) -> String {
        if let value = scalar(query.text, query.name, &result) { return value }
        guard !pattern.text.isEmpty else { return "" }
        do {
            return try HostnamePattern.firstCapture(pattern.text, in: key.hostname) ?? ""
        } catch {
            result.warnings.append("\(pattern.name) \"\(pattern.text)\" is not a valid regex: \(error)")
            return ""
        }
    }

    /// First column of the first row of an operator query; nil when not configured or it failed.
    private func scalar(_ query: String, _ name: String, _ result: inout ProbeResult) -> String? {
        guard !query.isEmpty else { return nil }
        do {
            return try session.query(query).first?[position: 0] ?? ""
        } catch {
            result.warnings.append("\(name) failed on \(key): \(error)")
            return nil
        }
    }
}
