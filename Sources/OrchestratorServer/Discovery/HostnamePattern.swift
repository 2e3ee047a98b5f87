/// Upstream's `DataCenterPattern`-style settings: a regex with one capture group matched against the
/// hostname, e.g. `db-([a-z]+)-[0-9]+` yields "ams" for "db-ams-3".
enum HostnamePattern {
    /// The first capture group of the first match, or the whole match when the pattern has no group;
    /// nil when nothing matches.
    static func firstCapture(_ pattern: String, in hostname: String) throws -> String? {
        let regex = try Regex(pattern)
        guard let match = hostname.firstMatch(of: regex) else { return nil }
        if match.output.count > 1, let group = match.output[1].substring { return String(group) }
        return String(match.output[0].substring ?? "")
    }
}
