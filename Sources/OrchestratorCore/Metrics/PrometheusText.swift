/// Prometheus' text exposition format (version 0.0.4): `# HELP`, `# TYPE`, then one line per sample.
public struct MetricFamily: Sendable, Equatable {
    public enum Kind: String, Sendable { case gauge, counter, histogram }

    public struct Sample: Sendable, Equatable {
        public var labels: [(String, String)]
        public var value: Double
        /// Appended to the family's name: a histogram's `_bucket`, `_sum` and `_count` series.
        public var suffix: String

        public init(_ labels: [(String, String)] = [], _ value: Double, suffix: String = "") {
            self.labels = labels
            self.value = value
            self.suffix = suffix
        }

        public static func == (a: Sample, b: Sample) -> Bool {
            a.value == b.value && a.suffix == b.suffix && a.labels.map(\.0) == b.labels.map(\.0)
                && a.labels.map(\.1) == b.labels.map(\.1)
        }
    }

    public var name: String
    public var help: String
    public var kind: Kind
    public var samples: [Sample]

    public init(_ name: String, _ kind: Kind, _ help: String, _ samples: [Sample] = []) {
        self.name = name
        self.kind = kind
        self.help = help
        self.samples = samples
    }
}

public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The families in order; a family without samples still gets its HELP and TYPE lines.
    public static func render(_ families: [MetricFamily]) -> String {
        var out = ""
        for family in families {
            out += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                out += family.name + sample.suffix
                if !sample.labels.isEmpty {
                    out += "{" + sample.labels.map { "\($0.0)=\"\(escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
                }
                out += " " + format(sample.value) + "\n"
            }
        }
        return out
    }

    /// Integers without a fraction; NaN and infinities as Prometheus spells them.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Label values: backslash, double quote and line feed escaped.
    static func escapeLabel(_ text: String) -> String { escape(text, quotes: true) }

    /// HELP text: backslash and line feed escaped.
    static func escapeHelp(_ text: String) -> String { escape(text, quotes: false) }

    private static func escape(_ text: String, quotes: Bool) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"" where quotes: out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

/// A Prometheus histogram of durations in seconds: cumulative counts per upper bound (`le`), the sum
/// and the count. Pure bookkeeping; ``samples`` renders its series.
public struct DurationHistogram: Sendable, Equatable {
    public let bounds: [Double]
    /// counts[i]: observations <= bounds[i] (not cumulative here; ``samples`` accumulates).
    public private(set) var counts: [UInt64]
    public private(set) var sum: Double = 0
    public private(set) var count: UInt64 = 0

    /// Bounds fine around one second, where a poll round must end.
    public static let pollRoundBounds: [Double] = [
        0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 30, 60,
    ]

    public init(bounds: [Double] = DurationHistogram.pollRoundBounds) {
        self.bounds = bounds.sorted()
        counts = Array(repeating: 0, count: bounds.count)
    }

    public mutating func observe(_ seconds: Double) {
        sum += seconds
        count &+= 1
        if let i = bounds.firstIndex(where: { seconds <= $0 }) { counts[i] &+= 1 }
    }

    /// `_bucket{le=...}` (cumulative, ending with `+Inf`), `_sum` and `_count`.
    public func samples(_ labels: [(String, String)] = []) -> [MetricFamily.Sample] {
        var out: [MetricFamily.Sample] = []
        var running: UInt64 = 0
        for (bound, n) in zip(bounds, counts) {
            running &+= n
            out.append(.init(labels + [("le", PrometheusText.format(bound))], Double(running), suffix: "_bucket"))
        }
        out.append(.init(labels + [("le", "+Inf")], Double(count), suffix: "_bucket"))
        out.append(.init(labels, sum, suffix: "_sum"))
        out.append(.init(labels, Double(count), suffix: "_count"))
        return out
    }
}
