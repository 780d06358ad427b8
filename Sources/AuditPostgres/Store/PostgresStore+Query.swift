public import AuditCore
import PostgresNIO

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

extension PostgresStore {
    /// One statement, so that `total` and the page come from one snapshot: the count, the
    /// page, and for each event of the page its earliest active legal hold.
    public func events(matching query: EventQuery) async throws(AuditError) -> EventPage {
        do {
            return try await withOperationTimeout {
                var events: [StoredAuditEvent] = []
                events.reserveCapacity(query.limit + 1)
                var total = 0
                for row in try await self.client.statement(Self.pageStatement(for: query), logger: self.logger) {
                    var cells = RowCells(row)
                    total = Int(try cells.next(Int64.self))
                    if let event = try Self.decodeHeldEvent(&cells) { events.append(event) }
                }
                let hasMore = events.count > query.limit
                if hasMore { events.removeLast() }
                return EventPage(events: events, total: total, hasMore: hasMore)
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "query events")
        }
    }

    public func event(id: UUID) async throws(AuditError) -> StoredAuditEvent? {
        do {
            return try await withOperationTimeout {
                let rows = try await self.client.statement(
                    """
                    SELECT \(unescaped: Self.holdColumns), p.* FROM (
                        SELECT \(unescaped: PostgresEventColumns.selectList) FROM audit_events WHERE event_id = \(id) LIMIT 1
                    ) p \(unescaped: Self.holdJoin)
                    """,
                    logger: self.logger
                )
                guard let row = rows.first else { return nil }
                var cells = RowCells(row)
                return try Self.decodeHeldEvent(&cells)
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "read the event")
        }
    }

    /// The active hold columns selected before an event's (see ``decodeHeldEvent(_:)``).
    private static let holdColumns = "hold.reason, hold.placed_by, hold.placed_at"

    /// Joins each row of `p` (an event) with its earliest active legal hold, if any.
    private static let holdJoin = """
        LEFT JOIN LATERAL (
            SELECT h.reason, h.placed_by, h.placed_at FROM auditledger_legal_hold_events le
            JOIN auditledger_legal_holds h ON h.hold_id = le.hold_id
            WHERE le.event_id = p.event_id AND h.released_at IS NULL
            ORDER BY h.placed_at, h.hold_id LIMIT 1
        ) hold ON p.event_id IS NOT NULL
        """

    /// Reads the hold columns and then an event (``eventColumns``); `nil` when the event's
    /// columns are all `NULL` (the one row of an empty page, which still carries the total).
    private static func decodeHeldEvent(_ cells: inout RowCells) throws -> StoredAuditEvent? {
        let reason = try cells.next(String?.self)
        let placedBy = try cells.next(String?.self)
        let placedAt = try cells.next(PostgresTimestamp?.self)
        guard let id = try cells.next(UUID?.self) else { return nil }
        var event = try PostgresEventColumns.decode(id: id, &cells)
        if let reason, let placedBy, let placedAt {
            event.legalHold = LegalHoldMark(reason: reason, placedBy: placedBy, placedAt: placedAt.value)
        }
        return event
    }

    /// The conditions of `query` (filters and time window, not the cursor), with their values
    /// appended to `bindings`. Only values are bound; column names come from
    /// ``EventQuery/Filters/columns`` (a fixed set), never from the request.
    static func conditions(for query: EventQuery, bindings: inout PostgresBindings) -> [String] {
        var conditions: [String] = []
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        for (column, value) in query.filters.columns {
            if column == "parent_event_id", let id = query.filters.parentEventID {
                conditions.append("parent_event_id = \(bind(id))")
            } else {
                conditions.append("\(column) = \(bind(value))")
            }
        }
        // jsonb containment: answered by the GIN index (jsonb_path_ops) on event_data.
        if let containment = query.filters.eventDataContains {
            conditions.append("event_data @> \(bind(JSONValue.object(containment).compactText))::jsonb")
        }
        if let member = query.filters.eventDataMember {
            let alternatives = member.alternatives.map { "event_data @> \(bind(JSONValue.object($0).compactText))::jsonb" }
            conditions.append("(" + alternatives.joined(separator: " OR ") + ")")
        }
        conditions += readLimitConditions(query.readLimits, bind: { bind($0) })
        if query.excludesSensitiveEvents { conditions.append("NOT is_sensitive") }
        if let since = query.since {
            conditions.append("event_timestamp >= \(bind(PostgresTimestamp(since)))")
        }
        if let until = query.untilExclusive {
            conditions.append("event_timestamp < \(bind(PostgresTimestamp(until)))")
        }
        // The partition key is event_date: bound it too, so only the window's months are read.
        let (firstDay, lastDay) = query.dateRange
        if let firstDay { conditions.append("event_date >= \(bind(PostgresDay(firstDay)))") }
        if let lastDay { conditions.append("event_date <= \(bind(PostgresDay(lastDay)))") }
        return conditions
    }

    /// ``ReadLimits`` as conditions: an empty list reads nothing.
    static func readLimitConditions(_ limits: ReadLimits, bind: (String) -> String) -> [String] {
        var conditions: [String] = []
        func anyOf(_ values: [String], _ each: (String) -> String) -> String {
            values.isEmpty ? "false" : "(" + values.map(each).joined(separator: " OR ") + ")"
        }
        if let categories = limits.categories { conditions.append(anyOf(categories) { "event_category = \(bind($0))" }) }
        if let prefixes = limits.eventTypePrefixes { conditions.append(anyOf(prefixes) { "starts_with(event_type, \(bind($0)))" }) }
        if let namespaces = limits.namespaces { conditions.append(anyOf(namespaces) { "namespace = \(bind($0))" }) }
        return conditions
    }

    /// The page's own query: conditions, cursor, order, limit (one more than asked, to tell
    /// whether more follow) and offset.
    static func pageQuery(for query: EventQuery, conditions: [String], bindings: inout PostgresBindings) -> String {
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        var pageConditions = conditions
        let direction = query.order == .ascending ? "ASC" : "DESC"
        if let cursor = query.cursor {
            let comparison = query.order == .ascending ? ">" : "<"
            pageConditions.append(
                "(event_timestamp, event_id) \(comparison) (\(bind(PostgresTimestamp(cursor.afterTimestamp))), \(bind(cursor.afterID)))"
            )
        }
        var sql = "SELECT \(PostgresEventColumns.selectList) FROM audit_events"
        if !pageConditions.isEmpty { sql += " WHERE " + pageConditions.joined(separator: " AND ") }
        sql += " ORDER BY event_timestamp \(direction), event_id \(direction)"
        sql += " LIMIT \(bind(Int64(query.limit + 1))) OFFSET \(bind(Int64(query.offset)))"
        return sql
    }

    /// The count, the page and each event's hold in one statement (one snapshot). An empty
    /// page still returns one row, carrying the count.
    static func pageStatement(for query: EventQuery) -> PostgresQuery {
        var bindings = PostgresBindings()
        let conditions = conditions(for: query, bindings: &bindings)
        let page = pageQuery(for: query, conditions: conditions, bindings: &bindings)
        let direction = query.order == .ascending ? "ASC" : "DESC"
        let countWhere = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            WITH total AS (\(query.countsTotal ? "SELECT count(*)::int8 AS n FROM audit_events\(countWhere)" : "SELECT -1::int8 AS n"))
            SELECT total.n, \(holdColumns), p.* FROM total LEFT JOIN (\(page)) p ON true \(holdJoin)
            ORDER BY p.event_timestamp \(direction), p.event_id \(direction)
            """
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}

extension PostgresStore {
    /// The partitions PostgreSQL plans to read for `query`'s page, from `EXPLAIN`: a diagnostic
    /// showing partition pruning (a time-bounded query reads only its months).
    public func partitionsRead(by query: EventQuery) async throws(AuditError) -> [String] {
        do {
            return try await withOperationTimeout {
                var bindings = PostgresBindings()
                let page = Self.pageQuery(for: query, conditions: Self.conditions(for: query, bindings: &bindings), bindings: &bindings)
                let explain = PostgresQuery(unsafeSQL: "EXPLAIN (FORMAT JSON) " + page, binds: bindings)
                var plan = ""
                for row in try await self.client.statement(explain, logger: self.logger) {
                    let text = try row.decode(String.self)
                    plan += text
                }
                var names = Set<String>()
                Self.collectRelations(in: try JSONParser.parse(plan), into: &names)
                return names.sorted()
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "explain the query")
        }
    }

    private static func collectRelations(in value: JSONValue, into names: inout Set<String>) {
        switch value {
        case .object(let object):
            for member in object.members {
                if member.key == "Relation Name", case .string(let name) = member.value { names.insert(name) }
                collectRelations(in: member.value, into: &names)
            }
        case .array(let values):
            for element in values { collectRelations(in: element, into: &names) }
        default:
            break
        }
    }
}
