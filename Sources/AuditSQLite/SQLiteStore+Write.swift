public import AuditCore
import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension SQLiteStore {
    public func write(_ batches: [EventBatch]) async throws(AuditError) -> [Result<WriteReceipt, AuditError>] {
        do {
            let paths = configuration.indexedEventDataPaths
            return try await pool.write { db in try Self.write(batches, indexing: paths, in: db) }
        } catch {
            throw SQLiteFailure.translate(error, operation: "store the events")
        }
    }

    /// Plans and inserts inside one write transaction: missing months are created in the same
    /// transaction, so a batch across months is stored entirely or not at all.
    static func write(_ batches: [EventBatch], indexing paths: [EventDataPath], in db: Database) throws -> [Result<WriteReceipt, AuditError>] {
        _ = try ensureMonths(Array(Set(batches.lazy.flatMap(\.eventMonths))), indexing: paths, in: db)
        let months = try Self.months(in: db)

        var stored: [UUID: AuditEvent] = [:]
        for event in try events(withIDs: WritePlan.lookupIDs(batches), months: months, in: db) {
            stored[event.event.id] = event.event
        }
        var parentDates: [UUID: EventDate] = [:]
        for event in try events(withIDs: WritePlan.parentLookupIDs(batches), months: months, in: db) {
            parentDates[event.event.id] = event.event.date
        }
        let plan = WritePlan(batches: batches, stored: stored, storedParentDates: parentDates)
        guard !plan.rows.isEmpty else { return plan.outcomes }

        var sequence = try Int64.fetchOne(db, sql: "SELECT value FROM auditledger_counters WHERE name = 'insert_seq'") ?? 0
        for row in plan.rows {
            sequence += 1
            let digest = try StoredAuditEvent.digest(of: row)
            let stored = StoredAuditEvent(event: row, insertSequence: sequence, digest: digest)
            try db.cachedStatement(sql: SQLiteEventColumns.insertSQL(into: row.date.month.partitionName))
                .execute(arguments: SQLiteEventColumns.arguments(for: stored))
            // Queued for the log in the event's own transaction.
            try db.cachedStatement(
                sql:
                    "INSERT INTO auditledger_log_pending (insert_seq, event_id, event_date, correlation_id, event_hash, leaf_hash) VALUES (?, ?, ?, ?, ?, ?)"
            ).execute(arguments: [
                sequence, row.id.uuidString.lowercased(), row.date.description, row.correlationID, digest.eventHash, digest.leafHash,
            ])
        }
        try db.execute(sql: "UPDATE auditledger_counters SET value = ? WHERE name = 'insert_seq'", arguments: [sequence])
        try holdNewEvents(plan.rows, in: db)
        return plan.outcomes
    }
}
