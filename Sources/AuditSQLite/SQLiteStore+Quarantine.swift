public import AuditCore
import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension SQLiteStore {
    public func quarantine(_ entries: [QuarantineEntry]) async throws(AuditError) {
        guard !entries.isEmpty else { return }
        do {
            try await pool.write { db in
                for entry in entries {
                    let ids = JSONValue.array(entry.events.map { .string($0.id.uuidString.lowercased()) }).compactText
                    let values: [(any DatabaseValueConvertible)?] = [
                        entry.key, entry.quarantinedAt.microsecondsSinceEpoch, entry.receivedAt?.microsecondsSinceEpoch, entry.requestID,
                        entry.origin, entry.reason, entry.detail, entry.events.count, ids, entry.eventsJSON,
                    ]
                    try db.execute(
                        sql: """
                            INSERT INTO auditledger_quarantine (
                                record_key, quarantined_at, received_at, request_id, origin, reason, detail, event_count, event_ids, events)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (record_key) DO NOTHING
                            """,
                        arguments: StatementArguments(values)
                    )
                }
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "quarantine the events")
        }
    }

    public func quarantinedRecords(
        includeResolved: Bool, limit: Int, offset: Int
    ) async throws(AuditError) -> (records: [QuarantinedRecord], total: Int) {
        do {
            return try await pool.read { db in
                let filter = includeResolved ? "" : " WHERE resolved_at IS NULL"
                let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM auditledger_quarantine" + filter) ?? 0
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT quarantine_id, quarantined_at, received_at, request_id, origin, reason, detail, events, resolved_at, resolution
                        FROM auditledger_quarantine\(filter) ORDER BY quarantine_id LIMIT ? OFFSET ?
                        """,
                    arguments: [limit, offset]
                )
                let records = try rows.map { (row: Row) throws -> QuarantinedRecord in
                    let entry = QuarantineEntry(
                        events: try QuarantineEntry.events(fromJSON: row[7]), reason: row[5], detail: row[6], requestID: row[3],
                        receivedAt: (row[2] as Int64?).map { AuditTimestamp(microsecondsSinceEpoch: $0) },
                        quarantinedAt: AuditTimestamp(microsecondsSinceEpoch: row[1]), origin: row[4])
                    return QuarantinedRecord(
                        id: row[0], entry: entry, resolvedAt: (row[8] as Int64?).map { AuditTimestamp(microsecondsSinceEpoch: $0) },
                        resolution: row[9])
                }
                return (records, total)
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "list the quarantine")
        }
    }

    public func quarantineCounts() async throws(AuditError) -> QuarantineCounts {
        do {
            return try await pool.read { db in
                let row = try Row.fetchOne(
                    db, sql: "SELECT count(*), coalesce(sum(event_count), 0) FROM auditledger_quarantine WHERE resolved_at IS NULL")
                return QuarantineCounts(records: row?[0] ?? 0, events: row?[1] ?? 0)
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "count the quarantine")
        }
    }

    public func resolveQuarantined(id: Int64, resolution: String, at: AuditTimestamp) async throws(AuditError) {
        do {
            try await pool.write { db in
                try db.execute(
                    sql: "UPDATE auditledger_quarantine SET resolved_at = ?, resolution = ? WHERE quarantine_id = ? AND resolved_at IS NULL",
                    arguments: [at.microsecondsSinceEpoch, resolution, id]
                )
                guard db.changesCount == 1 else { throw AuditError(.notFound, detail: "no open quarantine record has the id \(id)") }
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "resolve the quarantine record")
        }
    }
}
