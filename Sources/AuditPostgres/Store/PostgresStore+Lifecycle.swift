public import AuditCore
import Logging
import PostgresNIO
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension PostgresStore: AuditLifecycleStore {
    /// Advisory lock key of maintenance runs ("AUDITLG2" read as an integer's bytes, minus one).
    static let maintenanceLockKey: Int64 = 4_702_111_234_474_983_745 + 1

    public func ensureMonths(_ months: [PartitionMonth]) async throws(AuditError) -> [PartitionMonth] {
        let before = Set(try await monthFacts(measuring: false).map(\.month))
        knownPartitions.withLock { $0.removeAll() }
        try await ensurePartitions(for: months, timeLimited: false)
        return months.filter { !before.contains($0) }.sorted()
    }

    public func monthFacts() async throws(AuditError) -> [MonthFacts] {
        try await monthFacts(measuring: true)
    }

    /// Facts of every partition; with `measuring`, the months that have ended are read in full
    /// to find when their last event leaves retention.
    func monthFacts(measuring: Bool) async throws(AuditError) -> [MonthFacts] {
        do {
            return try await withLifecycleConnection { connection in
                var facts: [MonthFacts] = []
                for row in try await connection.statement(
                    """
                    SELECT c.relname::text, pg_total_relation_size(c.oid), greatest(c.reltuples, 0)::int8
                    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1
                    """,
                    logger: self.logger
                ) {
                    let (name, bytes, estimate) = try row.decode((String, Int64, Int64).self)
                    guard let month = Self.month(fromPartition: name) else { continue }
                    facts.append(MonthFacts(month: month, rows: estimate, bytes: bytes))
                }
                guard measuring else { return facts }
                let now = AuditTimestamp.now()
                for index in facts.indices {
                    let month = facts[index].month
                    let first = PostgresDay(month.firstDay)
                    let end = PostgresDay(month.endDay)
                    let ended = month.endDay.startOfDay <= now
                    let rows = try await connection.statement(
                        ended
                            ? """
                            SELECT count(*)::int8, min(e.event_timestamp), max(e.event_timestamp),
                                   max(e.event_timestamp + make_interval(days => greatest(e.retention_days, coalesce(p.retention_days, 0))))
                            FROM audit_events e LEFT JOIN auditledger_retention_policies p ON p.event_category = e.event_category
                            WHERE e.event_date >= \(first) AND e.event_date < \(end)
                            """
                            : """
                            SELECT \(facts[index].rows)::int8, min(event_timestamp), max(event_timestamp), NULL::timestamptz
                            FROM audit_events WHERE event_date >= \(first) AND event_date < \(end)
                            """,
                        logger: self.logger
                    )
                    for row in rows {
                        let (count, oldest, newest, expiry) = try row.decode(
                            (Int64, PostgresTimestamp?, PostgresTimestamp?, PostgresTimestamp?).self)
                        facts[index].rows = count
                        facts[index].oldest = oldest?.value
                        facts[index].newest = newest?.value
                        facts[index].expiresAt = expiry?.value
                    }
                    let held = try await connection.statement(
                        "SELECT count(DISTINCT event_id)::int8 FROM auditledger_legal_hold_events WHERE event_date >= \(first) AND event_date < \(end)",
                        logger: self.logger
                    )
                    for row in held { facts[index].heldEvents = try row.decode(Int64.self) }
                }
                // Children in another month than their parent (the partial index keeps this cheap).
                var byMonth = Dictionary(uniqueKeysWithValues: facts.enumerated().map { ($1.month, $0) })
                for row in try await connection.statement(
                    """
                    SELECT date_trunc('month', parent_event_date::timestamp)::date, date_trunc('month', event_date::timestamp)::date, count(*)::int8
                    FROM audit_events
                    WHERE parent_event_date IS NOT NULL
                      AND date_trunc('month', parent_event_date::timestamp) <> date_trunc('month', event_date::timestamp)
                    GROUP BY 1, 2
                    """,
                    logger: self.logger
                ) {
                    let (parentDay, childDay, count) = try row.decode((PostgresDay, PostgresDay, Int64).self)
                    guard let index = byMonth[parentDay.value.month] else { continue }
                    facts[index].childrenInOtherMonths[childDay.value.month, default: 0] += count
                }
                byMonth.removeAll()
                return facts
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "measure the months")
        }
    }

    /// Reads the month in commit order through a cursor, 1,000 rows per `FETCH`, each sent with
    /// ``PostgresNIO/PostgresConnection/statement(_:logger:)``: a streamed `query` would wait
    /// for ever on a connection that closed just before it was written.
    public func exportMonth(
        _ month: PartitionMonth,
        _ body: ([StoredAuditEvent]) async throws -> Void
    ) async throws(AuditError) -> Int64 {
        do {
            return try await withLifecycleConnection { connection in
                try await connection.auditTransaction(logger: self.logger) { connection in
                    try await connection.statement(
                        """
                        DECLARE auditledger_export NO SCROLL CURSOR FOR
                        SELECT \(unescaped: PostgresEventColumns.selectList) FROM audit_events
                        WHERE event_date >= \(PostgresDay(month.firstDay)) AND event_date < \(PostgresDay(month.endDay))
                        ORDER BY insert_seq
                        """,
                        logger: self.logger
                    )
                    var total: Int64 = 0
                    while true {
                        let chunk = try await connection.statement("FETCH 1000 FROM auditledger_export", logger: self.logger).map {
                            try PostgresEventColumns.decode($0)
                        }
                        guard !chunk.isEmpty else { return total }
                        total += Int64(chunk.count)
                        try await body(chunk)
                    }
                }
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "export \(month)")
        }
    }

    public func record(_ entry: LifecycleRecord) async throws(AuditError) {
        do {
            try await client.statement(
                """
                INSERT INTO auditledger_lifecycle_log
                    (kind, started_at, duration_ms, month, row_count, archive_path, archive_sha256, triggered_by, outcome, detail)
                VALUES (\(entry.kind.rawValue), \(PostgresTimestamp(entry.startedAt)), \(entry.durationMilliseconds),
                        \(entry.month.map { PostgresDay($0.firstDay) }), \(entry.rows), \(entry.archivePath), \(entry.archiveSHA256),
                        \(entry.triggeredBy), \(entry.outcome), \(entry.detail))
                """,
                logger: logger
            )
        } catch {
            throw PostgresFailure.translate(error, operation: "record a lifecycle entry")
        }
    }

    public func lifecycleLog(limit: Int) async throws(AuditError) -> [LifecycleRecord] {
        do {
            var records: [LifecycleRecord] = []
            for row in try await client.statement(
                """
                SELECT kind, started_at, duration_ms, month, row_count, archive_path, archive_sha256, triggered_by, outcome, detail
                FROM auditledger_lifecycle_log ORDER BY entry_id DESC LIMIT \(Int64(limit))
                """,
                logger: logger
            ) {
                let (kind, started, duration, month, rows, path, sha, trigger, outcome, detail) = try row.decode(
                    (String, PostgresTimestamp, Int64, PostgresDay?, Int64?, String?, String?, String, String, String).self
                )
                records.append(
                    LifecycleRecord(
                        kind: LifecycleRecord.Kind(rawValue: kind) ?? .maintenance, startedAt: started.value, durationMilliseconds: duration,
                        month: month?.value.month, rows: rows, archivePath: path, archiveSHA256: sha, triggeredBy: trigger, outcome: outcome,
                        detail: detail
                    )
                )
            }
            return records
        } catch {
            throw PostgresFailure.translate(error, operation: "read the lifecycle log")
        }
    }

    public func retentionPolicies() async throws(AuditError) -> [RetentionPolicy] {
        do {
            var policies: [RetentionPolicy] = []
            for row in try await client.statement(
                "SELECT event_category::text, retention_days FROM auditledger_retention_policies ORDER BY 1", logger: logger
            ) {
                let (category, days) = try row.decode((String, Int32).self)
                policies.append(RetentionPolicy(category: category, days: days))
            }
            return policies
        } catch {
            throw PostgresFailure.translate(error, operation: "read retention policies")
        }
    }

    public func setRetentionPolicy(_ policy: RetentionPolicy) async throws(AuditError) {
        do {
            try await client.statement(
                """
                INSERT INTO auditledger_retention_policies (event_category, retention_days) VALUES (\(policy.category), \(policy.days))
                ON CONFLICT (event_category) DO UPDATE SET retention_days = EXCLUDED.retention_days, updated_at = now()
                """,
                logger: logger
            )
        } catch {
            throw PostgresFailure.translate(error, operation: "set the retention policy")
        }
    }

    public func withMaintenanceLock<Value: Sendable>(_ body: @Sendable () async throws -> Value) async throws -> Value? {
        do {
            return try await holdingMaintenanceLock(body)
        } catch {
            throw PostgresFailure.translate(error, operation: "run maintenance")
        }
    }

    private func holdingMaintenanceLock<Value: Sendable>(_ body: @Sendable () async throws -> Value) async throws -> Value? {
        try await client.withConnection { connection in
            let locked =
                try await connection.statement("SELECT pg_try_advisory_lock(\(Self.maintenanceLockKey))", logger: logger)
                .first?.decode(Bool.self) ?? false
            guard locked else { return nil }
            do {
                let value = try await body()
                try await connection.statement("SELECT pg_advisory_unlock(\(Self.maintenanceLockKey))", logger: logger)
                return value
            } catch {
                _ = try? await connection.statement("SELECT pg_advisory_unlock(\(Self.maintenanceLockKey))", logger: logger)
                throw error
            }
        }
    }

    /// Runs `body` on one connection without the statement timeout (lifecycle work may rightly
    /// take long), restoring it (and any `lock_timeout` `body` set) afterwards.
    func withLifecycleConnection<Value: Sendable>(_ body: (PostgresConnection) async throws -> Value) async throws -> Value {
        try await client.withConnection { connection in
            try await connection.statement("SET statement_timeout = 0", logger: logger)
            do {
                let value = try await body(connection)
                try await connection.statement("RESET statement_timeout", logger: logger)
                try await connection.statement("RESET lock_timeout", logger: logger)
                return value
            } catch {
                _ = try? await connection.statement("RESET statement_timeout", logger: logger)
                _ = try? await connection.statement("RESET lock_timeout", logger: logger)
                throw error
            }
        }
    }

    /// `audit_events_2025_07` → 2025-07.
    static func month(fromPartition name: String) -> PartitionMonth? {
        let parts = name.split(separator: "_")
        guard parts.count == 4, parts[0] == "audit", parts[1] == "events", let year = Int(parts[2]), let month = Int(parts[3]) else { return nil }
        return PartitionMonth(year: year, month: month)
    }
}

extension PostgresStore {
    public func storageFindings() async throws(AuditError) -> [String] {
        do {
            return try await withLifecycleConnection { connection in
                var findings: [String] = []
                // Attached months cannot hold rows outside their bounds (partition bounds and the
                // event_date CHECK see to that); a default partition can hold rows of any month.
                var defaults: [String] = []
                for row in try await connection.statement(
                    """
                    SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'audit_events'::regclass AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'
                    """,
                    logger: self.logger
                ) {
                    defaults.append(try row.decode(String.self))
                }
                for name in defaults {
                    var months: [String] = []
                    var rows: Int64 = 0
                    for row in try await connection.statement(
                        "SELECT to_char(event_date, 'YYYY-MM'), count(*)::int8 FROM \(unescaped: name) GROUP BY 1 ORDER BY 1",
                        logger: self.logger
                    ) {
                        let (month, count) = try row.decode((String, Int64).self)
                        months.append(month)
                        rows += count
                    }
                    findings.append(
                        rows == 0
                            ? "default partition \(name) exists: rows of any month could land in it instead of failing; remove it"
                            : "default partition \(name) holds \(rows) row(s) outside every month's bounds (\(months.joined(separator: ", "))); "
                                + "they block creating those months"
                    )
                }
                for row in try await connection.statement(
                    "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_events'::regclass AND i.inhdetachpending",
                    logger: self.logger
                ) {
                    let name = try row.decode(String.self)
                    findings.append("\(name) is left half-detached; finish with ALTER TABLE audit_events DETACH PARTITION \(name) FINALIZE")
                }
                for row in try await connection.statement(
                    """
                    SELECT relname::text FROM pg_class
                    WHERE relkind = 'r' AND NOT relispartition AND relname ~ '^audit_events_[0-9]{4}_[0-9]{2}$'
                      AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
                    """,
                    logger: self.logger
                ) {
                    let name = try row.decode(String.self)
                    findings.append("table \(name) looks like a month but is not attached to audit_events")
                }
                return findings
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "check the partitions")
        }
    }
}
