import AuditCore

/// Durations of one kind of request, for percentiles.
struct Latencies: Sendable {
    private(set) var nanoseconds: [Int64] = []

    mutating func record(_ duration: Duration) {
        nanoseconds.append(duration.nanoseconds)
    }

    mutating func merge(_ other: Latencies) {
        nanoseconds += other.nanoseconds
    }

    var count: Int { nanoseconds.count }

    /// The `fraction` percentile (0.5, 0.95, 0.99) in milliseconds, nearest rank.
    func percentile(_ fraction: Double) -> Double {
        guard !nanoseconds.isEmpty else { return 0 }
        let sorted = nanoseconds.sorted()
        let rank = min(sorted.count - 1, max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))
        return Double(sorted[rank]) / 1_000_000
    }

    /// The summary the report shows.
    var summary: LatencySummary {
        LatencySummary(count: count, p50: percentile(0.5), p95: percentile(0.95), p99: percentile(0.99), max: percentile(1))
    }
}

/// Percentiles in milliseconds.
struct LatencySummary: Sendable, Codable {
    var count: Int
    /// Answers other than the expected one, by status (a query past the store's time limit is
    /// answered 503): timed with the rest. `nil` when every answer was as expected.
    var failures: [String: Int]? = nil
    var p50: Double
    var p95: Double
    var p99: Double
    var max: Double
}

extension AuditTimestamp {
    /// This instant moved by `microseconds` (negative moves back).
    func adding(microseconds: Int64) -> AuditTimestamp {
        AuditTimestamp(microsecondsSinceEpoch: microsecondsSinceEpoch + microseconds)
    }
}
