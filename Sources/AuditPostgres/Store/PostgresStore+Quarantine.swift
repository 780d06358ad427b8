public import AuditCore
import Logging
import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension PostgresStore {
    public func quarantine(_ entries: [QuarantineEntry]) async throws(AuditError) {
        guard !entries.isEmpty else { return }
        do {
            try await withOperationTimeout {
                try await self.client.auditTransaction(leaseTimeout: self.configuration.connectionLeaseTimeout, logger: self.logger) {
                    connection in
                    for entry in entries {
                        try await connection.statement(
                            """
                            INSERT INTO auditledger_quarantine (
                                record_key, quarantined_at, received_at, request_id, origin, reason, detail, event_count, event_ids, events)
                            VALUES (
                                \(entry.key), \(PostgresTimestamp(entry.quarantinedAt)), \(entry.receivedAt.map(PostgresTimestamp.init)),
                                \(entry.requestID), \(entry.origin), \(entry.reason), \(entry.detail), \(Int32(entry.events.count)),
                                \(ColumnArray(entry.events.map(\.id))), \(entry.eventsJSON))
                            ON CONFLICT (record_key) DO NOTHING
                            """,
                            logger: self.logger
                        )
                    }
                }
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "quarantine the events")
        }
    }

    public func quarantinedRecords(
        includeResolved: Bool, limit: Int, offset: Int
    ) async throws(AuditError) -> (records: [QuarantinedRecord], total: Int) {
        do {
            return try await withOperationTimeout {
                var records: [QuarantinedRecord] = []
                var total = 0
                for row in try await self.client.statement(
                    """
                    WITH total AS (SELECT count(*)::int8 AS n FROM auditledger_quarantine WHERE \(includeResolved) OR resolved_at IS NULL)
                    SELECT total.n, q.quarantine_id, q.quarantined_at, q.received_at, q.request_id, q.origin, q.reason, q.detail, q.events,
                           q.resolved_at, q.resolution
                    FROM total LEFT JOIN (
                        SELECT * FROM auditledger_quarantine WHERE \(includeResolved) OR resolved_at IS NULL
                        ORDER BY quarantine_id LIMIT \(Int64(limit)) OFFSET \(Int64(offset))
                    ) q ON true
                    ORDER BY q.quarantine_id
                    """,
                    logger: self.logger
                ) {
                    var cells = RowCells(row)
                    total = Int(try cells.next(Int64.self))
                    guard let id = try cells.next(Int64?.self) else { continue }
                    let quarantinedAt = try cells.next(PostgresTimestamp.self).value
                    let receivedAt = try cells.next(PostgresTimestamp?.self)?.value
                    let requestID = try cells.next(String?.self)
                    let origin = try cells.next(String.self)
                    let reason = try cells.next(String.self)
                    let detail = try cells.next(String.self)
                    let events = try QuarantineEntry.events(fromJSON: try cells.next(String.self))
                    let resolvedAt = try cells.next(PostgresTimestamp?.self)?.value
                    let resolution = try cells.next(String?.self)
                    let entry = QuarantineEntry(
                        events: events, reason: reason, detail: detail, requestID: requestID, receivedAt: receivedAt,
                        quarantinedAt: quarantinedAt, origin: origin)
                    records.append(QuarantinedRecord(id: id, entry: entry, resolvedAt: resolvedAt, resolution: resolution))
                }
                return (records, total)
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "list the quarantine")
        }
    }

    public func quarantineCounts() async throws(AuditError) -> QuarantineCounts {
        do {
            return try await withOperationTimeout {
                let row = try await self.client.statement(
                    "SELECT count(*)::int8, coalesce(sum(event_count), 0)::int8 FROM auditledger_quarantine WHERE resolved_at IS NULL",
                    logger: self.logger
                ).first
                guard let row else { return QuarantineCounts(records: 0, events: 0) }
                let (records, events) = try row.decode((Int64, Int64).self)
                return QuarantineCounts(records: Int(records), events: Int(events))
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "count the quarantine")
        }
    }

    public func resolveQuarantined(id: Int64, resolution: String, at: AuditTimestamp) async throws(AuditError) {
        do {
            try await withOperationTimeout {
                let rows = try await self.client.statement(
                    """
                    UPDATE auditledger_quarantine SET resolved_at = \(PostgresTimestamp(at)), resolution = \(resolution)
                    WHERE quarantine_id = \(id) AND resolved_at IS NULL RETURNING quarantine_id
                    """,
                    logger: self.logger
                )
                guard rows.first != nil else { throw AuditError(.notFound, detail: "no open quarantine record has the id \(id)") }
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "resolve the quarantine record")
        }
    }
}
