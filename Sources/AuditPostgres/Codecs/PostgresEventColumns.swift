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
            "event_id", value: \.event.id, copyText: { $0.event.id.uuidString.lowercased() },
            decode: { cells, row in row.event.id = try cells.next(UUID.self) }),
        .text("event_version", \.version),
        .make(
            "event_timestamp", value: { PostgresTimestamp($0.event.timestamp) }, copyText: { $0.event.timestamp.description },
            decode: { cells, row in row.event.timestamp = try cells.next(PostgresTimestamp.self).value }),
        .make("event_date", readBack: false, value: { PostgresDay($0.event.date) }, copyText: { $0.event.date.description }, decode: { _, _ in }),
        .text("event_type", \.eventType),
        .text("event_category", \.category),
        .text("event_action", \.action),
        .make(
            "event_outcome", value: { $0.event.outcome.rawValue }, copyText: { $0.event.outcome.rawValue },
            decode: { cells, row in row.event.outcome = try cells.nextOutcome() }),
        .text("actor_type", \.actorType),
        .text("actor_id", \.actorID),
        .make(
            "actor_ip", selection: "host(actor_ip)", arrayCast: "::inet[]", value: \.event.actorIP, copyText: \.event.actorIP,
            decode: { cells, row in row.event.actorIP = try cells.next(String?.self) }),
        .text("resource_type", \.resourceType),
        .text("resource_id", \.resourceID),
        .text("correlation_id", \.correlationID),
        .make(
            "parent_event_id", value: \.event.parentEventID, copyText: { $0.event.parentEventID?.uuidString.lowercased() },
            decode: { cells, row in row.event.parentEventID = try cells.next(UUID?.self) }),
        .make(
            "parent_event_date", value: { $0.event.parentEventDate.map(PostgresDay.init) }, copyText: { $0.event.parentEventDate?.description },
            decode: { cells, row in row.event.parentEventDate = try cells.next(PostgresDay?.self)?.value }),
        .optionalText("namespace", \.namespace),
        .optionalText("cluster_id", \.clusterID),
        .optionalText("severity", \.severity),
        .make(
            "duration_ms", value: \.event.durationMS, copyText: { $0.event.durationMS.map(String.init) },
            decode: { cells, row in row.event.durationMS = try cells.next(Int32?.self) }),
        .optionalText("error_code", \.errorCode),
        .optionalText("error_message", \.errorMessage),
        .make(
            "retention_days", value: \.event.retentionDays, copyText: { String($0.event.retentionDays) },
            decode: { cells, row in row.event.retentionDays = try cells.next(Int32.self) }),
        .make(
            "is_sensitive", value: \.event.isSensitive, copyText: { $0.event.isSensitive ? "t" : "f" },
            decode: { cells, row in row.event.isSensitive = try cells.next(Bool.self) }),
        .make(
            "event_data", selection: "event_data::text", value: { PostgresJSONBText($0.event.eventData.json) }, copyText: \.event.eventData.json,
            decode: { cells, row in row.event.eventData = EventData(storedJSON: try cells.next(String.self)) }),
        .optionalText("written_by", \.writtenBy),
        .make(
            "event_hash", value: \.eventHash, copyText: \.eventHash, decode: { cells, row in row.eventHash = try cells.next(String?.self) }),
        .make(
            "hash_algorithm", value: \.hashAlgorithm, copyText: \.hashAlgorithm,
            decode: { cells, row in row.hashAlgorithm = try cells.next(String?.self) }),
    ]

    /// The columns a `SELECT` reads, in the order ``decode(_:)`` reads them.
    static let selected = all.filter { $0.selection != nil }

    /// The select list of a stored event: ``selected`` then `insert_seq`.
    static let selectList = (selected.compactMap(\.selection) + ["insert_seq"]).joined(separator: ", ")

    /// `INSERT INTO audit_events (…) SELECT * FROM unnest(…)` of `rows`, one array bind per
    /// column whatever the row count, with their `insert_seq` when `keepSequence` (a restore)
    /// or its default. `suffix` follows (`ON CONFLICT …`, `RETURNING …`).
    static func insert(_ rows: [StoredAuditEvent], keepSequence: Bool = false, suffix: String = "") -> PostgresQuery {
        var bindings = PostgresBindings(capacity: all.count + 1)
        var names: [String] = []
        var arrays: [String] = []
        for column in all {
            column.bind(rows, &bindings)
            names.append(column.name)
            arrays.append("$\(bindings.count)\(column.arrayCast)")
        }
        if keepSequence {
            bindings.append(ColumnArray(rows.map(\.insertSequence)))
            names.append("insert_seq")
            arrays.append("$\(bindings.count)")
        }
        let sql = "INSERT INTO audit_events (\(names.joined(separator: ", "))) SELECT * FROM unnest(\(arrays.joined(separator: ", "))) \(suffix)"
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// Reads one row selected with ``selectList``.
    static func decode(_ row: PostgresRow) throws -> StoredAuditEvent {
        var cells = RowCells(row)
        return try decode(columns: selected[...], &cells, row: blank(id: placeholderID))
    }

    /// Reads the columns of ``selectList`` after `event_id` (already read as `id`).
    static func decode(id: UUID, _ cells: inout RowCells) throws -> StoredAuditEvent {
        try decode(columns: selected.dropFirst(), &cells, row: blank(id: id))
    }

    private static func decode(columns: ArraySlice<PostgresEventColumn>, _ cells: inout RowCells, row: StoredAuditEvent) throws -> StoredAuditEvent {
        var row = row
        for column in columns { try column.decode(&cells, &row) }
        row.insertSequence = try cells.next(Int64.self)
        return row
    }

    private static let placeholderID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// A row every column of ``selected`` overwrites.
    private static func blank(id: UUID) -> StoredAuditEvent {
        StoredAuditEvent(
            event: AuditEvent(
                id: id, version: "", timestamp: AuditTimestamp(microsecondsSinceEpoch: 0), eventType: "", category: "", action: "",
                outcome: .success, actorType: "", actorID: "", resourceType: "", resourceID: "", correlationID: "",
                eventData: EventData(storedJSON: "{}")),
            insertSequence: 0)
    }
}
