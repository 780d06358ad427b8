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
    public func write(_ batches: [EventBatch]) async throws(AuditError) -> [Result<WriteReceipt, AuditError>] {
        let months = Set(batches.lazy.flatMap(\.eventMonths)).sorted()
        try await ensurePartitions(for: months)
        do {
            return try await withOperationTimeout {
                var attempt = 1
                while true {
                    do {
                        return try await self.writeTransaction(batches)
                    } catch is StoredConcurrently where attempt < 3 {
                        // Rolled back; the next lookup sees what the other writer committed, and the
                        // plan answers those ids as already stored — or refuses them if their content differs.
                        attempt += 1
                    }
                }
            }
        } catch {
            let failure = PostgresFailure.translate(error, operation: "store the events")
            if PostgresFailure.sqlState(of: error) == "23514", !failure.refusesData {
                // No partition for a row: a month was removed behind our back. Forget what we know.
                knownPartitions.withLock { $0.removeAll() }
            }
            throw failure
        }
    }

    /// One transaction: look up, plan, insert, link held correlations.
    private func writeTransaction(_ batches: [EventBatch]) async throws -> [Result<WriteReceipt, AuditError>] {
        try await retryingAbortedTransactions("store the events") {
            try await self.client.auditTransaction(leaseTimeout: self.configuration.connectionLeaseTimeout, logger: self.logger) {
                connection in
                try await self.write(batches, on: connection)
            }
        }
    }

    /// Plans and inserts inside the caller's transaction.
    ///
    /// The lookups by id go through two PL/pgSQL functions (migration 10), whose plans each
    /// connection keeps: as plain statements they were planned anew for every transaction.
    ///
    /// New rows go in with `INSERT … SELECT * FROM unnest(…)` through
    /// ``PostgresNIO/PostgresConnection/statement(_:logger:)``, which never waits on a closed
    /// connection. (`COPY … FROM STDIN` was tried for speed and reverted: PostgresNIO 1.33's COPY
    /// can wait for ever, past any timeout and cancellation, when the server goes away in the
    /// middle of it — seen as a writer stuck for good in the `flapping` fault test.)
    private func write(_ batches: [EventBatch], on connection: PostgresConnection) async throws -> [Result<WriteReceipt, AuditError>] {
        // For this transaction only, statements PostgreSQL keeps prepared — the foreign-key
        // checks of the parent link and of held events, and the PL/pgSQL lookups of migration
        // 10 — use one generic plan. Left to choose, PostgreSQL planned each foreign-key check
        // anew for every row (the custom plan prunes to one month, so it always looks cheaper),
        // which cost ten times the check itself. Not for the session: the setting also applies
        // to every statement sent with parameters, and a query's page, planned without its
        // values, took 830 ms instead of 6 (the months of its time window no longer pruned, its
        // LIMIT unknown).
        try await connection.statement("SET LOCAL plan_cache_mode = force_generic_plan", logger: logger)
        var stored: [UUID: AuditEvent] = [:]
        let lookupIDs = ColumnArray(WritePlan.lookupIDs(batches))
        for row in try await connection.statement(
            "SELECT \(unescaped: PostgresEventColumns.selectList) FROM auditledger_events_by_id(\(lookupIDs)) AS audit_events",
            logger: logger
        ) {
            let event = try PostgresEventColumns.decode(row).event
            stored[event.id] = event
        }
        var parentDates: [UUID: EventDate] = [:]
        let parentIDs = WritePlan.parentLookupIDs(batches)
        if !parentIDs.isEmpty {
            for row in try await connection.statement(
                "SELECT event_id, event_date FROM auditledger_event_dates(\(ColumnArray(parentIDs)))",
                logger: logger
            ) {
                let (id, day) = try row.decode((UUID, PostgresDay).self)
                parentDates[id] = day.value
            }
        }
        let plan = WritePlan(batches: batches, stored: stored, storedParentDates: parentDates)
        guard !plan.rows.isEmpty else { return plan.outcomes }
        do {
            try await insert(plan.rows, on: connection)
        } catch let error where PostgresFailure.sqlState(of: error) == "23505" {
            // Another server stored one of these ids between our lookup and insert (a month's
            // primary key, or the log queue's `event_id` for the same id in another month):
            // whether with the same content is for a fresh plan to say.
            logger.notice("events stored concurrently by another writer", metadata: ["audit.events.rows": "\(plan.rows.count)"])
            throw StoredConcurrently()
        }
        return plan.outcomes
    }

    /// One multi-row INSERT of `rows` (one bind per column whatever the row count); in the same
    /// statement, each new row is queued for the log (`auditledger_log_pending`) and linked to
    /// the active legal holds of its correlation id — one round trip and one plan per
    /// transaction for all three.
    ///
    /// A plain INSERT, not `ON CONFLICT DO NOTHING`: the lookup before it found none of these
    /// ids, so a conflict means another writer stored one since, which is rare, and the
    /// unique violation it raises sends the caller to a fresh plan. The speculative insertion
    /// of `ON CONFLICT` cost every row one more probe of its month's primary key: about a fifth
    /// more than the plain INSERT in a measurement of 100 transactions of 1,000 events
    /// (docs/performance.md).
    /// - Throws: a unique violation (`23505`) when an id was stored meanwhile.
    private func insert(_ rows: [AuditEvent], on connection: PostgresConnection) async throws {
        let digests = try rows.map { (row: AuditEvent) throws(AuditError) -> EventDigest in try StoredAuditEvent.digest(of: row) }
        let hashed = zip(rows, digests).map { row, digest in
            StoredAuditEvent(event: row, insertSequence: 0, digest: digest)
        }
        var query = PostgresEventColumns.insert(
            hashed, suffix: "RETURNING event_id, event_date, insert_seq, correlation_id, event_hash")
        query.binds.append(ColumnArray(rows.map(\.id)))
        query.binds.append(ColumnArray(digests.map(\.leafHash)))
        let ids = query.binds.count - 1
        query.sql = """
            WITH inserted AS (\(query.sql)),
            queued AS (
                INSERT INTO auditledger_log_pending (insert_seq, event_id, event_date, correlation_id, event_hash, leaf_hash)
                SELECT i.insert_seq, i.event_id, i.event_date, i.correlation_id, i.event_hash, l.leaf_hash
                FROM inserted i JOIN unnest($\(ids)::uuid[], $\(ids + 1)::text[]) AS l (event_id, leaf_hash) USING (event_id)
                RETURNING event_id
            ),
            held AS (\(Self.holdInsertedEvents))
            SELECT count(*) FROM queued
            """
        _ = try await connection.statement(query, logger: logger).first
    }
}

/// Rows of the plan were stored by another writer after its lookup; the transaction is rolled
/// back and run again.
struct StoredConcurrently: Error {}
