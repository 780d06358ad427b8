public import AuditCore
import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension SQLiteStore {
    public func placeHold(correlationID: String, reason: String, placedBy: String, at: AuditTimestamp) async throws(AuditError) -> LegalHold {
        do {
            return try await pool.write { db in
                try db.execute(
                    sql: "INSERT INTO auditledger_legal_holds (correlation_id, reason, placed_by, placed_at) VALUES (?, ?, ?, ?)",
                    arguments: [correlationID, reason, placedBy, at.microsecondsSinceEpoch]
                )
                let holdID = db.lastInsertedRowID
                var affected: Int64 = 0
                for month in try Self.months(in: db) {
                    try db.execute(
                        sql: """
                            INSERT INTO auditledger_legal_hold_events (hold_id, event_id, event_date)
                            SELECT ?, event_id, event_date FROM \(month.partitionName) WHERE correlation_id = ?
                            """,
                        arguments: [holdID, correlationID]
                    )
                    affected += Int64(db.changesCount)
                }
                guard affected > 0 else {
                    throw AuditError(.notFound, detail: "no audit event has the correlation_id \(correlationID)")
                }
                return LegalHold(correlationID: correlationID, reason: reason, placedBy: placedBy, placedAt: at, eventsAffected: affected)
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "place the legal hold")
        }
    }

    public func releaseHolds(correlationID: String, reason: String, releasedBy: String, at: AuditTimestamp) async throws(AuditError) -> HoldRelease {
        do {
            return try await pool.write { db in
                let holdIDs = try Int64.fetchAll(
                    db,
                    sql: "SELECT hold_id FROM auditledger_legal_holds WHERE correlation_id = ? AND released_at IS NULL",
                    arguments: [correlationID]
                )
                guard !holdIDs.isEmpty else {
                    throw AuditError(.notFound, detail: "no active legal hold for the correlation_id \(correlationID)")
                }
                let placeholders = Array(repeating: "?", count: holdIDs.count).joined(separator: ", ")
                try db.execute(
                    sql: "UPDATE auditledger_legal_holds SET released_by = ?, released_at = ?, release_reason = ? WHERE hold_id IN (\(placeholders))",
                    arguments: StatementArguments([releasedBy, at.microsecondsSinceEpoch, reason] as [any DatabaseValueConvertible])
                        + StatementArguments(holdIDs)
                )
                let released =
                    try Int64.fetchOne(
                        db,
                        sql: "SELECT count(DISTINCT event_id) FROM auditledger_legal_hold_events WHERE hold_id IN (\(placeholders))",
                        arguments: StatementArguments(holdIDs)
                    ) ?? 0
                try db.execute(
                    sql: "DELETE FROM auditledger_legal_hold_events WHERE hold_id IN (\(placeholders))", arguments: StatementArguments(holdIDs))
                return HoldRelease(correlationID: correlationID, eventsReleased: released, releasedBy: releasedBy, releasedAt: at, reason: reason)
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "release the legal hold")
        }
    }

    public func activeHolds() async throws(AuditError) -> [LegalHold] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT h.correlation_id, h.reason, h.placed_by, h.placed_at, count(e.event_id)
                        FROM auditledger_legal_holds h LEFT JOIN auditledger_legal_hold_events e ON e.hold_id = h.hold_id
                        WHERE h.released_at IS NULL GROUP BY h.hold_id ORDER BY h.placed_at DESC, h.hold_id DESC
                        """
                ).map { row in
                    LegalHold(
                        correlationID: row[0], reason: row[1], placedBy: row[2], placedAt: AuditTimestamp(microsecondsSinceEpoch: row[3]),
                        eventsAffected: row[4]
                    )
                }
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "list legal holds")
        }
    }

    /// Links newly stored events to the active holds of their correlation id, in the write transaction.
    static func holdNewEvents(_ rows: [AuditEvent], in db: Database) throws {
        let correlations = Array(Set(rows.map(\.correlationID)))
        guard !correlations.isEmpty else { return }
        let placeholders = Array(repeating: "?", count: correlations.count).joined(separator: ", ")
        let holds = try Row.fetchAll(
            db,
            sql: "SELECT hold_id, correlation_id FROM auditledger_legal_holds WHERE released_at IS NULL AND correlation_id IN (\(placeholders))",
            arguments: StatementArguments(correlations)
        )
        guard !holds.isEmpty else { return }
        var holdsByCorrelation: [String: [Int64]] = [:]
        for hold in holds { holdsByCorrelation[hold[1], default: []].append(hold[0]) }
        let statement = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO auditledger_legal_hold_events (hold_id, event_id, event_date) VALUES (?, ?, ?)")
        for row in rows {
            for holdID in holdsByCorrelation[row.correlationID] ?? [] {
                try statement.execute(arguments: [holdID, row.id.uuidString.lowercased(), row.date.description])
            }
        }
    }
}
