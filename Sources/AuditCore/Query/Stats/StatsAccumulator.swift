/// Builds an ``EventStats`` from the matching events one at a time, for a store that cannot
/// aggregate percentiles itself (SQLite). Keeps each group's measures: memory grows with the
/// events measured, which the query's time window bounds.
public struct StatsAccumulator: Sendable {
    private struct Tally: Sendable {
        var count = 0
        var failures = 0
        var measures: [Double] = []
    }

    private var tallies: [String?: Tally] = [:]
    private let maximumGroups: Int

    /// - Parameter maximumGroups: the most groups it tallies (``StatsQuery/maximumGroups``).
    public init(maximumGroups: Int = StatsQuery.defaultMaximumGroups) {
        self.maximumGroups = maximumGroups
    }

    /// Counts one event of the group `key`.
    /// - Throws: ``StatsQuery/tooManyGroups(_:)`` when `key` would be one group more than
    ///   its maximum.
    public mutating func add(key: String?, failed: Bool, measure: Double?) throws(AuditError) {
        if tallies[key] == nil, tallies.count >= maximumGroups { throw StatsQuery.tooManyGroups(maximumGroups) }
        var tally = tallies.removeValue(forKey: key) ?? Tally()
        tally.count += 1
        if failed { tally.failures += 1 }
        if let measure, measure.isFinite { tally.measures.append(measure) }
        tallies[key] = tally
    }

    /// The figures, the first `limit` groups in ``EventStats/precedes(_:_:)`` order.
    public func result(limit: Int) -> EventStats {
        var groups = tallies.map { key, tally in
            EventStats.Group(
                key: key, count: tally.count, failures: tally.failures, measured: tally.measures.count, percentiles: [], minimum: nil, maximum: nil)
        }
        groups.sort(by: EventStats.precedes)
        let totalEvents = groups.reduce(0) { $0 + $1.count }
        let totalFailures = groups.reduce(0) { $0 + $1.failures }
        let kept = Array(groups.prefix(limit)).map { group in
            var group = group
            let sorted = (tallies[group.key]?.measures ?? []).sorted()
            if let first = sorted.first, let last = sorted.last {
                group.percentiles = StatsQuery.percentiles.map { EventStats.percentile($0, ofSorted: sorted) }
                group.minimum = first
                group.maximum = last
            }
            return group
        }
        return EventStats(groups: kept, totalGroups: groups.count, totalEvents: totalEvents, totalFailures: totalFailures)
    }
}
