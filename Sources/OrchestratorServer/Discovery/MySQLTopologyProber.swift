import Logging
import OrchestratorCore
import Synchronization

/// Probes real MySQL/MariaDB servers.
///
/// One probe reads server variables and status, `SHOW MASTER STATUS`, on MariaDB the oldest binary
/// log's start position (at most every ``oldestBinlogRefreshSeconds``, or when the current binary log
/// changes), the replica status, the replicas (`SHOW SLAVE HOSTS`, or the processlist), and runs the
/// operator's detection queries. Essential reads that fail fail the probe; a failing detection query
/// is a warning.
///
/// Probes go over orchd's own event-driven connections (``MySQLWirePool``: no thread or libmariadb
/// handle per server, which is what lets one node poll thousands). A server those cannot serve (TLS
/// required by `MySQLTopologyUseMutualTLS`, or asked for by the server in mixed mode, or an
/// authentication plugin other than `mysql_native_password`) is probed over libmariadb (`pool`), and
/// the node says so once per server.
public struct MySQLTopologyProber: TopologyProber {
    public let pool: MySQLConnectionPool
    public let settings: DiscoverySettings
    /// Nil when every connection must be TLS (libmariadb only).
    let wire: MySQLWirePool?
    private let state: ProbeState
    private let logger: Logger

    /// How long a MariaDB server's oldest binary log start is reused while its current binary log does
    /// not change (purges remove old logs; they happen at rotation unless run by hand).
    public static let oldestBinlogRefreshSeconds = 10

    public init(pool: MySQLConnectionPool, settings: DiscoverySettings, logger: Logger = Logger(label: "orchd.discovery")) {
        self.pool = pool
        self.settings = settings
        self.wire = pool.config.tls.mode == .required ? nil : MySQLWirePool(config: pool.config)
        self.state = ProbeState()
        self.logger = logger
    }

    public func probe(_ key: InstanceKey) async -> ProbeResult {
        let clock = ContinuousClock()
        let start = clock.now
        var result: ProbeResult
        do {
            result = try await read(key)
        } catch {
            result = ProbeResult(key: key, error: ProbeError(error, key: key))
        }
        let elapsed = clock.now - start
        result.latencyNanoseconds = elapsed.components.seconds * 1_000_000_000
            + elapsed.components.attoseconds / 1_000_000_000
        result.instance?.lastDiscoveryLatencyNanoseconds = result.latencyNanoseconds
        return result
    }

    /// On orchd's own connections, the event loop `key`'s connection lives on (see
    /// ``EventLoopTaskExecutor``); a server probed over libmariadb runs anywhere.
    public func taskExecutor(for key: InstanceKey) -> (any TaskExecutor)? {
        let endpoint = MySQLEndpoint(host: key.hostname, port: key.port)
        guard let wire, !state.needsLibrary(endpoint) else { return nil }
        return wire.executor(for: endpoint)
    }

    /// Closes the probe connections (idle ones now, busy ones when given back).
    public func shutdown() async {
        await wire?.shutdown()
        await pool.shutdown()
    }

    private func read(_ key: InstanceKey) async throws -> ProbeResult {
        let endpoint = MySQLEndpoint(host: key.hostname, port: key.port)
        let settings = self.settings
        let state = self.state
        if let wire, !state.needsLibrary(endpoint) {
            do {
                return try await wire.withConnection(to: endpoint) { connection in
                    try await InstanceReader(key: key, session: connection, settings: settings, state: state).read()
                }
            } catch MySQLWireError.needsLibrary(let why) {
                useLibrary(endpoint, why)
            } catch let error as MySQLError where pool.config.tls.mode == .mixed && MySQLTLSSettings.plainRefusalMayNeedTLS(error) {
                useLibrary(endpoint, "the server refused a plain connection (\(error.message)); trying TLS")
            }
        }
        return try await pool.withConnection(to: endpoint) { connection in
            try await InstanceReader(key: key, session: connection, settings: settings, state: state).read()
        }
    }

    private func useLibrary(_ endpoint: MySQLEndpoint, _ why: String) {
        if state.markNeedsLibrary(endpoint) {
            logger.info("probing \(endpoint) over libmariadb from now on: \(why)")
        }
    }
}

/// What probes remember between rounds: servers that need libmariadb, and MariaDB's oldest binary log
/// start per server.
final class ProbeState: Sendable {
    struct OldestBinlog {
        var currentFile: String
        var position: String
        var readAt: ContinuousClock.Instant
    }

    private let library = Mutex<Set<MySQLEndpoint>>([])
    private let binlogs = Mutex<[InstanceKey: OldestBinlog]>([:])
    private let followUps = Mutex<[InstanceKey: [String]]>([:])

    /// The statements the last probe of `key` sent once it knew the server's flavour: the next probe
    /// sends them with its first batch (one round trip instead of two while the server stays as it was).
    func followUp(_ key: InstanceKey) -> [String]? { followUps.withLock { $0[key] } }

    func rememberFollowUp(_ key: InstanceKey, _ statements: [String]) {
        followUps.withLock { known in
            if known[key] != statements { known[key] = statements }
        }
    }

    func needsLibrary(_ endpoint: MySQLEndpoint) -> Bool { library.withLock { $0.contains(endpoint) } }

    /// True the first time.
    func markNeedsLibrary(_ endpoint: MySQLEndpoint) -> Bool { library.withLock { $0.insert(endpoint).inserted } }

    /// The remembered start when it is still fresh for a server whose current binary log is `currentFile`.
    func oldestBinlog(_ key: InstanceKey, currentFile: String, now: ContinuousClock.Instant) -> String? {
        binlogs.withLock { binlogs in
            guard let known = binlogs[key], known.currentFile == currentFile,
                  now - known.readAt < .seconds(MySQLTopologyProber.oldestBinlogRefreshSeconds) else { return nil }
            return known.position
        }
    }

    func remember(_ key: InstanceKey, _ value: OldestBinlog) { binlogs.withLock { $0[key] = value } }

    func forgetBinlog(_ key: InstanceKey) { binlogs.withLock { _ = $0.removeValue(forKey: key) } }
}

// MARK: - One read of one instance

/// The queries of one probe over one connection.
struct InstanceReader {
    let key: InstanceKey
    let session: any MySQLQuerying
    let settings: DiscoverySettings
    let state: ProbeState
    /// Answers of statements sent ahead in a pipeline, taken once each by `query`.
    private let ahead = Ahead()

    init(key: InstanceKey, session: any MySQLQuerying, settings: DiscoverySettings, state: ProbeState) {
        self.key = key
        self.session = session
        self.settings = settings
        self.state = state
    }

    /// A dozen answers at most, looked up by a linear scan: the statements are mostly the same string
    /// objects each time (compared by reference first), where hashing them (the variables statement
    /// is 800 characters) three times per probe cost more.
    private final class Ahead {
        var answers: [(sql: String, answer: Result<MySQLResultSet, any Error>)] = []

        func has(_ sql: String) -> Bool { answers.contains { $0.sql == sql } }

        func take(_ sql: String) -> Result<MySQLResultSet, any Error>? {
            guard let i = answers.firstIndex(where: { $0.sql == sql }) else { return nil }
            return answers.remove(at: i).answer
        }
    }

    /// Sends `statements` at once (one round trip on orchd's own connections); `query` then takes
    /// their answers instead of asking again.
    private func sendAhead(_ statements: [String]) async {
        var unique: [String] = []
        for sql in statements where !sql.isEmpty && !ahead.has(sql) && !unique.contains(sql) { unique.append(sql) }
        guard unique.count > 1 else { return }
        for (sql, answer) in zip(unique, await session.pipeline(unique)) { ahead.answers.append((sql, answer)) }
    }

    /// A statement's answer: the one sent ahead, else asked now.
    private func query(_ sql: String, _ values: MySQLValue...) async throws -> MySQLResultSet {
        if values.isEmpty, let answer = ahead.take(sql) { return try answer.get() }
        return try await session.query(sql, values: values)
    }

    static let variableNames = ServerVariable.allCases.map(\.name)
    static let statusNames = ServerStatus.allCases.map(\.name)

    /// The two name lists as statements, rendered once: constant names, each quoted and escaped
    /// (escaping changes none of them).
    static let variablesQuery = inList("SHOW GLOBAL VARIABLES WHERE Variable_name IN", variableNames)
    static let statusQuery = inList("SHOW GLOBAL STATUS WHERE Variable_name IN", statusNames)

    /// Upstream's fallback for finding replicas, rendered once (two constant names) so that it can go
    /// in a probe's pipeline.
    static let processlistReplicasQuery = inList(
        "SELECT SUBSTRING_INDEX(host, ':', 1) AS replica_hostname FROM information_schema.processlist WHERE command IN",
        ["Binlog Dump", "Binlog Dump GTID"])

    private static func inList(_ prefix: String, _ names: [String]) -> String {
        "\(prefix) (" + names.map { "'" + MySQLClientWire.escape($0, noBackslashEscapes: false) + "'" }.joined(separator: ", ") + ")"
    }

    /// The statements go in two pipelined batches where the connection allows (variables and status;
    /// then, knowing the flavour, master and replica status, replicas and the operator's detection
    /// queries), and the rare ones (oldest binary log, processlist, lag, domain) after.
    /// The second batch goes with the first when the last probe of this server learnt it (the flavour and
    /// whether binary logs are on rarely change); an answer sent ahead that turns out not to be wanted
    /// (the server changed) is dropped, and what is missing is asked for as before.
    func read() async throws -> ProbeResult {
        await sendAhead([Self.variablesQuery, Self.statusQuery] + (state.followUp(key) ?? []))
        let variables = try await nameValues(Self.variablesQuery, as: ServerVariable.self)
        let status = try await nameValues(Self.statusQuery, as: ServerStatus.self)
        var instance = Instance(key: key)
        InstanceMapper.apply(variables: variables, status: status, to: &instance)
        let flavor = ServerFlavor(version: instance.version, versionComment: instance.versionComment)
        let followUp = (instance.logBinEnabled ? [flavor.masterStatusQuery] : [])
            + [flavor.replicaStatusQuery, flavor.replicaHostsQuery, settings.detectClusterAliasQuery,
               settings.detectInstanceAliasQuery, settings.detectSemiSyncEnforcedQuery, settings.detectDataCenterQuery,
               settings.detectRegionQuery, settings.detectPhysicalEnvironmentQuery]
            // Asked when SHOW SLAVE HOSTS finds no replica (most servers): sent with the rest, not after.
            + (settings.discoverByShowSlaveHosts ? [] : [Self.processlistReplicasQuery])
        state.rememberFollowUp(key, followUp)
        await sendAhead(followUp)

        if instance.logBinEnabled, let row = try await query(flavor.masterStatusQuery).first {
            InstanceMapper.apply(masterStatus: row, to: &instance)
        }
        var warnings: [String] = []
        if flavor.isMariaDB, instance.logBinEnabled {
            let now = ContinuousClock.now
            let current = instance.selfBinlogCoordinates.logFile
            if let known = state.oldestBinlog(key, currentFile: current, now: now) {
                instance.oldestBinlogGTIDPosition = known
            } else if let read = await readOldestBinlogStart(&warnings) {
                instance.oldestBinlogGTIDPosition = read
                state.remember(key, .init(currentFile: current, position: read, readAt: now))
            } else {
                state.forgetBinlog(key)
            }
        }
        var lastIOErrno = 0
        if let row = try await query(flavor.replicaStatusQuery).first {
            InstanceMapper.apply(replicaStatus: row, to: &instance)
            lastIOErrno = Int(row.int("Last_IO_Errno") ?? 0)
        }
        instance.replicas = try await readReplicas(flavor)

        if instance.isReplica, !settings.replicationLagQuery.isEmpty {
            instance.replicationLagSeconds = await readReplicationLag(&warnings)
        }

        var result = ProbeResult(key: key, instance: instance, warnings: warnings)
        result.lastIOErrno = lastIOErrno
        await runDetectionQueries(&result)
        return result
    }

    // MARK: - Purged binary logs (MariaDB)

    /// The GTID position the oldest binary log still on the server starts at: events up to it are
    /// purged, so a replica behind it cannot be served from here. MariaDB has no `gtid_purged`; the
    /// oldest file's header (its Gtid_list event) says the same. Two small queries: the file list
    /// and one header read. A first binlog that was never purged starts at "" (nothing missing).
    /// A failure is a warning and leaves the position unknown (nil; "" for the instance), which claims
    /// nothing.
    private func readOldestBinlogStart(_ warnings: inout [String]) async -> String? {
        do {
            guard let file = try await query("SHOW BINARY LOGS").first?[position: 0], !file.isEmpty else {
                return ""
            }
            let position = try await query("SELECT BINLOG_GTID_POS(?, 4)", .string(file)).first?[position: 0]
            return position ?? ""
        } catch {
            warnings.append("reading the GTID position of the oldest binary log failed on \(key): \(error) "
                + "(the topology user needs BINLOG MONITOR); purged-binlog checks are skipped for it")
            return nil
        }
    }

    /// `SHOW ... WHERE Variable_name IN (...)`: each asked name's value. Absent variables (other
    /// flavour or version) are simply missing.
    private func nameValues<Name: ServerNameList>(_ statement: String, as: Name.Type) async throws -> NameValues<Name> {
        var values = NameValues<Name>()
        for row in try await query(statement).rows {
            if let name = row[position: 0] { values.set(name, row[position: 1] ?? "") }
        }
        return values
    }

    // MARK: - Replicas

    private func readReplicas(_ flavor: ServerFlavor) async throws -> [InstanceKey] {
        var keys: [InstanceKey] = []
        for row in try await query(flavor.replicaHostsQuery).rows {
            guard let host = row["Host"], !host.isEmpty, let port = row.int("Port"), port > 0 else { continue }
            keys.append(InstanceKey(hostname: host, port: Int(port)))
        }
        if keys.isEmpty && !settings.discoverByShowSlaveHosts {
            keys = try await readReplicasFromProcesslist()
        }
        return Array(Set(keys)).sorted()
    }

    /// Upstream's fallback: hosts of binlog dump threads, assumed to listen on this server's port.
    /// Several servers on one host make that key this server's own; such keys are dropped.
    private func readReplicasFromProcesslist() async throws -> [InstanceKey] {
        let rows = try await query(Self.processlistReplicasQuery)
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
    private func readReplicationLag(_ warnings: inout [String]) async -> Int64? {
        let text: String?
        do {
            text = try await query(settings.replicationLagQuery).first?[position: 0]
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
    private func runDetectionQueries(_ result: inout ProbeResult) async {
        guard var instance = result.instance else { return }
        let isMaster = !instance.isReplica
        // The alias is asked of every instance, as upstream does: the members of a co-master ring are
        // all replicas, and the grouping takes the root's answer, else the first member's.
        if let alias = await scalar(settings.detectClusterAliasQuery, "DetectClusterAliasQuery", &result) {
            instance.suggestedClusterAlias = alias
        }
        if isMaster {
            if let domain = await scalar(settings.detectClusterDomainQuery, "DetectClusterDomainQuery", &result) {
                result.clusterDomain = domain
            }
        }
        if let alias = await scalar(settings.detectInstanceAliasQuery, "DetectInstanceAliasQuery", &result) {
            instance.instanceAlias = alias
        }
        if let priority = await scalar(settings.detectSemiSyncEnforcedQuery, "DetectSemiSyncEnforcedQuery", &result) {
            instance.semiSyncPriority = Int64(priority) ?? 0
            instance.semiSyncEnforced = instance.semiSyncPriority > 0
        }
        instance.dataCenter = await detect(
            (settings.detectDataCenterQuery, "DetectDataCenterQuery"),
            (settings.dataCenterPattern, "DataCenterPattern"), &result)
        instance.region = await detect(
            (settings.detectRegionQuery, "DetectRegionQuery"), (settings.regionPattern, "RegionPattern"), &result)
        instance.physicalEnvironment = await detect(
            (settings.detectPhysicalEnvironmentQuery, "DetectPhysicalEnvironmentQuery"),
            (settings.physicalEnvironmentPattern, "PhysicalEnvironmentPattern"), &result)
        result.instance = instance
    }

    /// A query (when configured) wins over a hostname pattern, as upstream.
    private func detect(
        _ query: (text: String, name: String),
        _ pattern: (text: String, name: String),
        _ result: inout ProbeResult
    ) async -> String {
        if let value = await scalar(query.text, query.name, &result) { return value }
        guard !pattern.text.isEmpty else { return "" }
        do {
            return try HostnamePattern.firstCapture(pattern.text, in: key.hostname) ?? ""
        } catch {
            result.warnings.append("\(pattern.name) \"\(pattern.text)\" is not a valid regex: \(error)")
            return ""
        }
    }

    /// First column of the first row of an operator query; nil when not configured or it failed.
    private func scalar(_ query: String, _ name: String, _ result: inout ProbeResult) async -> String? {
        guard !query.isEmpty else { return nil }
        do {
            return try await self.query(query).first?[position: 0] ?? ""
        } catch {
            result.warnings.append("\(name) failed on \(key): \(error)")
            return nil
        }
    }
}
