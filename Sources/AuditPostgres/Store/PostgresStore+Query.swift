public import AuditCore
import PostgresNIO

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

extension PostgresStore {
    public func events(matching query: EventQuery) async throws(AuditError) -> EventPage {
        do {
            return try await withOperationTimeout {
                var page = PostgresQuery(unsafeSQL: "")
                var count = PostgresQuery(unsafeSQL: "")
                Self.buildQueries(for: query, page: &page, count: &count)
                var events: [StoredAuditEvent] = []
                events.reserveCapacity(query.limit + 1)
                for row in try await self.client.statement(page, logger: self.logger) {
                    events.append(try Self.decodeEvent(row))
                }
                let total = try await self.client.statement(count, logger: self.logger).first?.decode(Int.self) ?? 0
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
                    "SELECT \(unescaped: Self.eventColumns) FROM audit_events WHERE event_id = \(id) LIMIT 1",
                    logger: self.logger
                )
                return try rows.first.map(Self.decodeEvent)
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "read the event")
        }
    }

    /// Builds the page query and its count query. Only values are bound; column names come
    /// from ``EventQuery/Filters/columns`` (a fixed set), never from the request.
    static func buildQueries(for query: EventQuery, page: inout PostgresQuery, count: inout PostgresQuery) {
        var bindings = PostgresBindings()
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
        if let containment = query.filters.eventDataContains {
            // jsonb containment: answered by the GIN index (jsonb_path_ops) on event_data.
            conditions.append("event_data @> \(bind(JSONValue.object(containment).compactText))::jsonb")
        }
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

        let countSQL = "SELECT count(*) FROM audit_events" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
        count = PostgresQuery(unsafeSQL: countSQL, binds: bindings)

        var pageConditions = conditions
        let direction = query.order == .ascending ? "ASC" : "DESC"
        if let cursor = query.cursor {
            let comparison = query.order == .ascending ? ">" : "<"
            pageConditions.append(
                "(event_timestamp, event_id) \(comparison) (\(bind(PostgresTimestamp(cursor.afterTimestamp))), \(bind(cursor.afterID)))"
            )
        }
        var sql = "SELECT \(eventColumns) FROM audit_events"
        if !pageConditions.isEmpty { sql += " WHERE " + pageConditions.joined(separator: " AND ") }
        sql += " ORDER BY event_timestamp \(direction), event_id \(direction)"
        sql += " LIMIT \(bind(Int64(query.limit + 1))) OFFSET \(bind(Int64(query.offset)))"
        page = PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}

extension PostgresStore {
    /// The partitions PostgreSQL plans to read for `query`'s page, from `EXPLAIN`: a diagnostic
    /// showing partition pruning (a time-bounded query reads only its months).
    public func partitionsRead(by query: EventQuery) async throws(AuditError) -> [String] {
        do {
            return try await withOperationTimeout {
                var page = PostgresQuery(unsafeSQL: "")
                var count = PostgresQuery(unsafeSQL: "")
                Self.buildQueries(for: query, page: &page, count: &count)
                let explain = PostgresQuery(unsafeSQL: "EXPLAIN (FORMAT JSON) " + page.sql, binds: page.binds)
                var plan = ""
                for try await text in try await self.client.query(explain, logger: self.logger).decode(String.self) {
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
