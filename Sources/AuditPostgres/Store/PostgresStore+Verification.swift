public import AuditCore
import PostgresNIO

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// The reads verification needs (``AuditCore/LogAuditor``).
extension PostgresStore {
    public func checkpoints(from treeSize: Int64, limit: Int) async throws(AuditError) -> [StoredCheckpoint] {
        do {
            return try await withOperationTimeout {
                var checkpoints: [StoredCheckpoint] = []
                for row in try await self.client.statement(
                    """
                    SELECT \(unescaped: Self.checkpointColumns) FROM auditledger_checkpoints
                    WHERE tree_size >= \(treeSize) ORDER BY tree_size LIMIT \(Int64(limit))
                    """,
                    logger: self.logger)
                {
                    checkpoints.append(try Self.checkpoint(row))
                }
                return checkpoints
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "read checkpoints")
        }
    }

    public func logEntries(positions range: Range<Int64>) async throws(AuditError) -> [LogEntry] {
        guard !range.isEmpty else { return [] }
        return try await readLog(
            """
            SELECT position, event_id, event_date, correlation_id, event_hash, previous_event_hash, leaf_hash, logged_at
            FROM auditledger_log WHERE position >= \(range.lowerBound) AND position < \(range.upperBound) ORDER BY position
            """,
            operation: "read the log")
    }

    public func events(ids: [UUID]) async throws(AuditError) -> [StoredAuditEvent] {
        guard !ids.isEmpty else { return [] }
        do {
            return try await withOperationTimeout {
                var found: [StoredAuditEvent] = []
                for row in try await self.client.statement(
                    "SELECT \(unescaped: PostgresEventColumns.selectList) FROM audit_events WHERE event_id = ANY(\(ColumnArray(ids)))",
                    logger: self.logger)
                {
                    found.append(try PostgresEventColumns.decode(row))
                }
                return found
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "read events")
        }
    }

    public func eventIDsOutsideLog(limit: Int) async throws(AuditError) -> [UUID] {
        do {
            return try await withOperationTimeout(limit: .seconds(600)) {
                var ids: [UUID] = []
                for row in try await self.client.statement(
                    """
                    SELECT e.event_id FROM audit_events e
                    WHERE NOT EXISTS (SELECT 1 FROM auditledger_log l WHERE l.event_id = e.event_id)
                      AND NOT EXISTS (SELECT 1 FROM auditledger_log_pending p WHERE p.event_id = e.event_id)
                    LIMIT \(Int64(limit))
                    """,
                    logger: self.logger)
                {
                    ids.append(try row.decode(UUID.self))
                }
                return ids
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "compare the events with the log")
        }
    }
}
