public import AuditCore
import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension SQLiteStore: AuditLifecycleStore {
    public func ensureMonths(_ months: [PartitionMonth]) async throws(AuditError) -> [PartitionMonth] {
        do {
            return try await pool.write { db in try Self.ensureMonths(months, indexing: self.configuration.indexedEventDataPaths, in: db) }
        } catch {
            throw SQLiteFailure.translate(error, operation: "create months")
        }
    }

    public func monthFacts() async throws(AuditError) -> [MonthFacts] {
        do {
            return try await pool.read { db in
                var facts: [MonthFacts] = []
                for month in try Self.months(in: db) {
                    let table = month.partitionName
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT count(*), min(e.event_timestamp), max(e.event_timestamp),
                                   max(e.event_timestamp + max(e.retention_days, coalesce(p.retention_days, 0)) * 86400000000)
                            FROM \(table) e LEFT JOIN auditledger_retention_policies p ON p.event_category = e.event_category
                            """
                    )
                    var monthFacts = MonthFacts(month: month, rows: row?[0] ?? 0)
                    monthFacts.oldest = (row?[1] as Int64?).map(AuditTimestamp.init(microsecondsSinceEpoch:))
                    monthFacts.newest = (row?[2] as Int64?).map(AuditTimestamp.init(microsecondsSinceEpoch:))
                    monthFacts.expiresAt = (row?[3] as Int64?).map(AuditTimestamp.init(microsecondsSinceEpoch:))
                    monthFacts.heldEvents =
                        try Int64.fetchOne(
                            db,
                            sql: "SELECT count(DISTINCT event_id) FROM auditledger_legal_hold_events WHERE event_date >= ? AND event_date < ?",
                            arguments: [month.firstDay.description, month.endDay.description]
                        ) ?? 0
                    facts.append(monthFacts)
                }
                // Children in another month than their parent, credited to the parent's month.
                var byMonth = Dictionary(uniqueKeysWithValues: facts.enumerated().map { ($1.month, $0) })
                for (childIndex, child) in facts.enumerated() {
                    let rows = try Row.fetchAll(
                        db,
                        sql: """
                            SELECT substr(parent_event_date, 1, 7), count(*) FROM \(child.month.partitionName)
                            WHERE parent_event_date IS NOT NULL AND substr(parent_event_date, 1, 7) <> ? GROUP BY 1
                            """,
                        arguments: [child.month.description]
                    )
                    for row in rows {
                        let parentText: String = row[0]
                        guard let parent = EventDate(parentText + "-01")?.month, let index = byMonth[parent] else { continue }
                        facts[index].childrenInOtherMonths[facts[childIndex].month, default: 0] += row[1] as Int64
                    }
                }
                byMonth.removeAll()
                return facts
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "measure the months")
        }
    }

    public func exportMonth(
        _ month: PartitionMonth,
        _ body: ([StoredAuditEvent]) async throws -> Void
    ) async throws(AuditError) -> Int64 {
        do {
            var total: Int64 = 0
            var after: Int64 = Int64.min
            while true {
                let position = after
                let chunk = try await pool.read { db -> [StoredAuditEvent] in
                    guard try Self.months(in: db).contains(month) else { return [] }
                    return try Row.fetchAll(
                        db,
                        sql:
                            "SELECT \(SQLiteEventColumns.selectList) FROM \(month.partitionName) WHERE insert_seq > ? ORDER BY insert_seq LIMIT 1000",
                        arguments: [position]
                    ).map(SQLiteEventColumns.decode)
                }
                guard let last = chunk.last else { return total }
                try await body(chunk)
                total += Int64(chunk.count)
                after = last.insertSequence
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "export \(month)")
        }
    }

    /// Drops the month's table in one transaction, after checking that it holds exactly
    /// `expectedRows` rows and no held event. (SQLite cannot refuse a `DROP TABLE` by itself;
    /// this check is the store's.)
    public func removeMonth(_ month: PartitionMonth, expectedRows: Int64) async throws(AuditError) {
        do {
            try await pool.write { db in
                guard try Self.months(in: db).contains(month) else {
                    throw AuditError(.notFound, detail: "\(month) has no storage")
                }
                let held =
                    try Int64.fetchOne(
                        db,
                        sql: "SELECT count(*) FROM auditledger_legal_hold_events WHERE event_date >= ? AND event_date < ?",
                        arguments: [month.firstDay.description, month.endDay.description]
                    ) ?? 0
                guard held == 0 else {
                    throw AuditError(.conflict, detail: "\(month) holds \(held) event(s) under legal hold; it is not removed")
                }
                let rows = try Int64.fetchOne(db, sql: "SELECT count(*) FROM \(month.partitionName)") ?? -1
                guard rows == expectedRows else {
                    throw AuditError(.conflict, detail: "\(month) holds \(rows) rows, not the \(expectedRows) archived; it is not removed")
                }
                let children = try Self.months(in: db).filter { $0 != month }.reduce(Int64(0)) { count, other in
                    count
                        + (try Int64.fetchOne(
                            db,
                            sql: "SELECT count(*) FROM \(other.partitionName) WHERE parent_event_date >= ? AND parent_event_date < ?",
                            arguments: [month.firstDay.description, month.endDay.description]
                        ) ?? 0)
                }
                guard children == 0 else {
                    throw AuditError(.conflict, detail: "\(children) event(s) of other months name events of \(month) as parent; it is not removed")
                }
                try db.execute(sql: "DROP TABLE \(month.partitionName)")
                try db.execute(sql: "DELETE FROM auditledger_months WHERE month = ?", arguments: [month.description])
                try db.execute(sql: SQLiteSchema.recreateView(months: try Self.months(in: db)))
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "remove \(month)")
        }
    }

    public func restoreMonth(_ month: PartitionMonth, events: [StoredAuditEvent]) async throws(AuditError) {
        guard events.allSatisfy({ $0.event.date.month == month }) else {
            throw AuditError(.malformedRequest, detail: "the archive holds events outside \(month)")
        }
        do {
            try await pool.write { db in
                _ = try Self.ensureMonths([month], indexing: self.configuration.indexedEventDataPaths, in: db)
                let existing = try Int64.fetchOne(db, sql: "SELECT count(*) FROM \(month.partitionName)") ?? 0
                guard existing == 0 else {
                    throw AuditError(
                        .conflict, detail: "\(month) is not empty (\(existing) rows); an archive is restored only into an absent or empty month")
                }
                let own = Set(events.map(\.event.id))
                let parents = Array(Set(events.compactMap(\.event.parentEventID)).subtracting(own))
                let found = Set(try Self.events(withIDs: parents, months: try Self.months(in: db), in: db).map(\.event.id))
                let missing = events.filter { $0.event.parentEventID.map { !own.contains($0) && !found.contains($0) } ?? false }
                if !missing.isEmpty {
                    let months = Set(missing.compactMap(\.event.parentEventDate?.month)).sorted().map(\.description).joined(separator: ", ")
                    throw AuditError(.conflict, detail: "\(missing.count) event(s) name parents that are not stored; restore \(months) first")
                }
                let statement = try db.makeStatement(sql: SQLiteEventColumns.insertSQL(into: month.partitionName))
                for stored in events {
                    try statement.execute(arguments: SQLiteEventColumns.arguments(for: try stored.rehashedForInsert()))
                }
                // Events this log never had (an archive of another store) are queued for it, after everything queued before.
                let logged = try db.makeStatement(sql: "SELECT 1 FROM auditledger_log WHERE event_id = ?")
                let queue = try db.makeStatement(
                    sql:
                        "INSERT INTO auditledger_log_pending (insert_seq, event_id, event_date, correlation_id, event_hash, leaf_hash) VALUES (?, ?, ?, ?, ?, ?)"
                )
                var sequence = try Int64.fetchOne(db, sql: "SELECT value FROM auditledger_counters WHERE name = 'insert_seq'") ?? 0
                for stored in events where try Int.fetchOne(logged, arguments: [stored.event.id.uuidString.lowercased()]) == nil {
                    let digest = try StoredAuditEvent.digest(of: stored.event)
                    sequence += 1
                    try queue.execute(arguments: [
                        sequence, stored.event.id.uuidString.lowercased(), stored.event.date.description, stored.event.correlationID,
                        digest.eventHash,
                        digest.leafHash,
                    ])
                }
                try db.execute(sql: "UPDATE auditledger_counters SET value = ? WHERE name = 'insert_seq'", arguments: [sequence])
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "restore \(month)")
        }
    }

    public func retentionPolicies() async throws(AuditError) -> [RetentionPolicy] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT event_category, retention_days FROM auditledger_retention_policies ORDER BY 1").map {
                    RetentionPolicy(category: $0[0], days: Int32(clamping: $0[1] as Int64))
                }
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "read retention policies")
        }
    }

    public func setRetentionPolicy(_ policy: RetentionPolicy) async throws(AuditError) {
        do {
            try await pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO auditledger_retention_policies (event_category, retention_days, updated_at) VALUES (?, ?, ?)
                        ON CONFLICT (event_category) DO UPDATE SET retention_days = excluded.retention_days, updated_at = excluded.updated_at
                        """,
                    arguments: [policy.category, Int64(policy.days), AuditTimestamp.now().microsecondsSinceEpoch]
                )
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "set the retention policy")
        }
    }

    public func record(_ entry: LifecycleRecord) async throws(AuditError) {
        do {
            try await pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO auditledger_lifecycle_log
                            (kind, started_at, duration_ms, month, row_count, archive_path, archive_sha256, triggered_by, outcome, detail)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        entry.kind.rawValue, entry.startedAt.microsecondsSinceEpoch, entry.durationMilliseconds, entry.month?.description,
                        entry.rows, entry.archivePath, entry.archiveSHA256, entry.triggeredBy, entry.outcome, entry.detail,
                    ]
                )
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "record a lifecycle entry")
        }
    }

    public func lifecycleLog(limit: Int) async throws(AuditError) -> [LifecycleRecord] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT kind, started_at, duration_ms, month, row_count, archive_path, archive_sha256, triggered_by, outcome, detail
                        FROM auditledger_lifecycle_log ORDER BY entry_id DESC LIMIT ?
                        """,
                    arguments: [limit]
                ).map { row in
                    let month = (row[3] as String?).flatMap { EventDate($0 + "-01")?.month }
                    return LifecycleRecord(
                        kind: LifecycleRecord.Kind(rawValue: row[0]) ?? .maintenance, startedAt: AuditTimestamp(microsecondsSinceEpoch: row[1]),
                        durationMilliseconds: row[2], month: month, rows: row[4], archivePath: row[5], archiveSHA256: row[6],
                        triggeredBy: row[7], outcome: row[8], detail: row[9]
                    )
                }
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "read the lifecycle log")
        }
    }

    /// A lease row in `auditledger_locks` (one hour), so that only one process sharing the
    /// file runs maintenance at a time.
    public func withMaintenanceLock<Value: Sendable>(_ body: @Sendable () async throws -> Value) async throws -> Value? {
        let holder = UUID().uuidString
        let acquired = try await pool.write { db -> Bool in
            let now = AuditTimestamp.now().microsecondsSinceEpoch
            try db.execute(sql: "INSERT OR IGNORE INTO auditledger_locks (name, holder, expires_at) VALUES ('maintenance', '', 0)")
            try db.execute(
                sql: "UPDATE auditledger_locks SET holder = ?, expires_at = ? WHERE name = 'maintenance' AND expires_at < ?",
                arguments: [holder, now + 3_600_000_000, now]
            )
            return db.changesCount == 1
        }
        guard acquired else { return nil }
        let release: @Sendable () async throws -> Void = {
            try await self.pool.write { db in
                try db.execute(sql: "UPDATE auditledger_locks SET expires_at = 0 WHERE name = 'maintenance' AND holder = ?", arguments: [holder])
            }
        }
        do {
            let value = try await body()
            try await release()
            return value
        } catch {
            try? await release()
            throw error
        }
    }
}

extension SQLiteStore {
    public func storageFindings() async throws(AuditError) -> [String] {
        do {
            return try await pool.read { db in
                var findings: [String] = []
                let catalogued = Set(try Self.months(in: db).map(\.partitionName))
                let tables = Set(
                    try String.fetchAll(
                        db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'audit_events_[0-9][0-9][0-9][0-9]_[0-9][0-9]'")
                )
                for table in tables.subtracting(catalogued).sorted() {
                    findings.append("table \(table) looks like a month but is not in the catalog")
                }
                for table in catalogued.subtracting(tables).sorted() {
                    findings.append("the catalog lists \(table), which does not exist")
                }
                for month in try Self.months(in: db) where tables.contains(month.partitionName) {
                    // The table's CHECK keeps event_timestamp inside the month; event_date is
                    // only derived by the store, so a row written around it can disagree.
                    let outside =
                        try Int64.fetchOne(
                            db,
                            sql:
                                "SELECT count(*) FROM \(month.partitionName) WHERE event_date IS NOT strftime('%Y-%m-%d', event_timestamp / 1000000, 'unixepoch')"
                        ) ?? 0
                    if outside > 0 {
                        findings.append("\(month.partitionName) holds \(outside) row(s) whose event_date does not match event_timestamp")
                    }
                }
                return findings
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "check the months")
        }
    }
}
