import AuditCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The JSON shapes of the audit API, written straight to bytes.
///
/// Items carry every stored column under its column name, plus the names Kubernaut's
/// clients read (`version`, `cluster_name`), so both old and new clients find their fields.
/// `event_data` is copied from the store's text without re-encoding.
enum EventJSON {
    static func write(_ stored: StoredAuditEvent, into writer: inout JSONWriter) {
        let event = stored.event
        var object = ObjectWriter(taking: &writer)
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
        object.integer("insert_seq", stored.insertSequence)
        object.raw("event_data", event.eventData.json)
        writer = object.finish()
    }

    /// `201` body of the single-event endpoint (Kubernaut's shape).
    static func created(_ event: AuditEvent, isNew: Bool) -> [UInt8] {
        var object = ObjectWriter(writer: JSONWriter(capacity: 160))
        object.string("event_id", event.id.uuidString.lowercased())
        object.string("event_timestamp", event.timestamp.description)
        object.string("message", isNew ? "Audit event created successfully" : "Audit event already stored")
        return object.finish().bytes
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
    static func page(_ page: EventPage, query: EventQuery) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + page.events.count * 1600)
        writer.writeRaw(#"{"data":["#.utf8)
        for (index, event) in page.events.enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            write(event, into: &writer)
        }
        writer.writeRaw(#"],"pagination":"#.utf8)
        var pagination = ObjectWriter(taking: &writer)
        pagination.integer("limit", Int64(query.limit))
        pagination.integer("offset", Int64(query.offset))
        pagination.integer("total", Int64(page.total))
        pagination.bool("has_more", page.hasMore)
        pagination.string("next_cursor", page.nextCursor(for: query)?.token)
        writer = pagination.finish()
        writer.writeByte(UInt8(ascii: "}"))
        return writer.bytes
    }

    /// One event as the single-event lookup returns it.
    static func single(_ event: StoredAuditEvent) -> [UInt8] {
        var writer = JSONWriter(capacity: 1600)
        write(event, into: &writer)
        return writer.bytes
    }
}

/// Writes the members of one JSON object; `nil` values are written as `null`.
struct ObjectWriter {
    private(set) var writer: JSONWriter
    private var isFirst = true

    init(writer: JSONWriter) {
        self.writer = writer
        self.writer.writeByte(UInt8(ascii: "{"))
    }

    /// Continues `writer` without copying its bytes; give them back with ``finish()``.
    init(taking writer: inout JSONWriter) {
        var taken = JSONWriter(capacity: 0)
        swap(&taken, &writer)
        self.init(writer: taken)
    }

    private mutating func key(_ name: String) {
        if !isFirst { writer.writeByte(UInt8(ascii: ",")) }
        isFirst = false
        writer.writeString(name)
        writer.writeByte(UInt8(ascii: ":"))
    }

    mutating func string(_ name: String, _ value: String?) {
        key(name)
        if let value { writer.writeString(value) } else { writer.writeRaw("null".utf8) }
    }

    mutating func integer(_ name: String, _ value: Int64?) {
        key(name)
        writer.writeRaw((value.map { String($0) } ?? "null").utf8)
    }

    mutating func bool(_ name: String, _ value: Bool) {
        key(name)
        writer.writeRaw((value ? "true" : "false").utf8)
    }

    /// A member whose value is JSON text already.
    mutating func raw(_ name: String, _ json: String) {
        key(name)
        writer.writeRaw(json.utf8)
    }

    mutating func value(_ name: String, _ value: JSONValue) {
        key(name)
        writer.write(value)
    }

    consuming func finish() -> JSONWriter {
        writer.writeByte(UInt8(ascii: "}"))
        return writer
    }
}
