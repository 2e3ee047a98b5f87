/// Why a GTID set or position text could not be parsed. The message quotes the offending token.
public struct GTIDParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Flavor: String, Sendable { case mysql = "MySQL", mariadb = "MariaDB" }

    public var flavor: Flavor
    /// The whole input.
    public var input: String
    /// The token that failed.
    public var token: String
    /// What is wrong with it and what was expected.
    public var reason: String

    public init(flavor: Flavor, input: String, token: String, reason: String) {
        self.flavor = flavor
        self.input = input
        self.token = token
        self.reason = reason
    }

    public var description: String {
        "invalid \(flavor.rawValue) GTID \"\(token)\" in \"\(input)\": \(reason)"
    }
}
