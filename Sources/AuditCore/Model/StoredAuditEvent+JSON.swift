#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension StoredAuditEvent {
    /// Appends the event as retention archives store it (one NDJSON line, format version 2):
    /// every stored column under its column name, absent values as `null`, `parent_event_date`
    /// as `YYYY-MM-DD`, plus `version` and `cluster_name`; format 1 had no `written_by`,
    /// `event_hash` and `hash_algorithm` (a restore recomputes the hash and refuses a line whose
    /// carried hash is not its content's).
    /// `event_data` is copied from the
    /// store's text without re-encoding. The API has its own encoder (`EventJSON` in the server),
    /// so answers can change shape without changing archives already written.
    ///
    /// Format 3 adds `log_position`, the event's position in the log (``BundleEvidence``), to
    /// archive and bundle lines.
    public func writeArchiveJSON(into writer: inout JSONWriter, logPosition: Int64? = nil) {
        var object = JSONObjectWriter(taking: &writer)
        object.string("event_id", event.id.uuidString.lowercased())
        object.string("version", event.version)
        object.string("event_version", event.version)
        object.string("event_timestamp", event.timestamp.description)
        object.string("event_date", event.date.description)
        object.string("event_type", event.eventType)
        object.string("event_category", event.category)
        object.string("event_action", event.action)
        object.string("event_outcome", event.outcome.rawValue)
        object.string("actor_type", event.actorType)
        object.string("actor_id", event.actorID)
        object.string("actor_ip", event.actorIP)
        object.string("resource_type", event.resourceType)
        object.string("resource_id", event.resourceID)
        object.string("correlation_id", event.correlationID)
        object.string("parent_event_id", event.parentEventID?.uuidString.lowercased())
        object.string("parent_event_date", event.parentEventDate?.description)
        object.string("namespace", event.namespace)
        object.string("cluster_id", event.clusterID)
        object.string("cluster_name", event.clusterID)
        object.string("severity", event.severity)
        object.integer("duration_ms", event.durationMS.map(Int64.init))
        object.string("error_code", event.errorCode)
        object.string("error_message", event.errorMessage)
        object.integer("retention_days", Int64(event.retentionDays))
        object.bool("is_sensitive", event.isSensitive)
        object.integer("insert_seq", insertSequence)
        object.raw("event_data", event.eventData.json)
        object.string("written_by", event.writtenBy)
        object.string("event_hash", eventHash)
        object.string("hash_algorithm", hashAlgorithm)
        if let logPosition { object.integer("log_position", logPosition) }
        writer = object.finish()
    }

    /// Reads an event written by ``writeArchiveJSON(into:)`` (an archive line).
    public init(archiveJSON object: JSONObject) throws(AuditError) {
        func fail(_ field: String) -> AuditError { AuditError.validation(field: field, "is missing or malformed in the stored event") }
        func string(_ key: String) -> String? { if case .string(let value)? = object[key] { value } else { nil } }
        func integer(_ key: String) -> Int64? { if case .number(let literal)? = object[key] { FieldReader.integer(literal) } else { nil } }
        guard let id = string("event_id").flatMap(UUID.init(uuidString:)) else { throw fail("event_id") }
        guard let timestamp = string("event_timestamp").flatMap({ AuditTimestamp(rfc3339: $0) }) else { throw fail("event_timestamp") }
        guard let outcome = string("event_outcome").flatMap(EventOutcome.init(rawValue:)) else { throw fail("event_outcome") }
        guard case .object(let data)? = object["event_data"] else { throw fail("event_data") }
        guard let sequence = integer("insert_seq") else { throw fail("insert_seq") }
        guard let retention = integer("retention_days"), let retentionDays = Int32(exactly: retention) else { throw fail("retention_days") }
        guard case .bool(let isSensitive)? = object["is_sensitive"] else { throw fail("is_sensitive") }
        var fields: [String: String] = [:]
        for key in [
            "event_version", "event_type", "event_category", "event_action", "actor_type", "actor_id", "resource_type", "resource_id",
            "correlation_id",
        ] {
            guard let value = string(key) else { throw fail(key) }
            fields[key] = value
        }
        let event = AuditEvent(
            id: id,
            version: fields["event_version"]!,
            timestamp: timestamp,
            eventType: fields["event_type"]!,
            category: fields["event_category"]!,
            action: fields["event_action"]!,
            outcome: outcome,
            actorType: fields["actor_type"]!,
            actorID: fields["actor_id"]!,
            actorIP: string("actor_ip"),
            resourceType: fields["resource_type"]!,
            resourceID: fields["resource_id"]!,
            correlationID: fields["correlation_id"]!,
            parentEventID: string("parent_event_id").flatMap(UUID.init(uuidString:)),
            parentEventDate: string("parent_event_date").flatMap { EventDate($0) },
            namespace: string("namespace"),
            clusterID: string("cluster_id"),
            severity: string("severity"),
            durationMS: integer("duration_ms").flatMap { Int32(exactly: $0) },
            errorCode: string("error_code"),
            errorMessage: string("error_message"),
            retentionDays: retentionDays,
            isSensitive: isSensitive,
            eventData: EventData(data),
            writtenBy: string("written_by")
        )
        self.init(event: event, insertSequence: sequence, eventHash: string("event_hash"), hashAlgorithm: string("hash_algorithm"))
    }
}
