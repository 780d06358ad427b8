public import AuditCore
import Logging
import PostgresNIO

extension PostgresStore {
    public func placeHold(correlationID: String, reason: String, placedBy: String, at: AuditTimestamp) async throws(AuditError) -> LegalHold {
        do {
            return try await withOperationTimeout {
                try await self.client.auditTransaction(logger: self.logger) { connection in
                    guard
                        let holdID = try await self.scalar(
                            Int64.self,
                            """
                            INSERT INTO auditledger_legal_holds (correlation_id, reason, placed_by, placed_at)
                            VALUES (\(correlationID), \(reason), \(placedBy), \(PostgresTimestamp(at))) RETURNING hold_id
                            """,
                            on: connection
                        )
                    else { throw AuditError(.internalError, detail: "the hold was not recorded") }
                    let affected =
                        try await self.scalar(
                            Int64.self,
                            """
                            WITH linked AS (
                                INSERT INTO auditledger_legal_hold_events (hold_id, event_id, event_date)
                                SELECT \(holdID), event_id, event_date FROM audit_events WHERE correlation_id = \(correlationID)
                                RETURNING 1
                            ) SELECT count(*)::int8 FROM linked
                            """,
                            on: connection
                        ) ?? 0
                    guard affected > 0 else {
                        throw AuditError(.notFound, detail: "no audit event has the correlation_id \(correlationID)")
                    }
                    return LegalHold(correlationID: correlationID, reason: reason, placedBy: placedBy, placedAt: at, eventsAffected: affected)
                }
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "place the legal hold")
        }
    }

    public func releaseHolds(correlationID: String, reason: String, releasedBy: String, at: AuditTimestamp) async throws(AuditError) -> HoldRelease {
        do {
            return try await withOperationTimeout {
                try await self.client.auditTransaction(logger: self.logger) { connection in
                    let holdIDs = try await connection.statement(
                        """
                        UPDATE auditledger_legal_holds SET released_by = \(releasedBy), released_at = \(PostgresTimestamp(at)), release_reason = \(reason)
                        WHERE correlation_id = \(correlationID) AND released_at IS NULL RETURNING hold_id
                        """,
                        logger: self.logger
                    ).map { try $0.decode(Int64.self) }
                    guard !holdIDs.isEmpty else {
                        throw AuditError(.notFound, detail: "no active legal hold for the correlation_id \(correlationID)")
                    }
                    let released =
                        try await self.scalar(
                            Int64.self,
                            """
                            WITH removed AS (
                                DELETE FROM auditledger_legal_hold_events WHERE hold_id = ANY(\(ColumnArray(holdIDs))) RETURNING event_id
                            ) SELECT count(DISTINCT event_id)::int8 FROM removed
                            """,
                            on: connection
                        ) ?? 0
                    return HoldRelease(correlationID: correlationID, eventsReleased: released, releasedBy: releasedBy, releasedAt: at, reason: reason)
                }
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "release the legal hold")
        }
    }

    public func activeHolds() async throws(AuditError) -> [LegalHold] {
        do {
            return try await withOperationTimeout {
                var holds: [LegalHold] = []
                for row in try await self.client.statement(
                    """
                    SELECT h.correlation_id::text, h.reason, h.placed_by, h.placed_at, count(e.event_id)::int8
                    FROM auditledger_legal_holds h LEFT JOIN auditledger_legal_hold_events e ON e.hold_id = h.hold_id
                    WHERE h.released_at IS NULL GROUP BY h.hold_id ORDER BY h.placed_at DESC, h.hold_id DESC
                    """,
                    logger: self.logger
                ) {
                    let (correlationID, reason, placedBy, placedAt, count) = try row.decode((String, String, String, PostgresTimestamp, Int64).self)
                    holds.append(
                        LegalHold(correlationID: correlationID, reason: reason, placedBy: placedBy, placedAt: placedAt.value, eventsAffected: count))
                }
                return holds
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "list legal holds")
        }
    }

    /// Links newly stored events to the active holds of their correlation id: a data-modifying
    /// statement over the rows of the `inserted` common table expression of the write's INSERT
    /// (`event_id`, `event_date`, `correlation_id`), run in the same statement.
    static let holdInsertedEvents = """
        INSERT INTO auditledger_legal_hold_events (hold_id, event_id, event_date)
        SELECT h.hold_id, i.event_id, i.event_date
        FROM inserted i JOIN auditledger_legal_holds h ON h.correlation_id = i.correlation_id AND h.released_at IS NULL
        ON CONFLICT DO NOTHING
        """
}
