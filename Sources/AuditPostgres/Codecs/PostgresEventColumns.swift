import AuditCore
import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The columns of `audit_events` and how an event maps to them: the one list the writer, the
/// restore, the lookups and queries, the conversion of legacy tables and `COPY` use. A new
/// column is a migration plus one entry here (and in ``PostgresStore/legacyExpressions(columns:)``).
///
/// `insert_seq` is the store's, not the event's: it is selected after the event's columns and
/// written only by a restore, which keeps the archived order.
enum PostgresEventColumns {
    /// Every column an event fills, `event_id` first.
    static let all: [PostgresEventColumn] = [
        .make(
            "event_id", value: \.id, copyText: { $0.id.uuidString.lowercased() },
            decode: { cells, event in event.id = try cells.next(UUID.self) }),
        .text("event_version", \.version),
        .make(
            "event_timestamp", value: { PostgresTimestamp($0.timestamp) }, copyText: { $0.timestamp.description },
            decode: { cells, event in event.timestamp = try cells.next(PostgresTimestamp.self).value }),
        .make("event_date", readBack: false, value: { PostgresDay($0.date) }, copyText: { $0.date.description }, decode: { _, _ in }),
        .text("event_type", \.eventType),
        .text("event_category", \.category),
        .text("event_action", \.action),
        .make(
            "event_outcome", value: { $0.outcome.rawValue }, copyText: { $0.outcome.rawValue },
            decode: { cells, event in event.outcome = try cells.nextOutcome() }),
        .text("actor_type", \.actorType),
        .text("actor_id", \.actorID),
        .make(
            "actor_ip", selection: "host(actor_ip)", arrayCast: "::inet[]", value: \.actorIP, copyText: \.actorIP,
            decode: { cells, event in event.actorIP = try cells.next(String?.self) }),
        .text("resource_type", \.resourceType),
        .text("resource_id", \.resourceID),
        .text("correlation_id", \.correlationID),
        .make(
            "parent_event_id", value: \.parentEventID, copyText: { $0.parentEventID?.uuidString.lowercased() },
            decode: { cells, event in event.parentEventID = try cells.next(UUID?.self) }),
        .make(
            "parent_event_date", value: { $0.parentEventDate.map(PostgresDay.init) }, copyText: { $0.parentEventDate?.description },
            decode: { cells, event in event.parentEventDate = try cells.next(PostgresDay?.self)?.value }),
        .optionalText("namespace", \.namespace),
        .optionalText("cluster_id", \.clusterID),
        .optionalText("severity", \.severity),
        .make(
            "duration_ms", value: \.durationMS, copyText: { $0.durationMS.map(String.init) },
            decode: { cells, event in event.durationMS = try cells.next(Int32?.self) }),
        .optionalText("error_code", \.errorCode),
        .optionalText("error_message", \.errorMessage),
        .make(
            "retention_days", value: \.retentionDays, copyText: { String($0.retentionDays) },
            decode: { cells, event in event.retentionDays = try cells.next(Int32.self) }),
        .make(
            "is_sensitive", value: \.isSensitive, copyText: { $0.isSensitive ? "t" : "f" },
            decode: { cells, event in event.isSensitive = try cells.next(Bool.self) }),
        .make(
            "event_data", selection: "event_data::text", value: { PostgresJSONBText($0.eventData.json) }, copyText: \.eventData.json,
            decode: { cells, event in event.eventData = EventData(storedJSON: try cells.next(String.self)) }),
        .optionalText("written_by", \.writtenBy),
    ]

    /// The columns a `SELECT` reads, in the order ``decode(_:)`` reads them.
    static let selected = all.filter { $0.selection != nil }

    /// The select list of a stored event: ``selected`` then `insert_seq`.
    static let selectList = (selected.compactMap(\.selection) + ["insert_seq"]).joined(separator: ", ")

    /// `INSERT INTO audit_events (…) SELECT * FROM unnest(…)` of `events`, one array bind per
    /// column whatever the row count, with `insert_seq` from `sequences` when given (a restore)
    /// or its default. `suffix` follows (`ON CONFLICT …`, `RETURNING …`).
    static func insert(_ events: [AuditEvent], sequences: [Int64]? = nil, suffix: String = "") -> PostgresQuery {
        var bindings = PostgresBindings(capacity: all.count + 1)
        var names: [String] = []
        var arrays: [String] = []
        for column in all {
            column.bind(events, &bindings)
            names.append(column.name)
            arrays.append("$\(bindings.count)\(column.arrayCast)")
        }
        if let sequences {
            bindings.append(ColumnArray(sequences))
            names.append("insert_seq")
            arrays.append("$\(bindings.count)")
        }
        let sql = "INSERT INTO audit_events (\(names.joined(separator: ", "))) SELECT * FROM unnest(\(arrays.joined(separator: ", "))) \(suffix)"
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// Reads one row selected with ``selectList``.
    static func decode(_ row: PostgresRow) throws -> StoredAuditEvent {
        var cells = RowCells(row)
        return try decode(columns: selected[...], &cells, event: blank(id: placeholderID))
    }

    /// Reads the columns of ``selectList`` after `event_id` (already read as `id`).
    static func decode(id: UUID, _ cells: inout RowCells) throws -> StoredAuditEvent {
        try decode(columns: selected.dropFirst(), &cells, event: blank(id: id))
    }

    private static func decode(columns: ArraySlice<PostgresEventColumn>, _ cells: inout RowCells, event: AuditEvent) throws -> StoredAuditEvent {
        var event = event
        for column in columns { try column.decode(&cells, &event) }
        return StoredAuditEvent(event: event, insertSequence: try cells.next(Int64.self))
    }

    private static let placeholderID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// An event every column of ``selected`` overwrites.
    private static func blank(id: UUID) -> AuditEvent {
        AuditEvent(
            id: id, version: "", timestamp: AuditTimestamp(microsecondsSinceEpoch: 0), eventType: "", category: "", action: "", outcome: .success,
            actorType: "", actorID: "", resourceType: "", resourceID: "", correlationID: "", eventData: EventData(storedJSON: "{}"))
    }
}
