public import AuditCore
import GRDB

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// The reads verification needs (``AuditCore/LogAuditor``).
extension SQLiteStore {
    public func checkpoints(from treeSize: Int64, limit: Int) async throws(AuditError) -> [StoredCheckpoint] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT \(Self.checkpointColumns) FROM auditledger_checkpoints WHERE tree_size >= ? ORDER BY tree_size LIMIT ?",
                    arguments: [treeSize, limit]
                ).map(Self.checkpoint)
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "read checkpoints")
        }
    }

    public func logEntries(positions range: Range<Int64>) async throws(AuditError) -> [LogEntry] {
        guard !range.isEmpty else { return [] }
        return try await readLog("WHERE position >= ? AND position < ? ORDER BY position", [range.lowerBound, range.upperBound])
    }

    public func events(ids: [UUID]) async throws(AuditError) -> [StoredAuditEvent] {
        guard !ids.isEmpty else { return [] }
        do {
            return try await pool.read { db in try Self.events(withIDs: ids, months: try Self.existingMonths(in: db), in: db) }
        } catch {
            throw SQLiteFailure.translate(error, operation: "read events")
        }
    }

    /// The catalog's months whose tables exist: verification reads on past a month dropped
    /// behind the store (its events are then reported missing).
    static func existingMonths(in db: Database) throws -> [PartitionMonth] {
        let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
        return try months(in: db).filter { tables.contains($0.partitionName) }
    }

    public func eventIDsOutsideLog(limit: Int) async throws(AuditError) -> [UUID] {
        do {
            return try await pool.read { db in
                var ids: [UUID] = []
                for month in try Self.existingMonths(in: db) where ids.count < limit {
                    ids += try String.fetchAll(
                        db,
                        sql: """
                            SELECT e.event_id FROM \(month.partitionName) e
                            WHERE NOT EXISTS (SELECT 1 FROM auditledger_log l WHERE l.event_id = e.event_id)
                              AND NOT EXISTS (SELECT 1 FROM auditledger_log_pending p WHERE p.event_id = e.event_id)
                            LIMIT ?
                            """,
                        arguments: [limit - ids.count]
                    ).compactMap(UUID.init(uuidString:))
                }
                return ids
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "compare the events with the log")
        }
    }
}
