/// Upstream's post-read adjustments (synonyms, derived defaults) and the checks that make a bad file
/// fail at start-up with a message naming the key, instead of misbehaving later.
extension OrchestratorConfiguration {
    /// Legacy keys and their replacements: a legacy key set alone is copied over; both set to
    /// different values is an error. (Upstream copies unconditionally, so its default for the legacy
    /// key silently overrides an explicit new key; we only copy what the file actually set.)
    static let synonyms: [(legacy: String, current: String)] = [
        ("SlaveLagQuery", "ReplicationLagQuery"),
        ("DetachLostSlavesAfterMasterFailover", "DetachLostReplicasAfterMasterFailover"),
        ("MasterFailoverDetachSlaveMasterHost", "MasterFailoverDetachReplicaMasterHost"),
        ("PostponeSlaveRecoveryOnLagMinutes", "PostponeReplicaRecoveryOnLagMinutes"),
    ]

    mutating func applySynonymsAndDerivedDefaults(path: String, lines: [String: Int]) throws(ConfigurationError) {
        for (legacy, current) in Self.synonyms where explicitKeys.contains(legacy) {
            if explicitKeys.contains(current), values[legacy] != values[current] {
                throw ConfigurationError(
                    path: path, key: current,
                    reason: "and its synonym \"\(legacy)\" are both set, to different values; keep only \"\(current)\"",
                    line: lines[current])
            }
            values[current] = values[legacy]
            explicitKeys.insert(current)
        }
        if explicitKeys.contains("RecoveryPeriodBlockMinutes") && !explicitKeys.contains("RecoveryPeriodBlockSeconds") {
            values["RecoveryPeriodBlockSeconds"] = .int(Int64(int("RecoveryPeriodBlockMinutes")) * 60)
        }
        if raftAdvertise.isEmpty { raftAdvertise = raftBind }
        if int("ReasonableLockedSemiSyncMasterSeconds") == 0 {
            values["ReasonableLockedSemiSyncMasterSeconds"] = .int(Int64(reasonableReplicationLagSeconds))
        }
        if !urlPrefix.isEmpty {
            let trimmed = urlPrefix.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
            urlPrefix = trimmed.isEmpty ? "" : "/" + trimmed
        }
        let prefix = kvClusterMasterPrefix
        if prefix != "/" {
            var trimmed = Substring(prefix)
            while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
            values["KVClusterMasterPrefix"] = .string(trimmed + "/")
        }
    }

    mutating func validate(path: String, lines: [String: Int]) throws(ConfigurationError) {
        func fail(_ key: String, _ reason: String) -> ConfigurationError {
            ConfigurationError(path: path, key: key, reason: reason, line: lines[key])
        }

        // Backend
        switch backendDB.lowercased() {
        case "mysql", "": break
        case "sqlite", "sqlite3":
            if sqlite3DataFile.isEmpty {
                throw fail("SQLite3DataFile", "is required when BackendDB is \"\(backendDB)\"; give the database file's path")
            }
        default:
            throw fail("BackendDB", "must be \"sqlite\", \"sqlite3\" or \"mysql\", not \"\(backendDB)\"")
        }

        // KV stores
        for endpoint in etcdEndpoints where !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
            throw fail("EtcdEndpoints", "must list etcd gateway addresses like \"http://127.0.0.1:2379\", not \"\(endpoint)\"")
        }
        if etcdUsername.isEmpty != etcdPassword.isEmpty {
            throw fail(etcdUsername.isEmpty ? "EtcdUsername" : "EtcdPassword",
                       "EtcdUsername and EtcdPassword go together: set both (etcd authentication) or neither")
        }
        if etcdCertFile.isEmpty != etcdKeyFile.isEmpty {
            throw fail(etcdCertFile.isEmpty ? "EtcdCertFile" : "EtcdKeyFile",
                       "EtcdCertFile and EtcdKeyFile go together: set both (a client certificate for etcd) or neither")
        }
        for key in ["EtcdCAFile", "EtcdCertFile"] where !string(key).isEmpty {
            if let plain = etcdEndpoints.first(where: { !$0.hasPrefix("https://") }) {
                throw fail(key, "applies to https:// etcd endpoints only, but EtcdEndpoints lists \"\(plain)\"")
            }
        }

        // Raft
        if raftEnabled {
            if raftDataDir.isEmpty { throw fail("RaftDataDir", "is required when RaftEnabled is true; give a directory for the Raft log") }
            if raftBind.isEmpty { throw fail("RaftBind", "is required when RaftEnabled is true; give host:port to listen on") }
        }
        if raftEnabled || explicitKeys.contains("RaftBind") {
            guard (try? InstanceKey(parsing: raftBind, defaultPort: defaultRaftPort)) != nil else {
                throw fail("RaftBind", "must be host[:port], not \"\(raftBind)\"")
            }
        }
        if raftEnabled || explicitKeys.contains("RaftAdvertise") {
            guard (try? InstanceKey(parsing: raftAdvertise, defaultPort: defaultRaftPort)) != nil else {
                throw fail("RaftAdvertise", "must be host[:port], not \"\(raftAdvertise)\"")
            }
        }
        for (key, defaultPort) in [("RaftNodes", defaultRaftPort), ("DiscoverySeeds", defaultInstancePort)] {
            for entry in strings(key) {
                do { _ = try InstanceKey(parsing: entry, defaultPort: defaultPort) } catch {
                    throw fail(key, "must be a list of host[:port] strings; \"\(entry)\" is not: \(error.description)")
                }
            }
        }
        let peers = raftPeerAddresses
        if Set(peers).count != peers.count {
            throw fail("RaftNodes", "lists the same node twice: \(peers.joined(separator: ", "))")
        }
        if raftHeartbeatTicks >= raftElectionTicks {
            throw fail("RaftHeartbeatTicks", "must be below RaftElectionTicks (\(raftElectionTicks)), not \(raftHeartbeatTicks)")
        }

        // HTTP
        try Self.checkListenAddress(listenAddress, fail: { fail("ListenAddress", $0) })
        if !httpAdvertise.isEmpty { try Self.checkHTTPAdvertise(httpAdvertise, fail: { fail("HTTPAdvertise", $0) }) }
        if !statusEndpoint.hasPrefix("/") { throw fail("StatusEndpoint", "must start with \"/\", not \"\(statusEndpoint)\"") }
        try validateHTTPAccess(fail: fail)
        try validateHTTPTLS(fail: fail)
        try validateRaftTLS(fail: fail)
        try validateMySQLTopologyTLS(fail: fail)

        // Recovery policy
        if failMasterPromotionIfSQLThreadNotUpToDate && delayMasterPromotionIfSQLThreadNotUpToDate {
            throw fail("DelayMasterPromotionIfSQLThreadNotUpToDate",
                       "cannot be true together with FailMasterPromotionIfSQLThreadNotUpToDate; choose one")
        }
        if failMasterPromotionOnLagMinutes > 0 && replicationLagQuery.isEmpty {
            throw fail("FailMasterPromotionOnLagMinutes", "above 0 requires ReplicationLagQuery to be set")
        }

        // Hostname resolution
        if !["", "none", "default", "cname"].contains(hostnameResolveMethod) {
            throw fail("HostnameResolveMethod", "must be \"none\", \"default\" or \"cname\", not \"\(hostnameResolveMethod)\"")
        }
        if !["", "none", "@@hostname", "@@report_host"].contains(mysqlHostnameResolveMethod) {
            throw fail("MySQLHostnameResolveMethod",
                       "must be \"none\", \"@@hostname\" or \"@@report_host\", not \"\(mysqlHostnameResolveMethod)\"")
        }

        // Regular expressions
        for key in ["DataCenterPattern", "RegionPattern", "PhysicalEnvironmentPattern", "RejectHostnameResolvePattern"] {
            let pattern = string(key)
            if !pattern.isEmpty, !Self.isValidRegex(pattern) {
                throw fail(key, "is not a valid regular expression: \"\(pattern)\"")
            }
        }
        for key in ["DiscoveryIgnoreReplicaHostnameFilters", "DiscoveryIgnoreMasterHostnameFilters",
                    "DiscoveryIgnoreHostnameFilters", "RecoveryIgnoreHostnameFilters", "PromotionIgnoreHostnameFilters",
                    "ProblemIgnoreHostnameFilters", "OSCIgnoreHostnameFilters"] {
            for pattern in strings(key) where !Self.isValidRegex(pattern) {
                throw fail(key, "holds an invalid regular expression: \"\(pattern)\"")
            }
        }
    }

    /// AuthenticationMethod and what each method needs. A method orchd lacks is refused rather than
    /// ignored: ignoring it would leave the API open while the operator believes it is protected.
    func validateHTTPAccess(fail: (String, String) -> ConfigurationError) throws(ConfigurationError) {
        let method = authenticationMethod.lowercased()
        switch method {
        case "", "basic", "multi", "proxy":
            break
        case "token", "oauth":
            throw fail("AuthenticationMethod", "\"\(authenticationMethod)\" is not supported by orchd; use \"basic\", "
                + "\"multi\" or \"proxy\" (behind a reverse proxy that authenticates), or \"\" for none")
        default:
            throw fail("AuthenticationMethod", "must be \"\", \"basic\", \"multi\" or \"proxy\", not \"\(authenticationMethod)\"")
        }
        if method == "basic" || method == "multi" {
            if httpAuthUser.isEmpty {
                throw fail("HTTPAuthUser", "is required when AuthenticationMethod is \"\(method)\"; give the API's user name")
            }
            if httpAuthPassword.isEmpty {
                throw fail("HTTPAuthPassword", "is required when AuthenticationMethod is \"\(method)\"; an empty password "
                    + "would let anyone in (\"${ENV_VAR}\" reads it from the environment)")
            }
            if method == "multi", httpAuthUser == "readonly" {
                throw fail("HTTPAuthUser", "cannot be \"readonly\" with AuthenticationMethod \"multi\": that name is the "
                    + "read-only user, accepted with any password")
            }
        }
        if method == "proxy", string("AuthUserHeader").isEmpty {
            throw fail("AuthUserHeader", "is required when AuthenticationMethod is \"proxy\"; name the header your "
                + "reverse proxy puts the authenticated user in (e.g. \"X-Forwarded-User\")")
        }
    }

    static func isValidRegex(_ pattern: String) -> Bool {
        (try? Regex(pattern)) != nil
    }

    /// `:port`, `host:port` or `[v6]:port`.
    static func checkListenAddress(_ address: String, fail: (String) -> ConfigurationError) throws(ConfigurationError) {
        guard let colon = address.lastIndex(of: ":"),
              let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            throw fail("must be [host]:port (e.g. \":3000\" or \"127.0.0.1:3000\"), not \"\(address)\"")
        }
    }

    /// `scheme://host:port` with no path, as upstream requires.
    static func checkHTTPAdvertise(_ value: String, fail: (String) -> ConfigurationError) throws(ConfigurationError) {
        guard let schemeEnd = Substring(value).range(of: "://") else {
            throw fail("must include a scheme (http:// or https://), host and port, e.g. \"http://10.0.0.1:3000\"; got \"\(value)\"")
        }
        let scheme = value[..<schemeEnd.lowerBound]
        guard scheme == "http" || scheme == "https" else {
            throw fail("must start with http:// or https://, not \"\(scheme)://\"")
        }
        let rest = value[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        let pathPart = rest.dropFirst(authority.count)
        guard pathPart.isEmpty || pathPart == "/" else { throw fail("must not include a path, got \"\(value)\"") }
        guard let key = try? InstanceKey(parsing: String(authority), defaultPort: -1), !key.hostname.isEmpty else {
            throw fail("must include a host name and port, e.g. \"http://10.0.0.1:3000\"; got \"\(value)\"")
        }
        guard key.port != -1 else { throw fail("must include a port number, e.g. \"http://10.0.0.1:3000\"; got \"\(value)\"") }
    }
}
