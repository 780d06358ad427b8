package import AuditCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The JSON shapes of the audit API, written straight to bytes (archives, the spool and the
/// quarantine have codecs of their own, so answers can change without touching what is kept).
/// Package-visible so that
/// the benchmark harness times the very encoder the server uses.
package enum EventJSON {
    /// `201` body of the single-event endpoint (Kubernaut's shape).
    package static func created(_ event: AuditEvent, isNew: Bool) -> [UInt8] {
        var object = JSONObjectWriter(writer: JSONWriter(capacity: 160))
        object.string("event_id", event.id.uuidString.lowercased())
        object.string("event_timestamp", event.timestamp.description)
        object.string("message", isNew ? "Audit event created successfully" : "Audit event already stored")
        return object.finish().bytes
    }

    /// `202` body of the single-event endpoint when the event was spooled: Kubernaut's
    /// `{status, message}`, plus the `event_id` it will be stored under.
    static func accepted(_ event: AuditEvent) -> [UInt8] {
        var object = JSONObjectWriter(writer: JSONWriter(capacity: 160))
        object.string("status", "accepted")
        object.string("message", "audit event queued for async processing")
        object.string("event_id", event.id.uuidString.lowercased())
        object.string("event_timestamp", event.timestamp.description)
        return object.finish().bytes
    }

    /// `202` body of the batch endpoint when the events were spooled: Kubernaut's
    /// `{status, message, count}`, plus the `event_ids` in input order.
    static func batchAccepted(_ ids: [UUID]) -> [UInt8] {
        var writer = JSONWriter(capacity: 96 + ids.count * 40)
        writer.writeRaw(#"{"status":"accepted","message":"#.utf8)
        writer.writeString("\(ids.count) audit events queued for async processing")
        writer.writeRaw(#","count":\#(ids.count),"event_ids":["#.utf8)
        for (index, id) in ids.enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            writer.writeString(id.uuidString.lowercased())
        }
        writer.writeRaw("]}".utf8)
        return writer.bytes
    }

    /// `201` body of the batch endpoint (Kubernaut's shape).
    static func batchCreated(_ receipt: WriteReceipt) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + receipt.eventIDs.count * 40)
        writer.writeRaw(#"{"event_ids":["#.utf8)
        for (index, id) in receipt.eventIDs.enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            writer.writeString(id.uuidString.lowercased())
        }
        writer.writeRaw("],".utf8)
        writer.writeString("message")
        writer.writeByte(UInt8(ascii: ":"))
        let stored = receipt.eventIDs.count - receipt.insertedCount
        var message = "\(receipt.eventIDs.count) audit events accepted: \(receipt.insertedCount) created"
        if stored > 0 { message += ", \(stored) already stored" }
        writer.writeString(message)
        writer.writeByte(UInt8(ascii: "}"))
        return writer.bytes
    }

    /// `200` body of the query endpoint: `{data: [...], pagination: {...}}`.
    /// `sensitive`: whether the caller may read the `event_data` and `error_message` of
    /// `is_sensitive` events (``item(_:sensitive:into:)``).
    /// `previousHashes`: each logged event's `previous_event_hash` (``AuditCore/LogEntry``).
    static func page(_ page: EventPage, query: EventQuery, sensitive: Bool, previousHashes: [UUID: String] = [:]) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + page.events.count * 1600)
        writer.writeRaw(#"{"data":["#.utf8)
        for (index, event) in page.events.enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            item(event, sensitive: sensitive, previousHash: previousHashes[event.event.id], into: &writer)
        }
        writer.writeRaw(#"],"pagination":"#.utf8)
        var pagination = JSONObjectWriter(taking: &writer)
        pagination.integer("limit", Int64(query.limit))
        pagination.integer("offset", Int64(query.offset))
        pagination.integer("total", Int64(page.total))
        pagination.bool("has_more", page.hasMore)
        if let cursor = page.nextCursor(for: query) { pagination.string("next_cursor", cursor.token) }
        writer = pagination.finish()
        writer.writeByte(UInt8(ascii: "}"))
        return writer.bytes
    }

    /// One event as the single-event lookup returns it.
    static func single(_ event: StoredAuditEvent, sensitive: Bool, previousHash: String? = nil) -> [UInt8] {
        var writer = JSONWriter(capacity: 1600)
        item(event, sensitive: sensitive, previousHash: previousHash, into: &writer)
        return writer.bytes
    }

    /// One query item: every stored column under its column name, plus the names Kubernaut's
    /// clients read (`version`, `cluster_name`, the `legal_hold` members); `event_data` is copied
    /// from the store's text without re-encoding.
    ///
    /// `written_by` (an AuditLedger extension) names the principal that wrote the event, and is
    /// left out when that is not known (events stored before the column existed). `event_hash`
    /// (Kubernaut's member) and `hash_algorithm` (an extension) are the stored hash of the
    /// event's canonical encoding, left out for events stored before hashes were kept.
    /// `previous_event_hash` (Kubernaut's member) is the `event_hash` of the correlation's
    /// previous event in the log, left out for the first and for events not logged yet.
    ///
    /// Without `sensitive`, an `is_sensitive` event is written without `error_message`, with
    /// `event_data` `{}` and with `"sensitive_withheld": true` (an AuditLedger extension): the
    /// caller sees that the event exists and its envelope, not its content.
    ///
    /// `hashChainValid` (Kubernaut's export) is written as `hash_chain_valid` when given.
    package static func item(
        _ stored: StoredAuditEvent, sensitive: Bool = true, previousHash: String? = nil, hashChainValid: Bool? = nil, into writer: inout JSONWriter
    ) {
        let event = stored.event
        let withheld = event.isSensitive && !sensitive
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
        object.optional("actor_ip", event.actorIP)
        object.string("resource_type", event.resourceType)
        object.string("resource_id", event.resourceID)
        object.string("correlation_id", event.correlationID)
        object.optional("parent_event_id", event.parentEventID?.uuidString.lowercased())
        object.optional("parent_event_date", event.parentEventDate?.startOfDay.description)
        object.optional("namespace", event.namespace)
        object.optional("cluster_id", event.clusterID)
        object.optional("cluster_name", event.clusterID)
        object.optional("severity", event.severity)
        if let duration = event.durationMS { object.integer("duration_ms", Int64(duration)) }
        object.optional("error_code", event.errorCode)
        if !withheld { object.optional("error_message", event.errorMessage) }
        object.integer("retention_days", Int64(event.retentionDays))
        object.bool("is_sensitive", event.isSensitive)
        object.bool("legal_hold", stored.legalHold != nil)
        if let hold = stored.legalHold {
            object.string("legal_hold_reason", hold.reason)
            object.string("legal_hold_placed_by", hold.placedBy)
            object.string("legal_hold_placed_at", hold.placedAt.description)
        }
        object.integer("insert_seq", stored.insertSequence)
        object.optional("written_by", event.writtenBy)
        object.optional("event_hash", stored.eventHash)
        object.optional("hash_algorithm", stored.hashAlgorithm)
        object.optional("previous_event_hash", previousHash)
        if let hashChainValid { object.bool("hash_chain_valid", hashChainValid) }
        if withheld {
            object.bool("sensitive_withheld", true)
            object.raw("event_data", "{}")
        } else {
            object.raw("event_data", event.eventData.json)
        }
        writer = object.finish()
    }
}
