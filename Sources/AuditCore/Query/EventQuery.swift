#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A question asked of the audit trail: filters, a time window, an order and a page.
///
/// Every filter is an exact match (`event_data` a containment); all given filters must hold.
public struct EventQuery: Sendable, Hashable {
    /// Exact-match filters on columns; `nil` means no filter.
    public struct Filters: Sendable, Hashable {
        public var eventType: String?
        public var category: String?
        public var outcome: EventOutcome?
        public var severity: String?
        public var correlationID: String?
        public var actorType: String?
        public var actorID: String?
        public var resourceType: String?
        public var resourceID: String?
        public var namespace: String?
        public var clusterID: String?
        public var parentEventID: UUID?
        /// Events whose `event_data` contains this object, as PostgreSQL's `jsonb @>` decides:
        /// every member present with a value that contains the given one (objects recursively;
        /// an array contains each given element; scalars equal, numbers by value).
        public var eventDataContains: JSONObject?
        /// Kubernaut's `detail_key`/`detail_value`: a top-level member of `event_data` equals a value.
        public var eventDataMember: EventDataMember?

        public init() {}

        /// The active filters as (column, value text) pairs in a fixed order: for stores that
        /// build their `WHERE` clause generically and for binding a cursor to its query.
        public var columns: [(column: String, value: String)] {
            var result: [(String, String)] = []
            func add(_ column: String, _ value: String?) {
                if let value { result.append((column, value)) }
            }
            add("event_type", eventType)
            add("event_category", category)
            add("event_outcome", outcome?.rawValue)
            add("severity", severity)
            add("correlation_id", correlationID)
            add("actor_type", actorType)
            add("actor_id", actorID)
            add("resource_type", resourceType)
            add("resource_id", resourceID)
            add("namespace", namespace)
            add("cluster_id", clusterID)
            add("parent_event_id", parentEventID?.uuidString.lowercased())
            return result
        }
    }

    /// Result order: by `event_timestamp`, ties broken by `event_id`.
    public enum Order: String, Sendable, Hashable {
        /// Newest first (the default).
        case descending = "desc"
        /// Chronological.
        case ascending = "asc"
    }

    /// Most events a page may hold.
    public static let maximumLimit = 1000
    /// Page size when none is given.
    public static let defaultLimit = 50

    public var filters: Filters
    /// Events at or after this instant.
    public var since: AuditTimestamp?
    /// Events strictly before this instant.
    public var untilExclusive: AuditTimestamp?
    /// Page size, 1…``maximumLimit``. Default ``defaultLimit``.
    public var limit: Int
    /// Events to skip (offset pagination). Must be 0 with a cursor.
    public var offset: Int
    public var order: Order
    /// Continue after the last event of a previous page (keyset pagination).
    public var cursor: PageCursor?
    /// What the asking principal may read (``ReadLimits``); stores apply it with the filters,
    /// so totals and cursors count only readable events. Default: everything.
    public var readLimits: ReadLimits = .unlimited
    /// Whether the page counts every matching event (``EventPage/total``). Default `true`;
    /// exports, which page through everything, turn it off: then `total` is -1.
    public var countsTotal = true
    /// Whether events marked `is_sensitive` are left out. Default `false`. Set for a principal
    /// without `events:read-sensitive` whose question reads `event_data` (a filter on it, a
    /// group or measure of it): otherwise the answer would tell what a hidden `event_data` holds.
    public var excludesSensitiveEvents = false

    /// Whether a filter reads `event_data` (containment or Kubernaut's `detail_key`).
    public var readsEventData: Bool { filters.eventDataContains != nil || filters.eventDataMember != nil }

    public init(
        filters: Filters = Filters(),
        since: AuditTimestamp? = nil,
        untilExclusive: AuditTimestamp? = nil,
        limit: Int = EventQuery.defaultLimit,
        offset: Int = 0,
        order: Order = .descending,
        cursor: PageCursor? = nil
    ) {
        self.filters = filters
        self.since = since
        self.untilExclusive = untilExclusive
        self.limit = limit
        self.offset = offset
        self.order = order
        self.cursor = cursor
    }

    /// The first and last `event_date` the time window can touch, for partition pruning.
    public var dateRange: (first: EventDate?, last: EventDate?) {
        (since?.utcDate, untilExclusive.map { AuditTimestamp(microsecondsSinceEpoch: $0.microsecondsSinceEpoch - 1).utcDate })
    }
}

/// One page of query results.
public struct EventPage: Sendable {
    /// The events, in the query's order.
    public var events: [StoredAuditEvent]
    /// How many events match the filters and time window (all pages together).
    public var total: Int
    /// Whether more events follow this page.
    public var hasMore: Bool

    public init(events: [StoredAuditEvent], total: Int, hasMore: Bool) {
        self.events = events
        self.total = total
        self.hasMore = hasMore
    }

    /// The cursor that continues after this page, when there is more.
    public func nextCursor(for query: EventQuery) -> PageCursor? {
        guard hasMore, let last = events.last else { return nil }
        return PageCursor(query: query, after: last.event)
    }
}
