import AuditCore
import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The columns of a month's table and how an event maps to them: the one list the writer, the
/// restore, the lookups and the queries use. A new column is a migration in ``SQLiteSchema``
/// plus one entry here.
///
/// Values are stored as SQLite's own types: ids and dates as lowercase text, timestamps as
/// microseconds since 1970 (UTC), booleans as 0/1, `event_data` as its JSON text.
enum SQLiteEventColumns {
    /// One column: its name, its value for an event, and how a row's value goes back into an event.
    struct Column: Sendable {
        let name: String
        /// `false` for a column derived from another and never read back (`event_date`).
        let readBack: Bool
        let value: @Sendable (StoredAuditEvent) -> (any DatabaseValueConvertible)?
        /// Reads the value at `index` of `row` into `stored`.
        let decode: @Sendable (Row, Int, inout StoredAuditEvent) throws -> Void

        init(
            _ name: String, readBack: Bool = true, value: @escaping @Sendable (StoredAuditEvent) -> (any DatabaseValueConvertible)?,
            decode: @escaping @Sendable (Row, Int, inout StoredAuditEvent) throws -> Void
        ) {
            self.name = name
            self.readBack = readBack
            self.value = value
            self.decode = decode
        }

        static func text(_ name: String, _ field: any WritableKeyPath<AuditEvent, String> & Sendable) -> Self {
            Self(name, value: { $0.event[keyPath: field] }, decode: { row, index, stored in stored.event[keyPath: field] = row[index] })
        }

        static func optionalText(_ name: String, _ field: any WritableKeyPath<AuditEvent, String?> & Sendable) -> Self {
            Self(name, value: { $0.event[keyPath: field] }, decode: { row, index, stored in stored.event[keyPath: field] = row[index] })
        }
    }

    /// Every column an event fills, `event_id` first.
    static let all: [Column] = [
        Column("event_id", value: { $0.event.id.uuidString.lowercased() }) { row, index, stored in
            guard let id = UUID(uuidString: row[index]) else { throw SQLiteFailure.unreadableRow(row[index] as String? ?? "?") }
            stored.event.id = id
        },
        .text("event_version", \.version),
        Column("event_timestamp", value: { $0.event.timestamp.microsecondsSinceEpoch }) { row, index, stored in
            stored.event.timestamp = AuditTimestamp(microsecondsSinceEpoch: row[index])
        },
        Column("event_date", readBack: false, value: { $0.event.date.description }) { _, _, _ in },
        .text("event_type", \.eventType),
        .text("event_category", \.category),
        .text("event_action", \.action),
        Column("event_outcome", value: { $0.event.outcome.rawValue }) { row, index, stored in
            guard let outcome = EventOutcome(rawValue: row[index]) else { throw SQLiteFailure.unreadableRow(row[0] as String? ?? "?") }
            stored.event.outcome = outcome
        },
        .text("actor_type", \.actorType),
        .text("actor_id", \.actorID),
        .optionalText("actor_ip", \.actorIP),
        .text("resource_type", \.resourceType),
        .text("resource_id", \.resourceID),
        .text("correlation_id", \.correlationID),
        Column("parent_event_id", value: { $0.event.parentEventID?.uuidString.lowercased() }) { row, index, stored in
            stored.event.parentEventID = (row[index] as String?).flatMap(UUID.init(uuidString:))
        },
        Column("parent_event_date", value: { $0.event.parentEventDate?.description }) { row, index, stored in
            stored.event.parentEventDate = (row[index] as String?).flatMap { EventDate($0) }
        },
        .optionalText("namespace", \.namespace),
        .optionalText("cluster_id", \.clusterID),
        .optionalText("severity", \.severity),
        Column("duration_ms", value: { $0.event.durationMS.map { Int64($0) } }) { row, index, stored in
            stored.event.durationMS = (row[index] as Int64?).map { Int32(clamping: $0) }
        },
        .optionalText("error_code", \.errorCode),
        .optionalText("error_message", \.errorMessage),
        Column("retention_days", value: { Int64($0.event.retentionDays) }) { row, index, stored in
            stored.event.retentionDays = Int32(clamping: row[index] as Int64)
        },
        Column("is_sensitive", value: \.event.isSensitive) { row, index, stored in stored.event.isSensitive = row[index] },
        Column("event_data", value: \.event.eventData.json) { row, index, stored in stored.event.eventData = EventData(storedJSON: row[index]) },
        .optionalText("written_by", \.writtenBy),
        Column("event_hash", value: \.eventHash) { row, index, stored in stored.eventHash = row[index] },
        Column("hash_algorithm", value: \.hashAlgorithm) { row, index, stored in stored.hashAlgorithm = row[index] },
    ]

    /// The columns a `SELECT` reads, in the order ``decode(_:)`` reads them.
    static let selected = all.filter(\.readBack)

    /// The select list of a stored event: ``selected`` then `insert_seq`.
    static let selectList = (selected.map(\.name) + ["insert_seq"]).joined(separator: ", ")

    /// `INSERT INTO <table> (…, insert_seq) VALUES (?, …)`, for ``arguments(for:sequence:)``.
    static func insertSQL(into table: String) -> String {
        "INSERT INTO \(table) \(insertTail)"
    }

    private static let insertTail: String = {
        let names = all.map(\.name) + ["insert_seq"]
        return "(\(names.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: names.count).joined(separator: ", ")))"
    }()

    /// The values of ``insertSQL(into:)`` for one row (its `insert_seq` included).
    static func arguments(for row: StoredAuditEvent) -> StatementArguments {
        StatementArguments(all.map { $0.value(row) } + [row.insertSequence])
    }

    /// Reads one row selected with ``selectList``.
    static func decode(_ row: Row) throws -> StoredAuditEvent {
        var stored = StoredAuditEvent(
            event: AuditEvent(
                id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), version: "", timestamp: AuditTimestamp(microsecondsSinceEpoch: 0),
                eventType: "", category: "", action: "", outcome: .success, actorType: "", actorID: "", resourceType: "", resourceID: "",
                correlationID: "", eventData: EventData(storedJSON: "{}")),
            insertSequence: 0)
        for (index, column) in selected.enumerated() { try column.decode(row, index, &stored) }
        stored.insertSequence = row[selected.count]
        return stored
    }
}
