/// A configuration file that cannot be used. The message names the file and, when one is to blame,
/// the key: `cannot read /etc/orchestrator.conf.json: key "RaftNodes" must be a list of host[:port]
/// strings (line 7)`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (as given by the caller).
    public var path: String
    /// The key at fault, if any.
    public var key: String?
    /// What is wrong and what is expected.
    public var reason: String
    /// Where in the file, when known (1-based).
    public var line: Int?
    public var column: Int?

    public init(path: String, key: String? = nil, reason: String, line: Int? = nil, column: Int? = nil) {
        self.path = path
        self.key = key
        self.reason = reason
        self.line = line
        self.column = column
    }

    public var description: String {
        var text = "cannot read \(path): "
        if let key { text += "key \"\(key)\" " }
        text += reason
        if key != nil, let line { text += " (line \(line))" }
        return text
    }
}

/// Something in a configuration file that orchd accepted but that the operator should fix: an unknown
/// or deprecated key, a key written in the wrong case, a key given twice.
public struct ConfigurationWarning: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var key: String
    public var message: String
    public var line: Int?

    public init(path: String, key: String, message: String, line: Int? = nil) {
        self.path = path
        self.key = key
        self.message = message
        self.line = line
    }

    public var description: String {
        "\(path)" + (line.map { ":\($0)" } ?? "") + ": key \"\(key)\" \(message)"
    }
}
