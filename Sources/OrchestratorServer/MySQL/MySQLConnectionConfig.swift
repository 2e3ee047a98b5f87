/// Where a MySQL server listens: a hostname (or IP) and a TCP port.
public struct MySQLEndpoint: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }
}

/// How to reach MySQL servers: credentials and timeouts (upstream's `MySQLTopologyUser`,
/// `MySQLTopologyPassword`, `MySQLConnectTimeoutSeconds`, `MySQLDiscoveryReadTimeoutSeconds`).
///
/// The password is never part of `description`, so configs can be logged.
public struct MySQLClientConfig: Sendable, CustomStringConvertible {
    public var user: String
    public var password: String
    /// TCP connect (and handshake) timeout, seconds. Upstream default 2.
    public var connectTimeoutSeconds: Int
    /// Timeout of each read from the server, seconds. Upstream default 10 for discovery.
    public var readTimeoutSeconds: Int
    /// Timeout of each write to the server, seconds.
    public var writeTimeoutSeconds: Int
    /// TLS to the servers (upstream's `MySQLTopology*TLS*` keys); plain by default.
    public var tls: MySQLTLSSettings

    public init(
        user: String,
        password: String,
        connectTimeoutSeconds: Int = 2,
        readTimeoutSeconds: Int = 10,
        writeTimeoutSeconds: Int = 10,
        tls: MySQLTLSSettings = .disabled
    ) {
        self.tls = tls
        self.user = user
        self.password = password
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.readTimeoutSeconds = readTimeoutSeconds
        self.writeTimeoutSeconds = writeTimeoutSeconds
    }

    public var description: String {
        "MySQLClientConfig(user: \(user), password: <hidden>, connect: \(connectTimeoutSeconds)s, "
            + "read: \(readTimeoutSeconds)s, write: \(writeTimeoutSeconds)s, tls: \(tls))"
    }
}
