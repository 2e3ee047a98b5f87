/// How eligible an instance is to be promoted in a failover, upstream's `CandidatePromotionRule`.
///
/// Ordered from most to least preferred: `must` > `prefer` > `neutral` > `preferNot` > `mustNot`.
public enum PromotionRule: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    case must = "must"
    case prefer = "prefer"
    case neutral = "neutral"
    case preferNot = "prefer_not"
    case mustNot = "must_not"

    /// Rank used for ordering: lower is more preferred.
    public var rank: Int {
        switch self {
        case .must: return 0
        case .prefer: return 1
        case .neutral: return 2
        case .preferNot: return 3
        case .mustNot: return 4
        }
    }

    /// `a < b` means `a` is preferred over `b`.
    public static func < (lhs: PromotionRule, rhs: PromotionRule) -> Bool { lhs.rank < rhs.rank }

    public var description: String { rawValue }

    /// Parses a rule name as the API and `register-candidate` accept it.
    public init(parsing name: String) throws(PromotionRuleError) {
        guard let rule = PromotionRule(rawValue: name.lowercased()) else {
            throw PromotionRuleError(name: name)
        }
        self = rule
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        // Upstream writes "" for instances with no registered rule; that means neutral.
        self = text.isEmpty ? .neutral : (PromotionRule(rawValue: text) ?? .neutral)
    }
}

/// An unknown promotion rule name.
public struct PromotionRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var description: String {
        "invalid promotion rule \"\(name)\": expected one of "
            + PromotionRule.allCases.map(\.rawValue).joined(separator: ", ")
    }
}
