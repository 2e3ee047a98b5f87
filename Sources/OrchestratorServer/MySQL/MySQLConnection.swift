import CMariaDB
import Dispatch

/// One connection to a MySQL/MariaDB server over libmariadb.
///
/// libmariadb blocks, so every call runs on this connection's own serial `DispatchQueue` (threads
/// outside Swift's cooperative pool) and is bridged back with a continuation. Calls on one connection
/// are serialised; use several connections (see ``MySQLConnectionPool``) for parallelism.
/// Statements never carry multiple queries (no `CLIENT_MULTI_STATEMENTS`), and values reach SQL only
/// through `?` placeholders escaped with `mysql_real_escape_string`.
public final class MySQLConnection: @unchecked Sendable {
    /// The server this connection talks to.
    public let endpoint: MySQLEndpoint
    /// `mysql_get_server_info` at connect time, e.g. "10.11.19-MariaDB-0+deb12u1-log".
    public let serverInfo: String
    /// The TLS cipher of this connection (`mysql_get_ssl_cipher`), nil for a plain connection.
    public let tlsCipher: String?
    /// The connection's socket (`mysql_get_socket`), for waiting on it without a query (MasterWatch);
    /// -1 when unknown. Valid until ``close()``.
    public let socketDescriptor: Int32

    private let queue: DispatchQueue
    /// Touched only on `queue` (and in `deinit`, when no call can be running).
    private var handle: UnsafeMutablePointer<MYSQL>?

    private init(endpoint: MySQLEndpoint, queue: DispatchQueue, handle: UnsafeMutablePointer<MYSQL>, serverInfo: String,
                 tlsCipher: String?) {
        self.socketDescriptor = Int32(truncatingIfNeeded: mysql_get_socket(handle))
        self.endpoint = endpoint
        self.queue = queue
        self.handle = handle
        self.serverInfo = serverInfo
        self.tlsCipher = tlsCipher
    }

    deinit {
        if let handle { mysql_close(handle) }
    }

    // MARK: - Connect

    /// Opens a TCP connection with the config's credentials, timeouts and TLS (``MySQLTLSSettings``).
    /// - Throws: ``MySQLError`` with the library's code, e.g. 2003 (nothing listens), 1045 (bad
    ///   credentials), 2013/2027 (not a MySQL server), 2026 (TLS failed: the message names the TLS error).
    public static func connect(to endpoint: MySQLEndpoint, config: MySQLClientConfig) async throws -> MySQLConnection {
        let queue = DispatchQueue(label: "orchd.mysql.\(endpoint)")
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                MySQLClientLibrary.prepareCurrentThread()
                continuation.resume(with: Result {
                    let (handle, info) = try openHandle(endpoint: endpoint, config: config)
                    let cipher = mysql_get_ssl_cipher(handle).map { String(cString: $0) }
                    return MySQLConnection(endpoint: endpoint, queue: queue, handle: handle, serverInfo: info, tlsCipher: cipher)
                })
            }
        }
    }

    /// Connects as `config.tls.mode` says: TLS only, plain only, or plain and then TLS when the server
    /// refuses plain connections (mixed).
    private static func openHandle(
        endpoint: MySQLEndpoint,
        config: MySQLClientConfig
    ) throws -> (UnsafeMutablePointer<MYSQL>, String) {
        switch config.tls.mode {
        case .disabled:
            return try openHandle(endpoint: endpoint, config: config, tls: false)
        case .required:
            return try openHandle(endpoint: endpoint, config: config, tls: true)
        case .mixed:
            do {
                return try openHandle(endpoint: endpoint, config: config, tls: false)
            } catch let plain as MySQLError where MySQLTLSSettings.plainRefusalMayNeedTLS(plain) {
                do {
                    return try openHandle(endpoint: endpoint, config: config, tls: true)
                } catch let overTLS as MySQLError {
                    // 1045 is also plain bad credentials: keep the server's answer and add the retry's.
                    throw MySQLError(code: plain.code, sqlState: plain.sqlState,
                                     message: "\(plain.message); retried over TLS (MySQLTopologyUseMixedTLS): \(overTLS.message)",
                                     endpoint: endpoint.description)
                }
            }
        }
    }

    private static func openHandle(
        endpoint: MySQLEndpoint,
        config: MySQLClientConfig,
        tls: Bool
    ) throws -> (UnsafeMutablePointer<MYSQL>, String) {
        guard let handle = mysql_init(nil) else {
            throw MySQLError(code: 0, message: "mysql_init failed (out of memory)", endpoint: endpoint.description)
        }
        var connectTimeout = UInt32(clamping: max(1, config.connectTimeoutSeconds))
        var readTimeout = UInt32(clamping: max(1, config.readTimeoutSeconds))
        var writeTimeout = UInt32(clamping: max(1, config.writeTimeoutSeconds))
        var protocolTCP = UInt32(MYSQL_PROTOCOL_TCP.rawValue)
        var noReconnect: my_bool = 0
        var noLocalInfile: UInt32 = 0
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout)
        mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &readTimeout)
        mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &writeTimeout)
        mysql_options(handle, MYSQL_OPT_PROTOCOL, &protocolTCP)
        mysql_options(handle, MYSQL_OPT_RECONNECT, &noReconnect)
        mysql_options(handle, MYSQL_OPT_LOCAL_INFILE, &noLocalInfile)
        mysql_options(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        if tls { applyTLSOptions(config.tls, to: handle) }

        let port = UInt32(clamping: endpoint.port)
        guard mysql_real_connect(handle, endpoint.host, config.user, config.password, nil, port, nil, 0) != nil else {
            var error = MySQLConnection.error(of: handle, endpoint: endpoint)
            mysql_close(handle)
            if tls { error = tlsError(error, settings: config.tls) }
            throw error
        }
        // MYSQL_OPT_SSL_ENFORCE already refuses a plain session; this makes "TLS or nothing" not depend on it.
        if tls && mysql_get_ssl_cipher(handle) == nil {
            mysql_close(handle)
            throw MySQLError(code: 2026, message: "TLS is required (MySQLTopologyUseMutualTLS) but the connection is not "
                             + "encrypted", endpoint: endpoint.description)
        }
        return (handle, String(cString: mysql_get_server_info(handle)))
    }

    /// TLS enforced (a server without TLS is an error, not a plain session), the CA, the client
    /// certificate, and verification of the server's certificate chain and host name unless skipped.
    private static func applyTLSOptions(_ settings: MySQLTLSSettings, to handle: UnsafeMutablePointer<MYSQL>) {
        var enforce: my_bool = 1
        var verify: my_bool = settings.skipVerify ? 0 : 1
        mysql_options(handle, MYSQL_OPT_SSL_ENFORCE, &enforce)
        mysql_options(handle, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify)
        // libmariadb verifies the chain whenever a CA is given, whatever VERIFY_SERVER_CERT says: skipping
        // verification means not handing it the CA.
        if !settings.skipVerify && !settings.caFile.isEmpty { mysql_options(handle, MYSQL_OPT_SSL_CA, settings.caFile) }
        if !settings.certificateFile.isEmpty && !settings.privateKeyFile.isEmpty {
            mysql_options(handle, MYSQL_OPT_SSL_CERT, settings.certificateFile)
            mysql_options(handle, MYSQL_OPT_SSL_KEY, settings.privateKeyFile)
        }
    }

    /// A failed TLS connection's error, saying that TLS failed and which settings were in play.
    private static func tlsError(_ error: MySQLError, settings: MySQLTLSSettings) -> MySQLError {
        // 2026 CR_SSL_CONNECTION_ERROR; the library's message names the cause (no TLS on the server,
        // unknown issuer, name mismatch...).
        guard error.code == 2026 else { return error }
        let trust = settings.skipVerify ? "server certificate not verified"
            : "server certificate verified against " + (settings.caFile.isEmpty ? "the system's trust roots (MySQLTopologySSLCAFile is empty)"
                                                                                 : "MySQLTopologySSLCAFile \(settings.caFile)")
        return MySQLError(code: error.code, sqlState: error.sqlState,
                          message: "TLS connection failed: \(error.message) (\(trust))", endpoint: error.endpoint)
    }

    static func error(of handle: UnsafeMutablePointer<MYSQL>, endpoint: MySQLEndpoint) -> MySQLError {
        MySQLError(
            code: mysql_errno(handle),
            sqlState: String(cString: mysql_sqlstate(handle)),
            message: String(cString: mysql_error(handle)),
            endpoint: endpoint.description
        )
    }

    // MARK: - Statements

    /// Runs one statement and returns its result set (empty for statements without one).
    /// `?` placeholders outside quotes are replaced by the escaped, quoted `values`.
    public func query(_ sql: String, _ values: MySQLValue...) async throws -> MySQLResultSet {
        try await query(sql, values: values)
    }

    /// Runs one statement with `values` bound to its `?` placeholders.
    public func query(_ sql: String, values: [MySQLValue]) async throws -> MySQLResultSet {
        let endpoint = self.endpoint
        return try await onQueue { handle in
            let text = try Self.render(sql, values, handle: handle, endpoint: endpoint)
            return try Self.run(text, handle: handle, endpoint: endpoint)
        }
    }

    /// Runs a statement for its effect; returns the number of affected rows.
    @discardableResult
    public func exec(_ sql: String, _ values: MySQLValue...) async throws -> UInt64 {
        try await query(sql, values: values).affectedRows
    }

    /// Escapes `text` for use inside a single-quoted SQL string with this connection's character set
    /// (`mysql_real_escape_string`). Prefer `?` placeholders; this is for callers that build SQL.
    public func escape(_ text: String) async throws -> String {
        try await onQueue { handle in Self.escape(text, handle: handle) }
    }

    /// Round trip to the server (`mysql_ping`).
    public func ping() async throws {
        let endpoint = self.endpoint
        try await onQueue { handle in
            if mysql_ping(handle) != 0 { throw Self.error(of: handle, endpoint: endpoint) }
        }
    }

    /// Closes the connection; later calls fail with a "connection is closed" error.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                if let handle = self.handle { mysql_close(handle) }
                self.handle = nil
                continuation.resume()
            }
        }
    }

    // MARK: - Queue bridging

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable (UnsafeMutablePointer<MYSQL>) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                MySQLClientLibrary.prepareCurrentThread()
                guard let handle = self.handle else {
                    continuation.resume(throwing: MySQLError.closed(self.endpoint.description))
                    return
                }
                continuation.resume(with: Result { try body(handle) })
            }
        }
    }

    // MARK: - libmariadb calls (on the queue)

    static func escape(_ text: String, handle: UnsafeMutablePointer<MYSQL>) -> String {
        var bytes = Array(text.utf8)
        let capacity = bytes.count * 2 + 1
        var buffer = [CChar](repeating: 0, count: capacity)
        let length = bytes.withUnsafeMutableBufferPointer { from in
            from.withMemoryRebound(to: CChar.self) { from in
                mysql_real_escape_string(handle, &buffer, from.baseAddress, UInt(from.count))
            }
        }
        bytes = buffer[0..<Int(length)].map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func render(
        _ sql: String,
        _ values: [MySQLValue],
        handle: UnsafeMutablePointer<MYSQL>,
        endpoint: MySQLEndpoint
    ) throws -> String {
        if values.isEmpty && !sql.contains("?") { return sql }
        do {
            return try MySQLStatementRenderer.render(sql, values) { escape($0, handle: handle) }
        } catch {
            throw MySQLError(code: 0, message: "cannot bind statement values: \(error)", endpoint: endpoint.description)
        }
    }

    static func run(_ sql: String, handle: UnsafeMutablePointer<MYSQL>, endpoint: MySQLEndpoint) throws -> MySQLResultSet {
        let bytes = Array(sql.utf8)
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { mysql_real_query(handle, $0.baseAddress, UInt($0.count)) }
        }
        guard status == 0 else { throw error(of: handle, endpoint: endpoint) }
        guard let result = mysql_store_result(handle) else {
            if mysql_field_count(handle) == 0 {
                return MySQLResultSet(columns: [], rows: [], affectedRows: UInt64(mysql_affected_rows(handle)))
            }
            throw error(of: handle, endpoint: endpoint)
        }
        defer { mysql_free_result(result) }
        let count = Int(mysql_num_fields(result))
        var columns: [String] = []
        var types: [MySQLColumnType] = []
        columns.reserveCapacity(count)
        types.reserveCapacity(count)
        if let fields = mysql_fetch_fields(result) {
            for i in 0..<count {
                columns.append(String(cString: fields[i].name))
                types.append(MySQLColumnType(type: UInt32(fields[i].type.rawValue), flags: UInt32(fields[i].flags)))
            }
        }
        var rows: [[String?]] = []
        while let row = mysql_fetch_row(result) {
            guard let lengths = mysql_fetch_lengths(result) else { break }
            var values: [String?] = []
            values.reserveCapacity(count)
            for i in 0..<count {
                if let cell = row[i] {
                    let buffer = UnsafeRawBufferPointer(start: cell, count: Int(lengths[i]))
                    values.append(String(decoding: buffer, as: UTF8.self))
                } else {
                    values.append(nil)
                }
            }
            rows.append(values)
        }
        // mysql_fetch_row returns NULL both at the end and on error.
        if mysql_errno(handle) != 0 { throw error(of: handle, endpoint: endpoint) }
        return MySQLResultSet(columns: columns, rows: rows, columnTypes: types)
    }
}
