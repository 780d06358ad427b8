/// The answer to a ``StatsQuery``: its groups, the largest first, and totals over every group.
public struct EventStats: Sendable, Hashable {
    /// One group's figures.
    public struct Group: Sendable, Hashable {
        /// The group's value: a column's text, or for an `event_data` member its JSON text
        /// (`"restart-pod-v1"` with the quotes, `0.85`, `true`). `nil`: the column is empty or
        /// the member absent (or not a string, number or boolean).
        public var key: String?
        /// Events in the group.
        public var count: Int
        /// Of them, events whose `event_outcome` is `failure`.
        public var failures: Int
        /// Of them, events with a measure.
        public var measured: Int
        /// The measure's ``StatsQuery/percentiles``, in their order; empty when nothing was measured.
        public var percentiles: [Double]
        /// The smallest and largest measure; `nil` when nothing was measured.
        public var minimum: Double?
        public var maximum: Double?

        public init(
            key: String?, count: Int, failures: Int, measured: Int, percentiles: [Double], minimum: Double?, maximum: Double?
        ) {
            self.key = key
            self.count = count
            self.failures = failures
            self.measured = measured
            self.percentiles = percentiles
            self.minimum = minimum
            self.maximum = maximum
        }

        /// `failures / count`.
        public var failureRate: Double { count == 0 ? 0 : Double(failures) / Double(count) }
    }

    /// At most the query's limit of groups: by `count` descending, then by key (byte order,
    /// `nil` last).
    public var groups: [Group]
    /// Groups in all (more than `groups` holds when the limit cut them).
    public var totalGroups: Int
    /// Events counted, in every group.
    public var totalEvents: Int
    /// Failures counted, in every group.
    public var totalFailures: Int

    public init(groups: [Group], totalGroups: Int, totalEvents: Int, totalFailures: Int) {
        self.groups = groups
        self.totalGroups = totalGroups
        self.totalEvents = totalEvents
        self.totalFailures = totalFailures
    }

    /// Whether the limit left groups out.
    public var hasMore: Bool { totalGroups > groups.count }

    /// The order of the groups: larger first, then by key in byte order, `nil` last.
    public static func precedes(_ a: Group, _ b: Group) -> Bool {
        if a.count != b.count { return a.count > b.count }
        switch (a.key, b.key) {
        case (let x?, let y?): return x.precedesByBytes(y)
        case (.some, nil): return true
        case (nil, _): return false
        }
    }

    /// The discrete percentile `p` of `sorted` (ascending, not empty): the value at rank
    /// ⌈p · n⌉, as PostgreSQL's `percentile_disc` chooses it.
    public static func percentile(_ p: Double, ofSorted sorted: [Double]) -> Double {
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
