/// How two GTID positions relate.
public enum GTIDOrder: Sendable, Hashable {
    case equal
    /// The left side has everything the right has, and more.
    case ahead
    /// The right side has everything the left has, and more.
    case behind
    /// Each has something the other lacks: the histories diverged.
    case incomparable
}

/// Outcome of asking which of several positions is most advanced.
public enum MostAdvanced: Sendable, Hashable {
    /// These indices (one or more, all with equal positions) contain every other position.
    case winners([Int])
    /// No position contains all others; these indices are the maximal ones that diverge.
    case incomparable([Int])
    /// No positions were given.
    case none
}

/// A GTID set or position that can tell whether it contains another: both flavours conform.
public protocol GTIDPositionComparable: Equatable {
    func contains(_ other: Self) -> Bool
}

extension MySQLGTIDSet: GTIDPositionComparable {}
extension MariaDBGTIDList: GTIDPositionComparable {}

extension GTIDPositionComparable {
    /// Orders `self` against `other` by containment. For MariaDB positions "contains" is per domain by
    /// sequence, so two positions with equal per-domain sequences are `.equal` even if written by
    /// different servers.
    public func compare(to other: Self) -> GTIDOrder {
        let mine = contains(other)
        let theirs = other.contains(self)
        switch (mine, theirs) {
        case (true, true): return .equal
        case (true, false): return .ahead
        case (false, true): return .behind
        case (false, false): return .incomparable
        }
    }
}

extension Array where Element: GTIDPositionComparable {
    /// Which positions are most advanced. Returns `.winners` with every index whose position contains
    /// all the others (ties share the win), or `.incomparable` with the maximal indices when histories
    /// diverged (no single position contains all).
    public func mostAdvanced() -> MostAdvanced {
        guard !isEmpty else { return .none }
        let winners = indices.filter { i in indices.allSatisfy { self[i].contains(self[$0]) } }
        if !winners.isEmpty { return .winners(winners) }
        let maximal = indices.filter { i in
            !indices.contains { j in j != i && self[j].compare(to: self[i]) == .ahead }
        }
        return .incomparable(maximal)
    }
}
