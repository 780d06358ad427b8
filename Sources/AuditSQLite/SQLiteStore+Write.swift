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

        let first = (try Int64.fetchOne(db, sql: "SELECT value FROM auditledger_counters WHERE name = 'insert_seq'") ?? 0) + 1
        var digests: [EventDigest] = []
        digests.reserveCapacity(plan.rows.count)
        for (offset, row) in plan.rows.enumerated() {
            let digest = try StoredAuditEvent.digest(of: row)
            let stored = StoredAuditEvent(event: row, insertSequence: first + Int64(offset), digest: digest)
            try db.cachedStatement(sql: SQLiteEventColumns.insertSQL(into: row.date.month.partitionName))
                .execute(arguments: SQLiteEventColumns.arguments(for: stored))
            digests.append(digest)
        }
        try db.execute(
            sql: "UPDATE auditledger_counters SET value = ? WHERE name = 'insert_seq'", arguments: [first + Int64(plan.rows.count) - 1])
        try appendToLog(plan.rows, digests: digests, firstSequence: first, now: .now(), in: db)
        try holdNewEvents(plan.rows, in: db)
        return plan.outcomes
    }
}
