public import AuditCore
import PostgresNIO

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

extension PostgresStore {
    /// Advisory lock key of the sequencer ("AUDITLG1" read as an integer's bytes): one sequencer
    /// at a time across every server on the database, held for one transaction.
    static let sequencerLockKey: Int64 = 4_702_111_234_474_983_745

    private static let logColumns = "position, event_id, event_date, correlation_id, event_hash, previous_event_hash, leaf_hash, logged_at"

    public func appendPendingToLog(limit: Int, now: AuditTimestamp) async throws(AuditError) -> LogAppend {
        do {
            return try await withOperationTimeout {
                try await self.client.auditTransaction(leaseTimeout: self.configuration.connectionLeaseTimeout, logger: self.logger) {
                    connection in
                    try await self.appendPending(limit: limit, now: now, on: connection)
                }
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "append to the log")
        }
    }

    private func appendPending(limit: Int, now: AuditTimestamp, on connection: PostgresConnection) async throws -> LogAppend {
        let locked = try await connection.statement("SELECT pg_try_advisory_xact_lock(\(Self.sequencerLockKey))", logger: logger)
        guard try locked.first?.decode(Bool.self) == true else { return LogAppend(appended: 0, size: 0, sequenced: false) }
        var pending: [PendingLogEntry] = []
        for row in try await connection.statement(
            """
            SELECT insert_seq, event_id, event_date, correlation_id, event_hash, leaf_hash FROM auditledger_log_pending
            ORDER BY insert_seq LIMIT \(Int64(limit))
            """,
            logger: logger
        ) {
            let (sequence, id, day, correlation, hash, leaf) = try row.decode((Int64, UUID, PostgresDay, String, String?, String?).self)
            pending.append(
                PendingLogEntry(
                    insertSequence: sequence, eventID: id, eventDate: day.value, correlationID: correlation,
                    digest: hash.flatMap { hash in leaf.map { EventDigest(eventHash: hash, leafHash: $0) } }))
        }
        // Events stored before the log: hashed from their rows.
        let unhashed = pending.filter { $0.digest == nil }.map(\.eventID)
        if !unhashed.isEmpty {
            var stored: [UUID: StoredAuditEvent] = [:]
            for row in try await connection.statement(
                "SELECT \(unescaped: PostgresEventColumns.selectList) FROM audit_events WHERE event_id = ANY(\(ColumnArray(unhashed)))",
                logger: logger)
            {
                let event = try PostgresEventColumns.decode(row)
                stored[event.event.id] = event
            }
            pending = LogSequencing.digesting(pending, stored: stored)
        }
        let size =
            try await connection.statement("SELECT coalesce(max(position) + 1, 0)::int8 FROM auditledger_log", logger: logger).first?.decode(
                Int64.self) ?? 0
        guard !pending.isEmpty else { return LogAppend(appended: 0, size: size, sequenced: true) }
        var last: [String: String] = [:]
        let correlations = Array(Set(pending.map(\.correlationID)))
        // The newest entry of each correlation: one step down the correlation index each
        // (a DISTINCT ON over `correlation_id = ANY` read every entry of those correlations).
        for row in try await connection.statement(
            """
            SELECT c.correlation_id, newest.event_hash FROM unnest(\(ColumnArray(correlations))::text[]) AS c (correlation_id)
            CROSS JOIN LATERAL (
                SELECT event_hash FROM auditledger_log l WHERE l.correlation_id = c.correlation_id ORDER BY l.position DESC LIMIT 1
            ) AS newest
            """,
            logger: logger
        ) {
            let (correlation, hash) = try row.decode((String, String).self)
            last[correlation] = hash
        }
        let entries = LogSequencing.entries(for: pending, startingAt: size, lastHashes: &last, now: now)
        try await connection.statement(
            """
            INSERT INTO auditledger_log (\(unescaped: Self.logColumns))
            SELECT * FROM unnest(
                \(ColumnArray(entries.map(\.position))), \(ColumnArray(entries.map(\.eventID))),
                \(ColumnArray(entries.map { PostgresDay($0.eventDate) })), \(ColumnArray(entries.map(\.correlationID))),
                \(ColumnArray(entries.map(\.eventHash))), \(ColumnArray(entries.map(\.previousEventHash))),
                \(ColumnArray(entries.map(\.leafHash))), \(ColumnArray(entries.map { PostgresTimestamp($0.loggedAt) })))
            """,
            logger: logger
        )
        let logged = pending.filter { $0.digest != nil }.map(\.insertSequence)
        try await connection.statement("DELETE FROM auditledger_log_pending WHERE insert_seq = ANY(\(ColumnArray(logged)))", logger: logger)
        return LogAppend(appended: entries.count, size: size + Int64(entries.count), sequenced: true)
    }

    public func logEntries(correlationID: String) async throws(AuditError) -> [LogEntry] {
        try await readLog(
            "SELECT \(unescaped: Self.logColumns) FROM auditledger_log WHERE correlation_id = \(correlationID) ORDER BY position",
            operation: "read the log")
    }

    public func logEntries(eventIDs: [UUID]) async throws(AuditError) -> [LogEntry] {
        guard !eventIDs.isEmpty else { return [] }
        return try await readLog(
            "SELECT \(unescaped: Self.logColumns) FROM auditledger_log WHERE event_id = ANY(\(ColumnArray(eventIDs))) ORDER BY position",
            operation: "read the log")
    }

    public func pendingLogEventIDs(correlationID: String) async throws(AuditError) -> Set<UUID> {
        do {
            return try await withOperationTimeout {
                var ids = Set<UUID>()
                for row in try await self.client.statement(
                    "SELECT event_id FROM auditledger_log_pending WHERE correlation_id = \(correlationID)", logger: self.logger)
                {
                    ids.insert(try row.decode(UUID.self))
                }
                return ids
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "read the log queue")
        }
    }

    public func logStatus() async throws(AuditError) -> (size: Int64, pending: Int) {
        do {
            return try await withOperationTimeout {
                let row = try await self.client.statement(
                    """
                    SELECT (SELECT coalesce(max(position) + 1, 0) FROM auditledger_log)::int8,
                           (SELECT count(*) FROM auditledger_log_pending)::int8
                    """,
                    logger: self.logger
                ).first
                guard let (size, pending) = try row?.decode((Int64, Int64).self) else { return (0, 0) }
                return (size, Int(pending))
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "read the log")
        }
    }

    func readLog(_ query: PostgresQuery, operation: String) async throws(AuditError) -> [LogEntry] {
        do {
            return try await withOperationTimeout {
                var entries: [LogEntry] = []
                for row in try await self.client.statement(query, logger: self.logger) {
                    let (position, id, day, correlation, hash, previous, leaf, logged) = try row.decode(
                        (Int64, UUID, PostgresDay, String, String, String?, String, PostgresTimestamp).self)
                    entries.append(
                        LogEntry(
                            position: position, eventID: id, eventDate: day.value, correlationID: correlation, eventHash: hash,
                            previousEventHash: previous, leafHash: leaf, loggedAt: logged.value))
                }
                return entries
            }
        } catch {
            throw PostgresFailure.translate(error, operation: operation)
        }
    }
}
