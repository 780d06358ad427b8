/// Limits applied to every event before it is stored.
///
/// The defaults are Kubernaut's; widen the time window to import historical events.
public struct ValidationPolicy: Sendable, Hashable {
    /// Where the `event_id` of an event sent without one comes from.
    public enum EventIDs: String, Sendable, Hashable, CaseIterable {
        /// A new UUID (version 7: time-ordered) for every event accepted, as Kubernaut does:
        /// two identical events are two events. A client that retries a request whose answer it
        /// never saw may store it twice; clients that need exactly-once send `event_id`.
        case assigned
        /// A UUID (version 8) derived from the event's content: a retried request is stored
        /// once, but two separate events with identical content (same second, same data) are
        /// merged into one. Opt-in (`--content-derived-ids`).
        case contentDerived = "content-derived"
    }

    /// How far `event_timestamp` may lie in the future, in seconds. Default 3600 (60 minutes).
    public var maximumFutureSkewSeconds: Int64
    /// How far `event_timestamp` may lie in the past, in seconds. Default 604800 (7 days).
    public var maximumAgeSeconds: Int64
    /// Largest `event_data` in bytes of compact JSON. Default 262144 (256 KiB).
    public var maximumEventDataBytes: Int
    /// Deepest container nesting in `event_data`; the object itself is level 1. Default 10.
    public var maximumEventDataDepth: Int
    /// Most events in one batch request. Default 1000.
    public var maximumBatchSize: Int
    /// How events sent without `event_id` get one. Default ``EventIDs/assigned``.
    public var eventIDs: EventIDs
    /// Longest a number in `event_data` may be once written out in full, as PostgreSQL stores
    /// and returns it (`1e5` is 6 characters: `100000`). Default 1000.
    public var maximumNumberLength: Int
    /// Secrets replaced in `event_data` before anything else sees it. Default: the key patterns
    /// of ``Redaction/defaultKeyPatterns``, replaced by `"[REDACTED]"`.
    public var redaction: Redaction

    /// Creates a policy; every parameter defaults to the value documented on its property.
    public init(
        maximumFutureSkewSeconds: Int64 = 3600,
        maximumAgeSeconds: Int64 = 7 * 86_400,
        maximumEventDataBytes: Int = 256 * 1024,
        maximumEventDataDepth: Int = 10,
        maximumBatchSize: Int = 1000,
        maximumNumberLength: Int = 1000,
        eventIDs: EventIDs = .assigned,
        redaction: Redaction = Redaction()
    ) {
        self.redaction = redaction
        self.maximumFutureSkewSeconds = maximumFutureSkewSeconds
        self.maximumAgeSeconds = maximumAgeSeconds
        self.maximumEventDataBytes = maximumEventDataBytes
        self.maximumEventDataDepth = maximumEventDataDepth
        self.maximumBatchSize = maximumBatchSize
        self.maximumNumberLength = maximumNumberLength
        self.eventIDs = eventIDs
    }
}
