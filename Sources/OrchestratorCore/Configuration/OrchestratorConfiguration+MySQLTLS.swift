/// TLS to the MySQL servers orchd manages: upstream's `MySQLTopology*` TLS keys, read as they are. The
/// server side (`MySQLTLSSettings` in OrchestratorServer) says how each maps onto libmariadb.
extension OrchestratorConfiguration {
    /// `MySQLTopologyUseMutualTLS`: every connection to a topology server uses TLS.
    public var mysqlTopologyUseMutualTLS: Bool { get { bool("MySQLTopologyUseMutualTLS") } set { values["MySQLTopologyUseMutualTLS"] = .bool(newValue) } }
    /// `MySQLTopologyUseMixedTLS`: TLS only for servers that refuse plain connections.
    public var mysqlTopologyUseMixedTLS: Bool { get { bool("MySQLTopologyUseMixedTLS") } set { values["MySQLTopologyUseMixedTLS"] = .bool(newValue) } }
    public var mysqlTopologySSLCAFile: String { get { string("MySQLTopologySSLCAFile") } set { values["MySQLTopologySSLCAFile"] = .string(newValue) } }
    public var mysqlTopologySSLCertFile: String { get { string("MySQLTopologySSLCertFile") } set { values["MySQLTopologySSLCertFile"] = .string(newValue) } }
    public var mysqlTopologySSLPrivateKeyFile: String { get { string("MySQLTopologySSLPrivateKeyFile") } set { values["MySQLTopologySSLPrivateKeyFile"] = .string(newValue) } }
    public var mysqlTopologySSLSkipVerify: Bool { get { bool("MySQLTopologySSLSkipVerify") } set { values["MySQLTopologySSLSkipVerify"] = .bool(newValue) } }

    /// A client certificate needs its key and the other way round: one without the other would silently
    /// present no certificate, and a server requiring X509 would refuse orchd with "access denied".
    func validateMySQLTopologyTLS(fail: (String, String) -> ConfigurationError) throws(ConfigurationError) {
        let cert = mysqlTopologySSLCertFile, key = mysqlTopologySSLPrivateKeyFile
        if !cert.isEmpty && key.isEmpty {
            throw fail("MySQLTopologySSLPrivateKeyFile", "is required when MySQLTopologySSLCertFile is set: give the client "
                + "certificate's PEM private key")
        }
        if cert.isEmpty && !key.isEmpty {
            throw fail("MySQLTopologySSLCertFile", "is required when MySQLTopologySSLPrivateKeyFile is set: give the PEM "
                + "client certificate the key belongs to")
        }
    }
}
