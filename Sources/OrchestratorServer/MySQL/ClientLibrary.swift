import CMariaDB

/// Version string of the linked libmariadb client library.
public enum MySQLClientLibrary {
    public static var version: String { String(cString: mysql_get_client_info()) }
}
