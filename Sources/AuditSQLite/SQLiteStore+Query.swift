public import AuditCore
import GRDB

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

extension SQLiteStore {
    public func events(matching query: EventQuery) async throws(AuditError) -> EventPage {
        do {
            let paths = configuration.indexedEventDataPaths
            return try await pool.read { db in
                let months = try Self.monthsCovering(query, in: db)
                guard !months.isEmpty else { return EventPage(events: [], total: 0, hasMore: false) }
                let (pageSQL, pageArguments, countSQL, countArguments) = Self.queries(for: query, months: months, indexed: paths)
                // One read transaction: the page, its holds and the count see one snapshot.
                var events = try Row.fetchAll(db, sql: pageSQL, arguments: pageArguments).map(SQLiteEventColumns.decode)
                let total = query.countsTotal ? try Int.fetchOne(db, sql: countSQL, arguments: countArguments) ?? 0 : -1
                let hasMore = events.count > query.limit
                if hasMore { events.removeLast() }
                try Self.attachHolds(to: &events, in: db)
                return EventPage(events: events, total: total, hasMore: hasMore)
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "query events")
        }
    }

    public func event(id: UUID) async throws(AuditError) -> StoredAuditEvent? {
        do {
            return try await pool.read { db in
                var events = try Self.events(withIDs: [id], months: try Self.months(in: db), in: db)
                try Self.attachHolds(to: &events, in: db)
                return events.first
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "read the event")
        }
    }

    /// The month tables SQLite reads for `query`'s page, from `EXPLAIN QUERY PLAN`: a diagnostic
    /// showing that a time-bounded query reads only its months.
    public func tablesRead(by query: EventQuery) async throws(AuditError) -> [String] {
        var tables = Set<String>()
        for detail in try await queryPlan(for: query) {
            for word in detail.split(separator: " ") where word.hasPrefix("audit_events_") && word.count == 20 {
                tables.insert(String(word))
            }
        }
        return tables.sorted()
    }

    /// SQLite's plan for `query`'s page (`EXPLAIN QUERY PLAN`, one line per step): a
    /// diagnostic showing which indexes a query reads through.
    public func queryPlan(for query: EventQuery) async throws(AuditError) -> [String] {
        do {
            let paths = configuration.indexedEventDataPaths
            return try await pool.read { db in
                let months = try Self.monthsCovering(query, in: db)
                guard !months.isEmpty else { return [] }
                let (pageSQL, arguments, _, _) = Self.queries(for: query, months: months, indexed: paths)
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + pageSQL, arguments: arguments).map { $0["detail"] as String }
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "explain the query")
        }
    }

    /// Stored events with these ids, looked up in every month (each month's primary key).
    static func events(withIDs ids: [UUID], months: [PartitionMonth], in db: Database) throws -> [StoredAuditEvent] {
        guard !ids.isEmpty else { return [] }
        var found: [StoredAuditEvent] = []
        for chunk in stride(from: 0, to: ids.count, by: 10_000).map({ Array(ids[$0..<min($0 + 10_000, ids.count)]) }) {
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let arguments = StatementArguments(chunk.map { $0.uuidString.lowercased() })
            for month in months {
                let sql = "SELECT \(SQLiteEventColumns.selectList) FROM \(month.partitionName) WHERE event_id IN (\(placeholders))"
                found += try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(SQLiteEventColumns.decode)
            }
        }
        return found
    }

    /// Fills each event's earliest active legal hold.
    static func attachHolds(to events: inout [StoredAuditEvent], in db: Database) throws {
        guard !events.isEmpty else { return }
        let placeholders = Array(repeating: "?", count: events.count).joined(separator: ", ")
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT le.event_id, h.reason, h.placed_by, h.placed_at
                FROM auditledger_legal_holds h JOIN auditledger_legal_hold_events le ON le.hold_id = h.hold_id
                WHERE h.released_at IS NULL AND le.event_id IN (\(placeholders))
                ORDER BY h.placed_at DESC, h.hold_id DESC
                """,
            arguments: StatementArguments(events.map { $0.event.id.uuidString.lowercased() })
        )
        guard !rows.isEmpty else { return }
        var holds: [String: LegalHoldMark] = [:]
        for row in rows {
            // Newest first, so the earliest hold is the one left.
            holds[row[0]] = LegalHoldMark(reason: row[1], placedBy: row[2], placedAt: AuditTimestamp(microsecondsSinceEpoch: row[3]))
        }
        for index in events.indices {
            events[index].legalHold = holds[events[index].event.id.uuidString.lowercased()]
        }
    }

    /// The months with a table that the query's time window overlaps.
    static func monthsCovering(_ query: EventQuery, in db: Database) throws -> [PartitionMonth] {
        let (first, last) = query.dateRange
        return try months(in: db).filter { month in
            (first.map { month >= $0.month } ?? true) && (last.map { month <= $0.month } ?? true)
        }
    }

    /// The page query (each month pre-sorted and limited, then merged) and the count query.
    /// Only values are bound; column and table names come from fixed lists.
    static func queries(
        for query: EventQuery, months: [PartitionMonth], indexed: [EventDataPath]
    ) -> (String, StatementArguments, String, StatementArguments) {
        let (conditions, values) = conditions(for: query, indexed: indexed)
        let countWhere = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let countSQL = "SELECT " + months.map { "(SELECT count(*) FROM \($0.partitionName)\(countWhere))" }.joined(separator: " + ")
        let countArguments = StatementArguments(Array(repeating: values, count: months.count).flatMap { $0 })

        var pageConditions = conditions
        var pageValues = values
        let direction = query.order == .ascending ? "ASC" : "DESC"
        if let cursor = query.cursor {
            pageConditions.append("(event_timestamp, event_id) \(query.order == .ascending ? ">" : "<") (?, ?)")
            pageValues += [cursor.afterTimestamp.microsecondsSinceEpoch, cursor.afterID.uuidString.lowercased()]
        }
        let pageWhere = pageConditions.isEmpty ? "" : " WHERE " + pageConditions.joined(separator: " AND ")
        let order = "ORDER BY event_timestamp \(direction), event_id \(direction)"
        let perMonth = query.offset + query.limit + 1
        let parts = months.map {
            "SELECT * FROM (SELECT \(SQLiteEventColumns.selectList) FROM \($0.partitionName)\(pageWhere) \(order) LIMIT \(perMonth))"
        }
        let pageSQL = "SELECT * FROM (\(parts.joined(separator: " UNION ALL "))) \(order) LIMIT \(query.limit + 1) OFFSET \(query.offset)"
        let pageArguments = StatementArguments(Array(repeating: pageValues, count: months.count).flatMap { $0 })
        return (pageSQL, pageArguments, countSQL, countArguments)
    }

    /// The conditions of `query` (filters, read limits, time window; not the cursor) and their
    /// values, in order. Only values are bound; column names come from fixed lists.
    static func conditions(
        for query: EventQuery, indexed: [EventDataPath]
    ) -> (conditions: [String], values: [(any DatabaseValueConvertible)?]) {
        var conditions: [String] = []
        var values: [(any DatabaseValueConvertible)?] = []
        for (column, value) in query.filters.columns {
            conditions.append("\(column) = ?")
            values.append(value)
        }
        if let containment = query.filters.eventDataContains {
            let (sql, arguments) = SQLiteContainment.condition(column: "event_data", containsAnyOf: [containment], indexed: indexed)
            conditions.append(sql)
            values += arguments
        }
        if let member = query.filters.eventDataMember {
            let (sql, arguments) = SQLiteContainment.condition(column: "event_data", containsAnyOf: member.alternatives, indexed: indexed)
            conditions.append(sql)
            values += arguments
        }
        // Read limits: an empty list reads nothing.
        func anyOf(_ allowed: [String], _ each: String, repeats: Int = 1) {
            conditions.append(allowed.isEmpty ? "0" : "(" + Array(repeating: each, count: allowed.count).joined(separator: " OR ") + ")")
            for value in allowed { values.append(contentsOf: Array(repeating: value, count: repeats)) }
        }
        if let categories = query.readLimits.categories { anyOf(categories, "event_category = ?") }
        // substr counts characters, as length does: a prefix match whatever the collation.
        if let prefixes = query.readLimits.eventTypePrefixes { anyOf(prefixes, "substr(event_type, 1, length(?)) = ?", repeats: 2) }
        if let namespaces = query.readLimits.namespaces { anyOf(namespaces, "namespace = ?") }
        if query.excludesSensitiveEvents { conditions.append("is_sensitive = 0") }
        if let since = query.since {
            conditions.append("event_timestamp >= ?")
            values.append(since.microsecondsSinceEpoch)
        }
        if let until = query.untilExclusive {
            conditions.append("event_timestamp < ?")
            values.append(until.microsecondsSinceEpoch)
        }
        return (conditions, values)
    }
}
