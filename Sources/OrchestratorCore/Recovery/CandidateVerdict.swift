/// What the planner decided about one replica, and why.
public struct CandidateVerdict: Sendable, Hashable, Codable {
    /// The replica's part in the plan.
    public enum Role: String, Sendable, Hashable, Codable {
        /// Promoted.
        case successor
        /// Catches the successor up before promotion, then replicates from it.
        case donor
        /// Replicates from the successor after the recovery.
        case repointed
        /// Cannot follow the successor (unreachable, ahead of it, or no GTID): detached and downtimed.
        case lost
        /// Left where it is (e.g. the old master in a graceful takeover stays a replica).
        case unchanged
    }

    public var key: InstanceKey
    public var role: Role
    /// 1 for the successor, then the order the ranking gave; nil for replicas that could not be ranked.
    public var rank: Int?
    /// True when nothing excludes it from promotion.
    public var promotable: Bool
    public var promotionRule: PromotionRule
    /// Its replication position as compared (text).
    public var position: String
    /// Transactions the most advanced replica has and this one lacks ("" when none): what would be
    /// lost if this one were promoted without catching up.
    public var missingTransactions: String
    /// Errant GTIDs found on it ("" when none).
    public var errantGTIDs: String
    /// Why it won or lost, most important first.
    public var reasons: [String]

    enum CodingKeys: String, CodingKey {
        case key = "Key", role = "Role", rank = "Rank", promotable = "Promotable", promotionRule = "PromotionRule"
        case position = "Position", missingTransactions = "MissingTransactions", errantGTIDs = "ErrantGTIDs"
        case reasons = "Reasons"
    }
}
