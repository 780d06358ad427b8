/// What a principal may do. Every route names the one scope it needs; `/health/*` needs none.
public enum AccessScope: String, Sendable, Hashable, CaseIterable, Comparable {
    /// `POST /api/v1/audit/events` and `/events/batch`.
    case eventsWrite = "events:write"
    /// Reading events (`GET /api/v1/audit/events`, by id): envelopes, and the `event_data` and
    /// `error_message` of events not marked `is_sensitive`.
    case eventsRead = "events:read"
    /// With ``eventsRead``: the `event_data` and `error_message` of `is_sensitive` events too.
    case eventsReadSensitive = "events:read-sensitive"
    /// With ``eventsRead``: `GET /api/v1/audit/export` in every format. What an export holds
    /// follows the principal's other scopes and read limits, as a query does.
    case eventsExport = "events:export"
    /// Placing and releasing legal holds (listing them needs ``eventsRead``).
    case holdsWrite = "holds:write"
    /// Operator routes: partitions, retention, quarantine.
    case admin = "admin"

    public static func < (lhs: AccessScope, rhs: AccessScope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses `events:write` and the others; `nil` for anything else.
    public init?(name: String) {
        self.init(rawValue: name)
    }
}
