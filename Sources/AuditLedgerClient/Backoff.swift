/// Capped exponential backoff with full jitter: after the n-th failure in a row, a wait drawn
/// uniformly from zero to `initial × 2ⁿ⁻¹` (at most `maximum`), never shorter than a
/// `Retry-After` the server gave.
struct Backoff: Sendable {
    let initial: Duration
    let maximum: Duration
    private(set) var failures = 0

    init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait before the next attempt, counting one more failure.
    mutating func next(retryAfter: Duration? = nil, random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Duration {
        failures += 1
        let ceiling = min(initial.seconds * Double(1 << min(failures - 1, 30)), maximum.seconds)
        let wait = Duration.seconds(random(0...ceiling))
        guard let retryAfter else { return wait }
        return max(wait, min(retryAfter, maximum))
    }

    /// After a success: the next failure starts again from ``initial``.
    mutating func reset() { failures = 0 }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
