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
        let months = Set(batches.flatMap(\.events).map(\.date.month)).sorted()
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
    /// New rows go in with `INSERT … SELECT * FROM unnest(…)` through
    /// ``PostgresNIO/PostgresConnection/statement(_:logger:)``, which never waits on a closed
    /// connection. (`COPY … FROM STDIN` was tried for speed and reverted: PostgresNIO 1.33's COPY
    /// can wait for ever, past any timeout and cancellation, when the server goes away in the
    /// middle of it — seen as a writer stuck for good in the `flapping` fault test.)
    private func write(_ batches: [EventBatch], on connection: PostgresConnection) async throws -> [Result<WriteReceipt, AuditError>] {
        var stored: [UUID: AuditEvent] = [:]
        let lookupIDs = ColumnArray(WritePlan.lookupIDs(batches))
        for row in try await connection.statement(
            "SELECT \(unescaped: Self.eventColumns) FROM audit_events WHERE event_id = ANY(\(lookupIDs))",
            logger: logger
        ) {
            let event = try Self.decodeEvent(row).event
            stored[event.id] = event
        }
        var parentDates: [UUID: EventDate] = [:]
        let parentIDs = WritePlan.parentLookupIDs(batches)
        if !parentIDs.isEmpty {
            for row in try await connection.statement(
                "SELECT event_id, event_date FROM audit_events WHERE event_id = ANY(\(ColumnArray(parentIDs)))",
                logger: logger
            ) {
                let (id, day) = try row.decode((UUID, PostgresDay).self)
                parentDates[id] = day.value
            }
        }
        let plan = WritePlan(batches: batches, stored: stored, storedParentDates: parentDates)
        guard !plan.rows.isEmpty else { return plan.outcomes }
        let inserted = try await insert(plan.rows, on: connection)
        if inserted.count < plan.rows.count {
            // Another server stored some of these ids between our lookup and insert (ON CONFLICT
            // DO NOTHING skipped them): whether with the same content is for a fresh plan to say.
            logger.notice("events stored concurrently by another writer", metadata: ["audit.events.skipped": "\(plan.rows.count - inserted.count)"])
            throw StoredConcurrently()
        }
        try await holdNewEvents(plan.rows, on: connection)
        return plan.outcomes
    }

    /// One multi-row INSERT of `rows` (a fixed 25 binds whatever the row count).
    /// - Returns: the ids actually inserted.
    private func insert(_ rows: [AuditEvent], on connection: PostgresConnection) async throws -> Set<UUID> {
        let ids = ColumnArray(rows.map(\.id))
        let versions = ColumnArray(rows.map(\.version))
        let timestamps = ColumnArray(rows.map { PostgresTimestamp($0.timestamp) })
        let dates = ColumnArray(rows.map { PostgresDay($0.date) })
        let types = ColumnArray(rows.map(\.eventType))
        let categories = ColumnArray(rows.map(\.category))
        let actions = ColumnArray(rows.map(\.action))
        let outcomes = ColumnArray(rows.map(\.outcome.rawValue))
        let actorTypes = ColumnArray(rows.map(\.actorType))
        let actorIDs = ColumnArray(rows.map(\.actorID))
        let actorIPs = ColumnArray(rows.map(\.actorIP))
        let resourceTypes = ColumnArray(rows.map(\.resourceType))
        let resourceIDs = ColumnArray(rows.map(\.resourceID))
        let correlationIDs = ColumnArray(rows.map(\.correlationID))
        let parentIDs = ColumnArray(rows.map(\.parentEventID))
        let parentDates = ColumnArray(rows.map { $0.parentEventDate.map(PostgresDay.init) })
        let namespaces = ColumnArray(rows.map(\.namespace))
        let clusters = ColumnArray(rows.map(\.clusterID))
        let severities = ColumnArray(rows.map(\.severity))
        let durations = ColumnArray(rows.map(\.durationMS))
        let errorCodes = ColumnArray(rows.map(\.errorCode))
        let errorMessages = ColumnArray(rows.map(\.errorMessage))
        let retentions = ColumnArray(rows.map(\.retentionDays))
        let sensitivity = ColumnArray(rows.map(\.isSensitive))
        let payloads = ColumnArray(rows.map { PostgresJSONBText($0.eventData.json) })
        let query: PostgresQuery = """
            INSERT INTO audit_events (
                event_id, event_version, event_timestamp, event_date, event_type, event_category, event_action,
                event_outcome, actor_type, actor_id, actor_ip, resource_type, resource_id, correlation_id,
                parent_event_id, parent_event_date, namespace, cluster_id, severity, duration_ms, error_code,
                error_message, retention_days, is_sensitive, event_data)
            SELECT * FROM unnest(
                \(ids), \(versions), \(timestamps), \(dates), \(types), \(categories), \(actions),
                \(outcomes), \(actorTypes), \(actorIDs), \(actorIPs)::inet[], \(resourceTypes), \(resourceIDs), \(correlationIDs),
                \(parentIDs), \(parentDates), \(namespaces), \(clusters), \(severities), \(durations), \(errorCodes),
                \(errorMessages), \(retentions), \(sensitivity), \(payloads))
            ON CONFLICT (event_id, event_date) DO NOTHING
            RETURNING event_id
            """
        var inserted = Set<UUID>()
        for row in try await connection.statement(query, logger: logger) {
            inserted.insert(try row.decode(UUID.self))
        }
        return inserted
    }
}

/// Rows of the plan were stored by another writer after its lookup; the transaction is rolled
/// back and run again.
struct StoredConcurrently: Error {}
