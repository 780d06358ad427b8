import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Events that were acknowledged (`202`) and that the store then refused for good: an
/// `event_id` already used for other content, an unknown parent, a rule of the database they
/// break. They are never dropped: the spool hands them to the store's quarantine table, where
/// `GET /api/v1/audit/quarantine` and `auditledger quarantine list|retry|export` show them.
public struct QuarantineEntry: Sendable, Hashable {
    /// The request's events as accepted (validated, ids assigned).
    public var events: [AuditEvent]
    /// The problem type of the refusal (`event-id-conflict`, `validation-error`, `store-refused`).
    public var reason: String
    /// The store's words for it (never internals).
    public var detail: String
    /// The `X-Request-ID` of the request that brought the events, when known.
    public var requestID: String?
    /// When the server accepted them, when known.
    public var receivedAt: AuditTimestamp?
    /// When they were set aside.
    public var quarantinedAt: AuditTimestamp
    /// How they got here: `replay` (the spool), `spool-rejected` (a file of an older version's
    /// `spool/rejected/`, brought back by `auditledger spool recover-rejected`).
    public var origin: String

    public init(
        events: [AuditEvent], reason: String, detail: String, requestID: String?, receivedAt: AuditTimestamp?, quarantinedAt: AuditTimestamp,
        origin: String
    ) {
        self.events = events
        self.reason = reason
        self.detail = detail
        self.requestID = requestID
        self.receivedAt = receivedAt
        self.quarantinedAt = quarantinedAt
        self.origin = origin
    }

    /// Identifies the request's events whatever the route they took (the hex SHA-256 of their
    /// ids in order): quarantining the same events twice — a replay after a crash — keeps one record.
    public var key: String {
        var hasher = SHA256()
        hasher.update(data: Array("auditledger.quarantine.v1\n".utf8))
        for event in events { hasher.update(data: Array(event.id.uuidString.lowercased().utf8)) }
        return Hex.lowercase(hasher.finalize())
    }

    /// The events as the quarantine table keeps them: a JSON array of
    /// ``EventRecordCodec`` version 1 records (each one a valid write request).
    public var eventsJSON: String {
        var writer = JSONWriter(capacity: 64 + events.count * 1200)
        writer.writeByte(UInt8(ascii: "["))
        for (index, event) in events.enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            EventRecordCodec.write(event, into: &writer)
        }
        writer.writeByte(UInt8(ascii: "]"))
        return writer.string
    }

    /// Reads ``eventsJSON`` back.
    public static func events(fromJSON json: String) throws(AuditError) -> [AuditEvent] {
        guard case .array(let items)? = try? JSONParser.parse(json) else {
            throw AuditError(.internalError, detail: "a quarantine record's events are not a JSON array")
        }
        return try items.map { (item: JSONValue) throws(AuditError) -> AuditEvent in
            guard case .object(let object) = item else { throw AuditError(.internalError, detail: "a quarantined event is not an object") }
            return try EventRecordCodec.read(object)
        }
    }
}

/// A quarantine record as the store holds it.
public struct QuarantinedRecord: Sendable, Hashable {
    /// The store's id for the record (`auditledger quarantine retry ID`).
    public var id: Int64
    public var entry: QuarantineEntry
    /// When an operator resolved it (its events stored by `quarantine retry`), if so.
    public var resolvedAt: AuditTimestamp?
    /// What resolved it.
    public var resolution: String?

    public init(id: Int64, entry: QuarantineEntry, resolvedAt: AuditTimestamp? = nil, resolution: String? = nil) {
        self.id = id
        self.entry = entry
        self.resolvedAt = resolvedAt
        self.resolution = resolution
    }
}

/// How much the quarantine holds that nobody has resolved.
public struct QuarantineCounts: Sendable, Hashable {
    public var records: Int
    public var events: Int

    public init(records: Int, events: Int) {
        self.records = records
        self.events = events
    }
}
