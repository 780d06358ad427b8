import AuditCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The JSON shapes of the audit API, written straight to bytes. Items are written by
/// `StoredAuditEvent.writeJSON(into:)` (the same form archives use).
enum EventJSON {
    /// `201` body of the single-event endpoint (Kubernaut's shape).
    static func created(_ event: AuditEvent, isNew: Bool) -> [UInt8] {
        var object = JSONObjectWriter(writer: JSONWriter(capacity: 160))
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
            event.writeJSON(into: &writer)
        }
        writer.writeRaw(#"],"pagination":"#.utf8)
        var pagination = JSONObjectWriter(taking: &writer)
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
        event.writeJSON(into: &writer)
        return writer.bytes
    }
}
