/// `RecoverMasterClusterFilters` / `RecoverIntermediateMasterClusterFilters`: which clusters automated
/// recovery may touch. A filter matches when it is `*`, equals the cluster name or alias,
/// is `alias=NAME` (exact alias), `alias~=REGEX` (alias matches), or is a regular expression found in
/// the cluster name. An empty list allows nothing (recovery is opt-in, as upstream).
public struct RecoveryFilters: Sendable, Equatable {
    public var masterFilters: [String]
    public var intermediateMasterFilters: [String]

    public init(masterFilters: [String] = [], intermediateMasterFilters: [String] = []) {
        self.masterFilters = masterFilters
        self.intermediateMasterFilters = intermediateMasterFilters
    }

    public func allowsMasterRecovery(clusterName: String, alias: String) -> Bool {
        Self.matches(masterFilters, clusterName: clusterName, alias: alias)
    }

    public func allowsIntermediateMasterRecovery(clusterName: String, alias: String) -> Bool {
        Self.matches(intermediateMasterFilters, clusterName: clusterName, alias: alias)
    }

    public static func matches(_ filters: [String], clusterName: String, alias: String) -> Bool {
        filters.contains { filter in
            if filter == "*" || filter == clusterName || (!alias.isEmpty && filter == alias) { return true }
            if filter.hasPrefix("alias=") { return String(filter.dropFirst("alias=".count)) == alias }
            if filter.hasPrefix("alias~=") {
                return Self.search(String(filter.dropFirst("alias~=".count)), in: alias)
            }
            return Self.search(filter, in: clusterName)
        }
    }

    /// Whether `pattern` (a regular expression) matches somewhere in `text`; an invalid pattern
    /// matches nothing (configuration validation reports it).
    static func search(_ pattern: String, in text: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return text.contains(regex)
    }
}
