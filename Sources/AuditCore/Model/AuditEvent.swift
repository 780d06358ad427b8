#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// One audit event: the columns of Kubernaut's `audit_events` table.
///
/// Values reach this type only through ``EventValidator`` (or a store reading what it stored),
/// so every field already satisfies the write rules: lengths, defaults and formats.
public struct AuditEvent: Sendable, Hashable {
    /// `event_id`: supplied by the client or derived from the content (see ``EventValidator``).
    public var id: UUID
    /// `event_version` (Kubernaut's request member `version`), e.g. `"1.0"`.
    public var version: String
    /// `event_timestamp`, microsecond precision.
    public var timestamp: AuditTimestamp
    /// `event_type`, e.g. `gateway.signal.received`.
    public var eventType: String
    /// `event_category`, e.g. `gateway`.
    public var category: String
    /// `event_action`, e.g. `received`.
    public var action: String
    /// `event_outcome`.
    public var outcome: EventOutcome
    /// `actor_type`; Kubernaut's default is `service`.
    public var actorType: String
    /// `actor_id`; Kubernaut's default is `<category>-service`.
    public var actorID: String
    /// `actor_ip`, an IPv4 or IPv6 host address in canonical text form.
    public var actorIP: String?
    /// `resource_type`; Kubernaut's default is the category.
    public var resourceType: String
    /// `resource_id`; Kubernaut's default is the correlation id.
    public var resourceID: String
    /// `correlation_id`: groups the events of one remediation, e.g. `rr-2025-001`.
    public var correlationID: String
    /// `parent_event_id`: the event that caused this one.
    public var parentEventID: UUID?
    /// `parent_event_date`: the parent's `event_date`, filled by the store from the parent.
    public var parentEventDate: EventDate?
    /// `namespace` (Kubernetes).
    public var namespace: String?
    /// `cluster_id` (Kubernaut's older clients send `cluster_name`).
    public var clusterID: String?
    /// `severity`.
    public var severity: String?
    /// `duration_ms`.
    public var durationMS: Int32?
    /// `error_code`.
    public var errorCode: String?
    /// `error_message`.
    public var errorMessage: String?
    /// `retention_days`, 1…2555; defaults to 2555 (seven years).
    public var retentionDays: Int32
    /// `is_sensitive`.
    public var isSensitive: Bool
    /// `event_data`: a JSON object, kept whole.
    public var eventData: EventData
    /// `written_by` (an AuditLedger extension): the authenticated principal that wrote the
    /// event, set by the server from the request's credentials, never from the request body.
    /// `nil` for events stored before the column existed (converted tables, archives of format 1).
    /// Not part of the event's content: a retry by another principal is the same event
    /// (see ``hasSameContent(as:)``).
    public var writtenBy: String?

    /// `event_date`: the UTC day of ``timestamp``, the partition key.
    public var date: EventDate { timestamp.utcDate }

    public init(
        id: UUID,
        version: String,
        timestamp: AuditTimestamp,
        eventType: String,
        category: String,
        action: String,
        outcome: EventOutcome,
        actorType: String,
        actorID: String,
        actorIP: String? = nil,
        resourceType: String,
        resourceID: String,
        correlationID: String,
        parentEventID: UUID? = nil,
        parentEventDate: EventDate? = nil,
        namespace: String? = nil,
        clusterID: String? = nil,
        severity: String? = nil,
        durationMS: Int32? = nil,
        errorCode: String? = nil,
        errorMessage: String? = nil,
        retentionDays: Int32 = EventValidator.defaultRetentionDays,
        isSensitive: Bool = false,
        eventData: EventData,
        writtenBy: String? = nil
    ) {
        self.id = id
        self.version = version
        self.timestamp = timestamp
        self.eventType = eventType
        self.category = category
        self.action = action
        self.outcome = outcome
        self.actorType = actorType
        self.actorID = actorID
        self.actorIP = actorIP
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.correlationID = correlationID
        self.parentEventID = parentEventID
        self.parentEventDate = parentEventDate
        self.namespace = namespace
        self.clusterID = clusterID
        self.severity = severity
        self.durationMS = durationMS
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.retentionDays = retentionDays
        self.isSensitive = isSensitive
        self.eventData = eventData
        self.writtenBy = writtenBy
    }
}

/// `event_outcome`.
public enum EventOutcome: String, Sendable, Hashable, CaseIterable {
    case success
    case failure
    case pending
}

/// An event as a store holds it: the event plus the insertion order the store assigned, and
/// — when read through a query — the legal hold it is under now.
public struct StoredAuditEvent: Sendable, Hashable {
    /// The event, with ``AuditEvent/parentEventDate`` filled when it has a parent.
    public var event: AuditEvent
    /// `insert_seq`: increases with every insert, across all partitions.
    public var insertSequence: Int64
    /// The earliest active legal hold covering the event, when there is one (filled by the
    /// stores' queries; not part of the event, which never changes).
    public var legalHold: LegalHoldMark?
    /// `event_hash` as stored (``AuditEvent/eventHash()`` when it was written); `nil` for events
    /// stored before the store kept hashes.
    public var eventHash: String?
    /// `hash_algorithm` as stored, e.g. ``AuditEvent/hashAlgorithm``.
    public var hashAlgorithm: String?

    public init(
        event: AuditEvent, insertSequence: Int64, legalHold: LegalHoldMark? = nil, eventHash: String? = nil, hashAlgorithm: String? = nil
    ) {
        self.event = event
        self.insertSequence = insertSequence
        self.legalHold = legalHold
        self.eventHash = eventHash
        self.hashAlgorithm = hashAlgorithm
    }
}
