public import AuditCore
import PostgresNIO

extension PostgresStore {
    /// One statement: the window's rows (through the time index and the window's partitions),
    /// grouped with `percentile_disc` for the percentiles; the totals over every group are
    /// window aggregates computed before the limit.
    public func stats(_ query: StatsQuery) async throws(AuditError) -> EventStats {
        do {
            let stats = try await withOperationTimeout {
                var groups: [EventStats.Group] = []
                var totals = (groups: 0, events: 0, failures: 0)
                for row in try await self.client.statement(Self.statsStatement(for: query), logger: self.logger) {
                    var cells = RowCells(row)
                    let key = try cells.next(String?.self)
                    let count = Int(try cells.next(Int64.self))
                    let failures = Int(try cells.next(Int64.self))
                    let measured = Int(try cells.next(Int64.self))
                    let percentiles = try cells.next([Double]?.self) ?? []
                    let minimum = try cells.next(Double?.self)
                    let maximum = try cells.next(Double?.self)
                    totals = (Int(try cells.next(Int64.self)), Int(try cells.next(Int64.self)), Int(try cells.next(Int64.self)))
                    groups.append(
                        EventStats.Group(
                            key: key, count: count, failures: failures, measured: measured, percentiles: measured == 0 ? [] : percentiles,
                            minimum: minimum, maximum: maximum))
                }
                return EventStats(groups: groups, totalGroups: totals.groups, totalEvents: totals.events, totalFailures: totals.failures)
            }
            // The same bound as the stores that tally groups in memory.
            guard stats.totalGroups <= query.maximumGroups else { throw StatsQuery.tooManyGroups(query.maximumGroups) }
            return stats
        } catch {
            throw PostgresFailure.translate(error, operation: "compute the stats")
        }
    }

    /// Only values are bound; the group column comes from ``StatsQuery/groupColumns`` (a fixed
    /// list) and an `event_data` path is bound as a `text[]`.
    static func statsStatement(for query: StatsQuery) -> PostgresQuery {
        var bindings = PostgresBindings()
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }
        var conditions = conditions(for: query.events, bindings: &bindings)
        let key: String
        switch query.groupBy {
        case .column(let column):
            precondition(StatsQuery.groupColumns.contains(column), "not a group column")
            key = "\(column)::text"
        case .eventData(let path):
            let member = "(event_data #> \(bind(path.textSegments))::text[])"
            key = "CASE WHEN jsonb_typeof\(member) IN ('string', 'number', 'boolean') THEN \(member)::text END"
        }
        let measure: String
        switch query.measure {
        case .durationMS:
            measure = "duration_ms::float8"
        case .eventData(let path):
            let segments = bind(path.textSegments)
            measure = "CASE WHEN jsonb_typeof(event_data #> \(segments)::text[]) = 'number' THEN (event_data #>> \(segments)::text[])::float8 END"
        }
        if let atLeast = query.measureAtLeast { conditions.append("(\(measure)) >= \(bind(atLeast))") }
        if let below = query.measureBelow { conditions.append("(\(measure)) < \(bind(below))") }
        let percentiles = StatsQuery.percentiles.map { String($0) }.joined(separator: ", ")
        let sql = """
            WITH m AS (
                SELECT \(key) AS k, event_outcome = 'failure' AS failed, \(measure) AS v FROM audit_events
                WHERE \(conditions.isEmpty ? "true" : conditions.joined(separator: " AND "))
            ), g AS (
                SELECT k, count(*)::int8 AS n, (count(*) FILTER (WHERE failed))::int8 AS f, count(v)::int8 AS measured,
                    percentile_disc(ARRAY[\(percentiles)]::float8[]) WITHIN GROUP (ORDER BY v) AS p, min(v) AS lo, max(v) AS hi
                FROM m GROUP BY k
            )
            SELECT k, n, f, measured, p, lo, hi, (count(*) OVER ())::int8, (sum(n) OVER ())::int8, (sum(f) OVER ())::int8
            FROM g ORDER BY n DESC, k COLLATE "C" ASC NULLS LAST LIMIT \(bind(Int64(query.limit)))
            """
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}
