/// SplitMix64: a tiny, fast, seedable generator. The core never draws randomness of its own; the shell
/// seeds this (from the OS in production, from the simulation's seed in tests).
public struct RaftRandom: RandomNumberGenerator, Sendable, Equatable {
    public var state: UInt64

    public init(seed: UInt64) {
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` (bound > 0); the tiny modulo bias is irrelevant here.
    public mutating func next(below bound: UInt64) -> UInt64 {
        bound <= 1 ? 0 : next() % bound
    }

    /// True with probability `percent / 100`.
    public mutating func chance(_ percent: Double) -> Bool {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) * 100 < percent
    }
}
