#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension EventQuery {
    /// The query parameters ``init(parameters:now:)`` takes; any other name is refused.
    public static let parameterNames: Set<String> = [
        "event_type", "event_category", "event_outcome", "severity", "correlation_id", "actor_type", "actor_id", "resource_type",
        "resource_id", "namespace", "cluster_id", "cluster_name", "parent_event_id", "event_data", "detail_key", "detail_value", "since",
        "until", "limit", "offset", "order", "cursor",
    ]

    /// Builds a query from URL query parameters (Kubernaut's names), already decoded as an HTML
    /// form or Go's `url.ParseQuery` decodes them. Every bad parameter is reported by name:
    /// a name this endpoint does not know, an empty value, a name given twice with different
    /// values, a value containing U+0000, or a value that does not parse.
    ///
    /// - `since` / `until`: a relative duration back from `now` (`30m`, `24h`, `7d`, `1h30m`),
    ///   an RFC 3339 date-time, or a `YYYY-MM-DD` UTC day. `since` is inclusive; `until` is
    ///   inclusive for a date-time and covers the whole day for a `YYYY-MM-DD`.
    /// - `limit` 1…1000 (default 50), `offset` ≥ 0, `order` `desc` (default) or `asc`.
    /// - `cursor`: a `next_cursor` from a previous page; it keeps that page's time window.
    /// - `event_data`: a JSON object (URL-encoded) the events' `event_data` must contain, e.g.
    ///   `{"selected_workflow":{"workflow_id":"restart-pod-v1"}}`; at most
    ///   ``maximumContainmentBytes`` bytes and ``maximumContainmentDepth`` levels.
    /// - `detail_key` and `detail_value` (Kubernaut's, always together): the top-level member
    ///   `detail_key` of `event_data` equals `detail_value` (see ``EventDataMember``).
    public init(parameters: [(name: String, value: String)], now: AuditTimestamp) throws(AuditError) {
        var errors: [AuditError.FieldError] = []
        func fail(_ field: String, _ message: String) {
            if !errors.contains(where: { $0.field == field }) { errors.append(.init(field: field, message: message)) }
        }
        var values: [String: String] = [:]
        for (name, value) in parameters {
            guard Self.parameterNames.contains(name) else {
                fail(name, "is not a parameter of this endpoint; see the API documentation for the filters it takes")
                continue
            }
            if value.isEmpty {
                fail(name, "must not be empty; leave the parameter out instead")
            } else if value.utf8.contains(0) {
                fail(name, "must not contain the character U+0000")
            } else if let earlier = values[name], !earlier.hasSameBytes(as: value) {
                fail(name, "is given more than once with different values")
            } else {
                values[name] = value
            }
        }
        func text(_ name: String) -> String? { values[name] }

        var filters = Filters()
        filters.eventType = text("event_type")
        filters.category = text("event_category")
        filters.severity = text("severity")
        filters.correlationID = text("correlation_id")
        filters.actorType = text("actor_type")
        filters.actorID = text("actor_id")
        filters.resourceType = text("resource_type")
        filters.resourceID = text("resource_id")
        filters.namespace = text("namespace")
        if let clusterID = text("cluster_id"), let clusterName = text("cluster_name"), !clusterID.hasSameBytes(as: clusterName) {
            fail("cluster_name", "differs from cluster_id; give one of them (cluster_name is the older name)")
        }
        filters.clusterID = text("cluster_id") ?? text("cluster_name")
        if let outcome = text("event_outcome") {
            filters.outcome = EventOutcome(rawValue: outcome)
            if filters.outcome == nil { fail("event_outcome", "must be one of success, failure, pending") }
        }
        if let parent = text("parent_event_id") {
            filters.parentEventID = UUID(uuidString: parent)
            if filters.parentEventID == nil { fail("parent_event_id", "must be a UUID") }
        }
        if let containment = text("event_data") {
            Self.readContainment(containment, into: &filters, fail: fail)
        }
        switch (text("detail_key"), text("detail_value")) {
        case (let key?, let value?):
            if let member = EventDataMember(key: key, value: value) {
                filters.eventDataMember = member
            } else {
                fail("detail_key", "must be ASCII letters, digits and underscores only")
            }
        case (.some, nil): fail("detail_value", "is required with detail_key")
        case (nil, .some): fail("detail_key", "is required with detail_value")
        case (nil, nil): break
        }

        var since: AuditTimestamp?
        var untilExclusive: AuditTimestamp?
        if let value = text("since") {
            since = Self.timeBound(value, now: now, isUpperBound: false)
            if since == nil { fail("since", Self.timeBoundHelp) }
        }
        if let value = text("until") {
            untilExclusive = Self.timeBound(value, now: now, isUpperBound: true)
            if untilExclusive == nil { fail("until", Self.timeBoundHelp) }
        }
        if let since, let untilExclusive, since >= untilExclusive {
            fail("until", "must be later than since")
        }

        var limit = Self.defaultLimit
        if let value = text("limit") {
            if let parsed = Int(value), (1...Self.maximumLimit).contains(parsed) {
                limit = parsed
            } else {
                fail("limit", "must be an integer from 1 to \(Self.maximumLimit)")
            }
        }
        var offset = 0
        if let value = text("offset") {
            if let parsed = Int(value), (0...Int(Int32.max)).contains(parsed) {
                offset = parsed
            } else {
                fail("offset", "must be a non-negative integer")
            }
        }
        var order = Order.descending
        if let value = text("order") {
            if let parsed = Order(rawValue: value.lowercased()) {
                order = parsed
            } else {
                fail("order", "must be asc or desc")
            }
        }
        var cursor: PageCursor?
        if let value = text("cursor") {
            cursor = PageCursor(token: value)
            if let cursor {
                if cursor.filterDigest != PageCursor.digest(of: filters) || cursor.order != order {
                    fail("cursor", "belongs to a query with other filters or another order; repeat that query's parameters")
                }
                if offset != 0 { fail("offset", "cannot be combined with cursor") }
            } else {
                fail("cursor", "is not a cursor returned by this API")
            }
        }
        guard errors.isEmpty else { throw AuditError.validation(errors) }
        self.init(
            filters: filters,
            since: cursor?.since ?? since,
            untilExclusive: cursor?.untilExclusive ?? untilExclusive,
            limit: limit,
            offset: offset,
            order: order,
            cursor: cursor
        )
    }

    private static func readContainment(_ text: String, into filters: inout Filters, fail: (String, String) -> Void) {
        guard text.utf8.count <= Self.maximumContainmentBytes else {
            fail("event_data", "must be at most \(Self.maximumContainmentBytes) bytes")
            return
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            let place = error.path.isEmpty ? "" : " at \(JSONPathComponent.render(error.path))"
            fail("event_data", "must be a JSON object, e.g. {\"workflow_id\":\"restart-pod-v1\"} (\(error.reason)\(place))")
            return
        }
        guard case .object(let object) = value, !object.members.isEmpty else {
            fail("event_data", "must be a non-empty JSON object, e.g. {\"workflow_id\":\"restart-pod-v1\"}")
            return
        }
        if value.containerDepth > Self.maximumContainmentDepth {
            fail("event_data", "must nest at most \(Self.maximumContainmentDepth) levels")
        } else if value.containsNUL {
            fail("event_data", "must not contain the character U+0000")
        } else {
            filters.eventDataContains = object
        }
    }

    /// Largest `event_data` containment filter, in bytes: 4096.
    public static let maximumContainmentBytes = 4096
    /// Deepest `event_data` containment filter: 8 levels.
    public static let maximumContainmentDepth = 8

    static let timeBoundHelp = "must be a duration such as 30m, 24h or 7d, an RFC 3339 date-time, or a YYYY-MM-DD date"

    /// Parses a `since`/`until` value; an upper bound is returned as the exclusive instant after it.
    static func timeBound(_ value: String, now: AuditTimestamp, isUpperBound: Bool) -> AuditTimestamp? {
        if let seconds = relativeSeconds(value) {
            let instant = now.adding(seconds: -seconds)
            return isUpperBound ? AuditTimestamp(microsecondsSinceEpoch: instant.microsecondsSinceEpoch + 1) : instant
        }
        if let date = EventDate(value) {
            return isUpperBound ? date.adding(days: 1).startOfDay : date.startOfDay
        }
        if let instant = AuditTimestamp(rfc3339: value) {
            return isUpperBound ? AuditTimestamp(microsecondsSinceEpoch: instant.microsecondsSinceEpoch + 1) : instant
        }
        return nil
    }

    /// Seconds in a duration made of `<digits><unit>` groups, units `s`, `m`, `h`, `d`.
    static func relativeSeconds(_ value: String) -> Int64? {
        var total: Int64 = 0
        var digits: Int64 = 0
        var sawDigit = false
        for character in value {
            if let digit = character.wholeNumberValue, character.isASCII {
                digits = digits * 10 + Int64(digit)
                sawDigit = true
                guard digits < 1_000_000_000 else { return nil }
                continue
            }
            let unit: Int64
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            default: return nil
            }
            guard sawDigit else { return nil }
            total += digits * unit
            digits = 0
            sawDigit = false
        }
        guard !sawDigit, !value.isEmpty, total < 10_000 * 365 * 86_400 else { return nil }
        return total
    }
}
