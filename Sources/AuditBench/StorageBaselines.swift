import AuditCore
import AuditPostgres
import Foundation
import NIOCore
import PostgresNIO

/// The two reference points the API is measured against, on the same schema and rows:
/// PostgreSQL's own `COPY` on one connection, all rows in one transaction (the physical limit), and one `INSERT` committed per event (what a
/// naive service does: look the parent up, insert, commit).
enum StorageBaselines {
    /// The chain's events as stored: validated like the API does, parents' dates filled in, a
    /// writer named and hashed (before any phase is timed), so that the baselines write the
    /// columns the server writes.
    static func events(of chain: EventGenerator.Chain, validator: EventValidator, now: AuditTimestamp) throws -> [StoredAuditEvent] {
        var dates: [UUID: EventDate] = [:]
        return try chain.requests.map { request in
            var event = try validator.event(from: .object(request), now: now)
            if let parent = event.parentEventID { event.parentEventDate = dates[parent] }
            event.writtenBy = "bench-baseline"
            dates[event.id] = event.date
            return try StoredAuditEvent.hashing(event)
        }
    }

    /// `COPY audit_events FROM STDIN` of `chains` on one connection. Returns the seconds it took.
    static func copy(_ chains: [[StoredAuditEvent]], into database: BenchDatabase) async throws -> Double {
        try await database.withClient(connections: 1) { client in
            try await client.withConnection { connection in
                let started = ContinuousClock.now
                try await connection.copyFrom(
                    table: "audit_events", columns: CopyRows.columns, format: .text(.init()), logger: .init(label: "bench.copy")
                ) {
                    writer in
                    var buffer = ByteBuffer()
                    for chain in chains {
                        for event in chain { CopyRows.append(event, to: &buffer) }
                        if buffer.readableBytes > 1 << 20 {
                            try await writer.write(buffer)
                            buffer.clear()
                        }
                    }
                    if buffer.readableBytes > 0 { try await writer.write(buffer) }
                }
                return (ContinuousClock.now - started).seconds
            }
        }
    }

    /// One `INSERT` per event, each its own transaction, after a look-up of the parent's date
    /// (as a naive handler validating the parent would), from `concurrency` workers over
    /// `connections` pooled connections; each worker takes whole chains, so parents go first.
    static func naiveInserts(_ chains: [[StoredAuditEvent]], into database: BenchDatabase, concurrency: Int, connections: Int) async throws -> Double
    {
        try await database.withClient(connections: connections) { client in
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<concurrency {
                    group.addTask {
                        for chainIndex in stride(from: worker, to: chains.count, by: concurrency) {
                            for row in chains[chainIndex] {
                                let event = row.event
                                var parentDate: String?
                                if let parent = event.parentEventID {
                                    parentDate = try await client.query("SELECT event_date::text FROM audit_events WHERE event_id = \(parent)")
                                        .decode(String.self).first(where: { _ in true })
                                }
                                try await client.query(insert(row, parentDate: parentDate))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            return (ContinuousClock.now - started).seconds
        }
    }

    /// The naive handler's own statement, written out as such a handler would.
    private static func insert(_ row: StoredAuditEvent, parentDate: String?) -> PostgresQuery {
        let event = row.event
        return """
            INSERT INTO audit_events (
                event_id, event_version, event_timestamp, event_date, event_type, event_category, event_action, event_outcome,
                actor_type, actor_id, actor_ip, resource_type, resource_id, correlation_id, parent_event_id, parent_event_date,
                namespace, cluster_id, severity, duration_ms, error_code, error_message, retention_days, is_sensitive, event_data,
                written_by, event_hash, hash_algorithm)
            VALUES (
                \(event.id), \(event.version), \(event.timestamp.description)::timestamptz, \(event.date.description)::date, \(event.eventType),
                \(event.category), \(event.action), \(event.outcome.rawValue), \(event.actorType), \(event.actorID), \(event.actorIP)::inet,
                \(event.resourceType), \(event.resourceID), \(event.correlationID), \(event.parentEventID), \(parentDate)::date, \(event.namespace),
                \(event.clusterID), \(event.severity), \(event.durationMS), \(event.errorCode), \(event.errorMessage), \(event.retentionDays),
                \(event.isSensitive), \(event.eventData.json)::jsonb, \(event.writtenBy), \(row.eventHash), \(row.hashAlgorithm))
            """
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number (for rates in reports).
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
