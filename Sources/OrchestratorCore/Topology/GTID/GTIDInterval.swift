/// An inclusive range of transaction numbers, `lower...upper`, both >= 1.
public struct GTIDInterval: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var lower: UInt64
    public var upper: UInt64

    public init(_ lower: UInt64, _ upper: UInt64) {
        precondition(lower <= upper, "GTIDInterval lower bound above upper bound")
        self.lower = lower
        self.upper = upper
    }

    public init(_ single: UInt64) { self.init(single, single) }

    /// Number of transactions in the range.
    public var count: UInt64 { upper - lower + 1 }

    public static func < (lhs: GTIDInterval, rhs: GTIDInterval) -> Bool {
        lhs.lower != rhs.lower ? lhs.lower < rhs.lower : lhs.upper < rhs.upper
    }

    /// `n` or `n-m`, as MySQL prints it.
    public var description: String { lower == upper ? "\(lower)" : "\(lower)-\(upper)" }
}

/// Operations on interval lists kept sorted, non-overlapping and non-adjacent (the canonical form).
enum GTIDIntervals {
    /// Sorts and merges overlapping or adjacent ranges.
    static func normalize(_ intervals: [GTIDInterval]) -> [GTIDInterval] {
        var result: [GTIDInterval] = []
        for interval in intervals.sorted() {
            if let last = result.last,
               interval.lower <= last.upper || (last.upper < .max && interval.lower == last.upper + 1) {
                result[result.count - 1].upper = max(last.upper, interval.upper)
            } else {
                result.append(interval)
            }
        }
        return result
    }

    static func union(_ a: [GTIDInterval], _ b: [GTIDInterval]) -> [GTIDInterval] {
        normalize(a + b)
    }

    /// Ranges of `a` not in `b` (both canonical).
    static func subtract(_ a: [GTIDInterval], _ b: [GTIDInterval]) -> [GTIDInterval] {
        var result: [GTIDInterval] = []
        var j = 0
        for interval in a {
            var lower = interval.lower
            let upper = interval.upper
            var consumed = false
            while j < b.count, b[j].upper < lower { j += 1 }
            var k = j
            while k < b.count, b[k].lower <= upper {
                if b[k].lower > lower { result.append(GTIDInterval(lower, b[k].lower - 1)) }
                if b[k].upper >= upper { consumed = true; break }
                lower = b[k].upper + 1
                k += 1
            }
            if !consumed { result.append(GTIDInterval(lower, upper)) }
        }
        return result
    }

    /// True when every number in `b` is in `a` (both canonical).
    static func contains(_ a: [GTIDInterval], _ b: [GTIDInterval]) -> Bool {
        subtract(b, a).isEmpty
    }
}
