public import AuditCore
import Logging
import PostgresNIO
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension PostgresStore {
    /// Detaches the month's partition (`DETACH PARTITION … CONCURRENTLY`, so readers and writers
    /// of other months are not blocked) and drops it. Needs the role that owns `audit_events`.
    ///
    /// Refused when the row count differs from `expectedRows` (before and after the detach; a
    /// difference after it re-attaches the month) or when an event in it is held — PostgreSQL
    /// refuses that detach by itself through the hold's foreign key.
    public func removeMonth(_ month: PartitionMonth, expectedRows: Int64) async throws(AuditError) {
        let partition = month.partitionName
        do {
            try await withLifecycleConnection { connection in
                guard
                    try await self.scalar(
                        Bool.self, "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = 'audit_events'::regclass",
                        on: connection) == true
                else {
                    throw AuditError(
                        .internalError,
                        detail: "removing a month needs the role that owns audit_events; run retention with the owner's database URL"
                    )
                }
                let held =
                    try await self.scalar(
                        Int64.self,
                        "SELECT count(*)::int8 FROM auditledger_legal_hold_events WHERE event_date >= \(PostgresDay(month.firstDay)) AND event_date < \(PostgresDay(month.endDay))",
                        on: connection
                    ) ?? 0
                guard held == 0 else {
                    throw AuditError(.conflict, detail: "\(month) holds \(held) event(s) under legal hold; it is not removed")
                }
                let before = try await self.scalar(Int64.self, "SELECT count(*)::int8 FROM \(unescaped: partition)", on: connection) ?? -1
                guard before == expectedRows else {
                    throw AuditError(.conflict, detail: "\(month) holds \(before) rows, not the \(expectedRows) archived; it is not removed")
                }
                try await connection.statement(
                    "SELECT set_config('lock_timeout', \(self.configuration.lockTimeoutSetting), false)", logger: self.logger)
                try await self.detachConcurrently(partition, on: connection)
                let after = try await self.scalar(Int64.self, "SELECT count(*)::int8 FROM \(unescaped: partition)", on: connection) ?? -1
                guard after == expectedRows else {
                    try await connection.statement(
                        "ALTER TABLE audit_events ATTACH PARTITION \(unescaped: partition) FOR VALUES FROM (\(PostgresDay(month.firstDay))) TO (\(PostgresDay(month.endDay)))",
                        logger: self.logger
                    )
                    throw AuditError(.conflict, detail: "\(month) changed while it was detached (\(after) rows); it was re-attached")
                }
                do {
                    // Dropping also drops the detached table's foreign keys, which locks the
                    // tables they reference: wait at most lock_timeout each time, and retry.
                    try await self.retryingLockWaits("drop \(partition)") {
                        try await connection.statement("DROP TABLE \(unescaped: partition)", logger: self.logger)
                    }
                } catch {
                    _ = try? await connection.statement(
                        "ALTER TABLE audit_events ATTACH PARTITION \(unescaped: partition) FOR VALUES FROM (\(PostgresDay(month.firstDay))) TO (\(PostgresDay(month.endDay)))",
                        logger: self.logger
                    )
                    throw error
                }
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "remove \(month)")
        }
        knownPartitions.withLock { _ = $0.remove(month) }
    }

    /// `DETACH PARTITION … CONCURRENTLY`, retried like every lock wait (``retryingLockWaits(_:_:)``);
    /// an interrupted detach (left pending) is finished with `FINALIZE`.
    private func detachConcurrently(_ partition: String, on connection: PostgresConnection) async throws {
        try await retryingLockWaits("detach \(partition)") {
            do {
                try await connection.statement("ALTER TABLE audit_events DETACH PARTITION \(unescaped: partition) CONCURRENTLY", logger: logger)
            } catch {
                let pending = try await scalar(
                    Bool.self,
                    "SELECT inhdetachpending FROM pg_inherits WHERE inhrelid = to_regclass(\(partition))",
                    on: connection
                )
                guard pending == true else { throw error }
                try await connection.statement("ALTER TABLE audit_events DETACH PARTITION \(unescaped: partition) FINALIZE", logger: logger)
            }
        }
    }

    public func restoreMonth(_ month: PartitionMonth, events: [StoredAuditEvent]) async throws(AuditError) {
        guard events.allSatisfy({ $0.event.date.month == month }) else {
            throw AuditError(.malformedRequest, detail: "the archive holds events outside \(month)")
        }
        let partition = month.partitionName
        try await ensurePartitions(for: [month], timeLimited: false)
        do {
            try await client.auditTransaction(logger: logger) { connection in
                try await connection.statement("SET LOCAL statement_timeout = 0", logger: self.logger)
                let existing = try await self.scalar(Int64.self, "SELECT count(*)::int8 FROM \(unescaped: partition)", on: connection) ?? 0
                guard existing == 0 else {
                    throw AuditError(
                        .conflict, detail: "\(month) is not empty (\(existing) rows); an archive is restored only into an absent or empty month")
                }
                let own = Set(events.map(\.event.id))
                let parents = Array(Set(events.compactMap(\.event.parentEventID)).subtracting(own))
                if !parents.isEmpty {
                    var found = Set<UUID>()
                    for row in try await connection.statement(
                        "SELECT event_id FROM audit_events WHERE event_id = ANY(\(ColumnArray(parents)))",
                        logger: self.logger
                    ) {
                        let id = try row.decode(UUID.self)
                        found.insert(id)
                    }
                    let missing = events.filter { $0.event.parentEventID.map { !own.contains($0) && !found.contains($0) } ?? false }
                    if !missing.isEmpty {
                        let months = Set(missing.compactMap(\.event.parentEventDate?.month)).sorted().map(\.description).joined(separator: ", ")
                        throw AuditError(
                            .conflict,
                            detail: "\(missing.count) event(s) name parents that are not stored; restore \(months) first"
                        )
                    }
                }
                for start in stride(from: 0, to: events.count, by: 5000) {
                    try await self.insertRestored(Array(events[start..<min(start + 5000, events.count)]), on: connection)
                }
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "restore \(month)")
        }
    }

    /// Inserts archived rows with their own `insert_seq`.
    private func insertRestored(_ rows: [StoredAuditEvent], on connection: PostgresConnection) async throws {
        let hashed = try rows.map { (row: StoredAuditEvent) throws(AuditError) -> StoredAuditEvent in try row.rehashedForInsert() }
        try await connection.statement(PostgresEventColumns.insert(hashed, keepSequence: true), logger: logger)
        // Events this log never had (an archive of another database) are queued for it, after everything queued before.
        let digests = try rows.map { (row: StoredAuditEvent) throws(AuditError) -> EventDigest in try StoredAuditEvent.digest(of: row.event) }
        try await connection.statement(
            """
            INSERT INTO auditledger_log_pending (insert_seq, event_id, event_date, correlation_id, event_hash, leaf_hash)
            SELECT nextval('auditledger_insert_seq'), r.event_id, r.event_date, r.correlation_id, r.event_hash, r.leaf_hash
            FROM unnest(
                \(ColumnArray(rows.map(\.event.id))), \(ColumnArray(rows.map { PostgresDay($0.event.date) })),
                \(ColumnArray(rows.map(\.event.correlationID))), \(ColumnArray(digests.map(\.eventHash))), \(ColumnArray(digests.map(\.leafHash)))
            ) WITH ORDINALITY AS r(event_id, event_date, correlation_id, event_hash, leaf_hash, n)
            WHERE NOT EXISTS (SELECT 1 FROM auditledger_log l WHERE l.event_id = r.event_id)
            ORDER BY r.n
            ON CONFLICT DO NOTHING
            """,
            logger: logger)
    }

    /// The first column of the first row of `query`, or `nil`.
    func scalar<Value: PostgresDecodable & Sendable>(
        _ type: Value.Type, _ query: PostgresQuery, on connection: PostgresConnection
    ) async throws -> Value? {
        try await connection.statement(query, logger: logger).first?.decode(Value.self)
    }
}
