#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The versioned JSON form of an accepted event, for what outlives a release: the spool and
/// the quarantine. Independent of the API's answers, so they can change without making old
/// records unreadable.
///
/// Version 1 is an object with the members of Kubernaut's write request (`event_id`, `version`,
/// `event_timestamp`, … `event_data`), values as accepted, absent ones left out, so a record
/// can be sent back to `POST /api/v1/audit/events` unchanged (the server ignores a
/// `written_by` sent to it and records the sender). Version 2 adds `written_by`, the principal
/// that wrote the event, when known; a version 1 record reads as one without it. Reading is
/// strict: a missing required member, a malformed value or a member these versions do not know
/// is an error, never a silent default.
public enum EventRecordCodec {
    /// The version written.
    public static let version = 2

    static let knownMembers: Set<String> = [
        "event_id", "version", "event_timestamp", "event_type", "event_category", "event_action", "event_outcome", "actor_type",
        "actor_id", "actor_ip", "resource_type", "resource_id", "correlation_id", "parent_event_id", "namespace", "cluster_id",
        "severity", "duration_ms", "error_code", "error_message", "retention_days", "is_sensitive", "event_data", "written_by",
    ]

    /// Appends `event` as a version 2 record object.
    public static func write(_ event: AuditEvent, into writer: inout JSONWriter) {
        var object = JSONObjectWriter(taking: &writer)
        object.string("event_id", event.id.uuidString.lowercased())
        object.string("version", event.version)
        object.string("event_timestamp", event.timestamp.description)
        object.string("event_type", event.eventType)
        object.string("event_category", event.category)
        object.string("event_action", event.action)
        object.string("event_outcome", event.outcome.rawValue)
        object.string("actor_type", event.actorType)
        object.string("actor_id", event.actorID)
        object.optional("actor_ip", event.actorIP)
        object.string("resource_type", event.resourceType)
        object.string("resource_id", event.resourceID)
        object.string("correlation_id", event.correlationID)
        object.optional("parent_event_id", event.parentEventID?.uuidString.lowercased())
        object.optional("namespace", event.namespace)
        object.optional("cluster_id", event.clusterID)
        object.optional("severity", event.severity)
        if let duration = event.durationMS { object.integer("duration_ms", Int64(duration)) }
        object.optional("error_code", event.errorCode)
        object.optional("error_message", event.errorMessage)
        object.integer("retention_days", Int64(event.retentionDays))
        object.bool("is_sensitive", event.isSensitive)
        object.raw("event_data", event.eventData.json)
        object.optional("written_by", event.writtenBy)
        writer = object.finish()
    }

    /// Reads a version 1 or 2 record object.
    /// - Throws: `internal-error` naming the member at fault (the record was written by
    ///   AuditLedger, so a bad one is damage or a version mismatch, never the client's error).
    public static func read(_ object: JSONObject) throws(AuditError) -> AuditEvent {
        func fail(_ member: String, _ why: String) -> AuditError {
            AuditError(.internalError, detail: "an event record (codec \(version)) has \(why) member \(member)")
        }
        for member in object.members where !knownMembers.contains(member.key) {
            throw fail(String(member.key.prefix(64)), "the unknown")
        }
        func string(_ key: String) throws(AuditError) -> String? {
            switch object[key] {
            case nil: return nil
            case .string(let value)?: return value
            default: throw fail(key, "a malformed")
            }
        }
        func required(_ key: String) throws(AuditError) -> String {
            guard let value = try string(key) else { throw fail(key, "no") }
            return value
        }
        func integer(_ key: String) throws(AuditError) -> Int64? {
            switch object[key] {
            case nil: return nil
            case .number(let literal)?:
                guard let value = FieldReader.integer(literal) else { throw fail(key, "a malformed") }
                return value
            default: throw fail(key, "a malformed")
            }
        }
        guard let id = UUID(uuidString: try required("event_id")) else { throw fail("event_id", "a malformed") }
        guard let timestamp = AuditTimestamp(rfc3339: try required("event_timestamp")) else { throw fail("event_timestamp", "a malformed") }
        guard let outcome = EventOutcome(rawValue: try required("event_outcome")) else { throw fail("event_outcome", "a malformed") }
        var parentID: UUID?
        if let parent = try string("parent_event_id") {
            guard let parsed = UUID(uuidString: parent) else { throw fail("parent_event_id", "a malformed") }
            parentID = parsed
        }
        guard let retention = try integer("retention_days"), let retentionDays = Int32(exactly: retention) else {
            throw fail("retention_days", "no or a malformed")
        }
        var duration: Int32?
        if let value = try integer("duration_ms") {
            guard let exact = Int32(exactly: value) else { throw fail("duration_ms", "a malformed") }
            duration = exact
        }
        guard case .bool(let isSensitive)? = object["is_sensitive"] else { throw fail("is_sensitive", "no or a malformed") }
        guard case .object(let data)? = object["event_data"] else { throw fail("event_data", "no or a malformed") }
        return AuditEvent(
            id: id,
            version: try required("version"),
            timestamp: timestamp,
            eventType: try required("event_type"),
            category: try required("event_category"),
            action: try required("event_action"),
            outcome: outcome,
            actorType: try required("actor_type"),
            actorID: try required("actor_id"),
            actorIP: try string("actor_ip"),
            resourceType: try required("resource_type"),
            resourceID: try required("resource_id"),
            correlationID: try required("correlation_id"),
            parentEventID: parentID,
            namespace: try string("namespace"),
            clusterID: try string("cluster_id"),
            severity: try string("severity"),
            durationMS: duration,
            errorCode: try string("error_code"),
            errorMessage: try string("error_message"),
            retentionDays: retentionDays,
            isSensitive: isSensitive,
            eventData: EventData(data),
            writtenBy: try string("written_by")
        )
    }
}
