import AuditCore
import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension PostgresStore {
    /// Every stored column, in the order ``decodeEvent(_:)`` reads them.
    static let eventColumns = """
        event_id, event_version, event_timestamp, event_type, event_category, event_action, event_outcome, \
        actor_type, actor_id, host(actor_ip), resource_type, resource_id, correlation_id, parent_event_id, \
        parent_event_date, namespace, cluster_id, severity, duration_ms, error_code, error_message, \
        retention_days, is_sensitive, event_data::text, insert_seq
        """

    /// Reads one row selected with ``eventColumns``.
    static func decodeEvent(_ row: PostgresRow) throws -> StoredAuditEvent {
        var cells = RowCells(row)
        return try decodeEvent(id: try cells.next(UUID.self), &cells)
    }

    /// Reads the columns of ``eventColumns`` after `event_id` (already read as `id`).
    static func decodeEvent(id: UUID, _ cells: inout RowCells) throws -> StoredAuditEvent {
        let event = AuditEvent(
            id: id,
            version: try cells.next(String.self),
            timestamp: try cells.next(PostgresTimestamp.self).value,
            eventType: try cells.next(String.self),
            category: try cells.next(String.self),
            action: try cells.next(String.self),
            outcome: try cells.nextOutcome(),
            actorType: try cells.next(String.self),
            actorID: try cells.next(String.self),
            actorIP: try cells.next(String?.self),
            resourceType: try cells.next(String.self),
            resourceID: try cells.next(String.self),
            correlationID: try cells.next(String.self),
            parentEventID: try cells.next(UUID?.self),
            parentEventDate: try cells.next(PostgresDay?.self)?.value,
            namespace: try cells.next(String?.self),
            clusterID: try cells.next(String?.self),
            severity: try cells.next(String?.self),
            durationMS: try cells.next(Int32?.self),
            errorCode: try cells.next(String?.self),
            errorMessage: try cells.next(String?.self),
            retentionDays: try cells.next(Int32.self),
            isSensitive: try cells.next(Bool.self),
            eventData: EventData(storedJSON: try cells.next(String.self))
        )
        return StoredAuditEvent(event: event, insertSequence: try cells.next(Int64.self))
    }
}

/// Reads the cells of a row in order.
struct RowCells {
    private var iterator: PostgresRow.Iterator

    init(_ row: PostgresRow) {
        self.iterator = row.makeIterator()
    }

    mutating func next<Value: PostgresDecodable>(_ type: Value.Type) throws -> Value {
        guard let cell = iterator.next() else { throw PostgresDecodingError.Code.missingData }
        return try cell.decode(Value.self)
    }

    mutating func nextOutcome() throws -> EventOutcome {
        let text = try next(String.self)
        guard let outcome = EventOutcome(rawValue: text) else { throw PostgresDecodingError.Code.typeMismatch }
        return outcome
    }
}
