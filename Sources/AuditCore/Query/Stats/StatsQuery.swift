/// A question of counts and percentiles asked of the audit trail: the events a query's
/// filters and time window select, grouped by one column or `event_data` member, each group
/// with its number of events, of failures, and percentiles of a measure.
///
/// The cost is bounded by the time window (at most ``maximumWindowSeconds``, by default the
/// last ``defaultWindowSeconds``), which the stores read through their time index and only the
/// window's months; the filters use the same indexes as the query API.
public struct StatsQuery: Sendable, Hashable {
    /// What the events are grouped by.
    public enum Dimension: Sendable, Hashable, CustomStringConvertible {
        /// One of ``StatsQuery/groupColumns``.
        case column(String)
        /// A member of `event_data`; events where it is absent or not a string, number or
        /// boolean form the group whose key is `null`.
        case eventData(EventDataPath)

        /// The name as the API takes it: `event_action`, `event_data.selected_workflow.workflow_id`.
        public var description: String {
            switch self {
            case .column(let name): name
            case .eventData(let path): "event_data." + path.description
            }
        }
    }

    /// The number the percentiles are taken of.
    public enum Measure: Sendable, Hashable, CustomStringConvertible {
        /// The event's `duration_ms` (events without one are not measured).
        case durationMS
        /// A number in `event_data` (events where it is absent or not a number are not measured).
        case eventData(EventDataPath)

        public var description: String {
            switch self {
            case .durationMS: "duration_ms"
            case .eventData(let path): "event_data." + path.description
            }
        }
    }

    /// The columns events can be grouped by.
    public static let groupColumns: [String] = ["event_type", "event_action", "event_category", "namespace", "event_outcome"]
    /// The percentiles of every group's measure: p50, p95, p99 (discrete: the smallest
    /// measured value with at least that share of the group's values at or below it).
    public static let percentiles: [Double] = [0.5, 0.95, 0.99]
    /// Longest time window: 31 days.
    public static let maximumWindowSeconds: Int64 = 31 * 86_400
    /// Time window when `since` is not given: the 24 hours before `until` (or now).
    public static let defaultWindowSeconds: Int64 = 86_400
    /// Groups answered when no limit is given.
    public static let defaultLimit = 100
    /// Most groups one answer holds.
    public static let maximumLimit = 1000
    /// Default of ``maximumGroups``: 100,000.
    public static let defaultMaximumGroups = 100_000

    /// The error for a question that forms more than `limit` groups.
    public static func tooManyGroups(_ limit: Int) -> AuditError {
        AuditError(
            .payloadTooLarge,
            detail: "the events form more than \(limit) groups; group by a field with fewer values, or narrow the filters or the window")
    }

    /// The events counted: filters, time window and read limits. Its page fields (limit,
    /// offset, order, cursor) are not used.
    public var events: EventQuery
    /// Default `event_type`.
    public var groupBy: Dimension
    /// Default ``Measure/durationMS``.
    public var measure: Measure
    /// Only events whose measure is at least this (events without a measure are left out).
    public var measureAtLeast: Double?
    /// Only events whose measure is below this (events without a measure are left out).
    public var measureBelow: Double?
    /// Groups in the answer, the largest first: 1…``maximumLimit``, default ``defaultLimit``.
    public var limit: Int
    /// Most distinct groups the question may form, whatever its limit, so that grouping by a
    /// member with a value per event (an id, a fingerprint) is refused (`413`) instead of
    /// tallied. Default ``defaultMaximumGroups``.
    public var maximumGroups = StatsQuery.defaultMaximumGroups

    public init(
        events: EventQuery, groupBy: Dimension = .column("event_type"), measure: Measure = .durationMS, measureAtLeast: Double? = nil,
        measureBelow: Double? = nil, limit: Int = StatsQuery.defaultLimit
    ) {
        self.events = events
        self.groupBy = groupBy
        self.measure = measure
        self.measureAtLeast = measureAtLeast
        self.measureBelow = measureBelow
        self.limit = limit
    }

    /// Whether the question reads `event_data` (its group, its measure or a filter): then a
    /// principal without `events:read-sensitive` counts no sensitive event
    /// (``EventQuery/excludesSensitiveEvents``, ``EventQuery/limit(to:readsEventData:)``).
    public var readsEventData: Bool {
        if case .eventData = groupBy { return true }
        if case .eventData = measure { return true }
        return events.readsEventData
    }
}
