/// An error from a MySQL/MariaDB server or from libmariadb, with the MySQL error number and message.
///
/// Codes 1000-1999 come from the server (e.g. 1045 access denied, 1227 missing privilege); 2000-2999 are
/// client-side errors from libmariadb (e.g. 2003 cannot connect, 2013 lost connection, 2027 malformed
/// packet). The description names the instance; it never contains credentials.
public struct MySQLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// MySQL error number (`mysql_errno`), or 0 for errors raised by this wrapper.
    public let code: UInt32
    /// SQLSTATE (`mysql_sqlstate`), e.g. "28000"; "HY000" when unknown.
    public let sqlState: String
    /// The library's or server's message (`mysql_error`).
    public let message: String
    /// The instance the error concerns, as `host:port`.
    public let endpoint: String

    public init(code: UInt32, sqlState: String = "HY000", message: String, endpoint: String) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.endpoint = endpoint
    }

    public var description: String {
        code == 0
            ? "\(endpoint): \(message)"
            : "\(endpoint): MySQL error \(code) (\(sqlState)): \(message)"
    }

    /// True when the connection itself is unusable afterwards (client errors such as lost connection,
    /// or the server shutting down / killing the connection); such connections are not reused.
    public var breaksConnection: Bool {
        switch code {
        case 0, 2000...2999: return true
        case 1053, 1077, 1152, 1158...1161, 1184, 1927: return true  // shutdown, aborted, net errors, killed
        default: return false
        }
    }

    /// True for a missing privilege or a refused login (1044, 1045, 1142, 1143, 1227, 1370, 1698): a
    /// GRANT given afterwards reaches only new connections, so the pool must not keep this one.
    public var isPrivilegeError: Bool {
        switch code {
        case 1044, 1045, 1142, 1143, 1227, 1370, 1698: return true
        default: return false
        }
    }

    /// Whether the pool may keep a connection after this error.
    public var connectionReusable: Bool { !breaksConnection && !isPrivilegeError }
}

extension MySQLError {
    /// Raised by this wrapper when a connection was already closed.
    static func closed(_ endpoint: String) -> MySQLError {
        MySQLError(code: 0, message: "connection is closed", endpoint: endpoint)
    }
}
