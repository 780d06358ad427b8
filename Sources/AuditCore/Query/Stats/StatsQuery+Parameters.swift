extension StatsQuery {
    /// The parameters of `GET /api/v1/audit/stats` besides the query API's filters and window.
    public static let ownParameterNames: Set<String> = ["group_by", "measure", "measure_at_least", "measure_below", "limit"]

    /// Builds a stats question from URL query parameters: the query API's filters, `since`
    /// and `until` (``EventQuery/init(parameters:now:)``), and
    /// - `group_by`: one of ``groupColumns`` or `event_data.<path>` (``EventDataPath``);
    ///   default `event_type`.
    /// - `measure`: `duration_ms` (default) or `event_data.<path>`, a number.
    /// - `measure_at_least`, `measure_below`: numbers; only events whose measure is in range.
    /// - `limit`: groups, 1…``maximumLimit`` (default ``defaultLimit``).
    ///
    /// Without `since`, the window is the ``defaultWindowSeconds`` before `until` (or `now`);
    /// a window longer than ``maximumWindowSeconds`` is refused. The query API's page
    /// parameters (`offset`, `order`, `cursor`) are refused. Every bad parameter is reported by
    /// name, together with the filters' own errors.
    public init(parameters: [(name: String, value: String)], now: AuditTimestamp) throws(AuditError) {
        var errors: [AuditError.FieldError] = []
        func fail(_ field: String, _ message: String) {
            if !errors.contains(where: { $0.field == field }) { errors.append(.init(field: field, message: message)) }
        }
        var own: [String: String] = [:]
        var rest: [(name: String, value: String)] = []
        for (name, value) in parameters {
            if Self.ownParameterNames.contains(name) {
                if value.isEmpty {
                    fail(name, "must not be empty; leave the parameter out instead")
                } else if let earlier = own[name], !earlier.hasSameBytes(as: value) {
                    fail(name, "is given more than once with different values")
                } else {
                    own[name] = value
                }
            } else if ["offset", "order", "cursor"].contains(name) {
                fail(name, "is not a parameter of this endpoint: stats answer groups, not pages (see limit)")
            } else {
                rest.append((name, value))
            }
        }
        var events = EventQuery()
        do {
            events = try EventQuery(parameters: rest, now: now)
        } catch {
            errors += error.fieldErrors
        }

        var groupBy = Dimension.column("event_type")
        if let value = own["group_by"] {
            if Self.groupColumns.contains(value) {
                groupBy = .column(value)
            } else if let path = Self.eventDataPath(value) {
                groupBy = .eventData(path)
            } else {
                fail(
                    "group_by",
                    "must be one of \(Self.groupColumns.joined(separator: ", ")) or event_data.<path>, e.g. event_data.selected_workflow.workflow_id")
            }
        }
        var measure = Measure.durationMS
        if let value = own["measure"], value != "duration_ms" {
            if let path = Self.eventDataPath(value) {
                measure = .eventData(path)
            } else {
                fail("measure", "must be duration_ms or event_data.<path>, e.g. event_data.scoring.confidence")
            }
        }
        func number(_ name: String) -> Double? {
            guard let text = own[name] else { return nil }
            guard case .number(_)? = try? JSONParser.parse(text), let value = Double(text), value.isFinite else {
                fail(name, "must be a number, e.g. 0.7 or 60000")
                return nil
            }
            return value
        }
        let atLeast = number("measure_at_least")
        let below = number("measure_below")
        if let atLeast, let below, atLeast >= below { fail("measure_below", "must be greater than measure_at_least") }
        var limit = Self.defaultLimit
        if let value = own["limit"] {
            if let parsed = Int(value), (1...Self.maximumLimit).contains(parsed) {
                limit = parsed
            } else {
                fail("limit", "must be an integer from 1 to \(Self.maximumLimit)")
            }
        }

        let end = events.untilExclusive ?? now
        if events.since == nil, errors.isEmpty {
            events.since = end.adding(seconds: -Self.defaultWindowSeconds)
        }
        if let since = events.since, end.microsecondsSinceEpoch - since.microsecondsSinceEpoch > Self.maximumWindowSeconds * 1_000_000 {
            fail(
                "since", "the window from since to until (or now) must be at most \(Self.maximumWindowSeconds / 86_400) days; ask for several windows"
            )
        }
        guard errors.isEmpty else { throw AuditError.validation(errors) }
        self.init(events: events, groupBy: groupBy, measure: measure, measureAtLeast: atLeast, measureBelow: below, limit: limit)
    }

    private static func eventDataPath(_ value: String) -> EventDataPath? {
        guard value.hasPrefix("event_data.") else { return nil }
        return EventDataPath(String(value.dropFirst("event_data.".count)))
    }
}
