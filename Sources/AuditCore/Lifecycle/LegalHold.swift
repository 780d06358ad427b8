/// A legal hold: the events of one correlation id kept whatever their retention, until released.
///
/// A hold covers the events stored when it is placed and those written with the same
/// `correlation_id` while it is active. Several holds may cover one correlation id (each with
/// its own reason); releasing a correlation id releases all of them.
public struct LegalHold: Sendable, Hashable {
    public var correlationID: String
    public var reason: String
    /// Who placed it (Kubernaut's `X-Auth-Request-User`).
    public var placedBy: String
    public var placedAt: AuditTimestamp
    /// Events the hold covers.
    public var eventsAffected: Int64

    public init(correlationID: String, reason: String, placedBy: String, placedAt: AuditTimestamp, eventsAffected: Int64) {
        self.correlationID = correlationID
        self.reason = reason
        self.placedBy = placedBy
        self.placedAt = placedAt
        self.eventsAffected = eventsAffected
    }
}

/// The hold an event is under, as a query answer shows it (Kubernaut's `legal_hold_reason`,
/// `legal_hold_placed_by`, `legal_hold_placed_at`).
public struct LegalHoldMark: Sendable, Hashable {
    public var reason: String
    public var placedBy: String
    public var placedAt: AuditTimestamp

    public init(reason: String, placedBy: String, placedAt: AuditTimestamp) {
        self.reason = reason
        self.placedBy = placedBy
        self.placedAt = placedAt
    }
}

/// What releasing the holds of a correlation id did.
public struct HoldRelease: Sendable, Hashable {
    public var correlationID: String
    /// Events no longer held by any hold of this correlation id.
    public var eventsReleased: Int64
    public var releasedBy: String
    public var releasedAt: AuditTimestamp
    public var reason: String

    public init(correlationID: String, eventsReleased: Int64, releasedBy: String, releasedAt: AuditTimestamp, reason: String) {
        self.correlationID = correlationID
        self.eventsReleased = eventsReleased
        self.releasedBy = releasedBy
        self.releasedAt = releasedAt
        self.reason = reason
    }
}

/// A per-category retention: events of `category` are kept at least `days` days, whatever their
/// own `retention_days` says (the longer of the two applies).
public struct RetentionPolicy: Sendable, Hashable {
    public var category: String
    /// 1…2555.
    public var days: Int32

    public init(category: String, days: Int32) {
        self.category = category
        self.days = days
    }
}
