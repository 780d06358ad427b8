public import AuditCore
import GRDB

extension SQLiteStore {
    /// SQLite has no percentile aggregate: the window's rows of each month (read through its
    /// indexes, one read transaction) are tallied by a ``AuditCore/StatsAccumulator``. Memory
    /// grows with the measured events of the window, which ``AuditCore/StatsQuery`` bounds.
    public func stats(_ query: StatsQuery) async throws(AuditError) -> EventStats {
        do {
            let paths = configuration.indexedEventDataPaths
            return try await pool.read { db in
                var accumulator = StatsAccumulator(maximumGroups: query.maximumGroups)
                let months = try Self.monthsCovering(query.events, in: db)
                for month in months {
                    let (sql, arguments) = Self.statsSelect(for: query, table: month.partitionName, indexed: paths)
                    let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
                    while let row = try rows.next() {
                        try accumulator.add(key: row[0], failed: row[1], measure: row[2])
                    }
                }
                return accumulator.result(limit: query.limit)
            }
        } catch {
            throw SQLiteFailure.translate(error, operation: "compute the stats")
        }
    }

    /// Each matching row's group key (a column, or an `event_data` member's JSON text when
    /// it is a string, number or boolean), whether it failed, and its measure. Only values are
    /// bound; the column comes from ``AuditCore/StatsQuery/groupColumns``, the table from the
    /// store's month list.
    static func statsSelect(for query: StatsQuery, table: String, indexed: [EventDataPath]) -> (String, StatementArguments) {
        var (conditions, values) = conditions(for: query.events, indexed: indexed)
        var selectValues: [(any DatabaseValueConvertible)?] = []
        let key: String
        switch query.groupBy {
        case .column(let column):
            precondition(StatsQuery.groupColumns.contains(column), "not a group column")
            key = column
        case .eventData(let path):
            key = "CASE WHEN json_type(event_data, ?) IN ('text', 'integer', 'real', 'true', 'false') THEN event_data -> ? END"
            selectValues += [path.sqlitePath, path.sqlitePath]
        }
        let measure: String
        var measureValues: [(any DatabaseValueConvertible)?] = []
        switch query.measure {
        case .durationMS:
            measure = "CAST(duration_ms AS REAL)"
        case .eventData(let path):
            measure = "CASE WHEN json_type(event_data, ?) IN ('integer', 'real') THEN CAST(json_extract(event_data, ?) AS REAL) END"
            measureValues = [path.sqlitePath, path.sqlitePath]
        }
        selectValues += measureValues
        if let atLeast = query.measureAtLeast {
            conditions.append("(\(measure)) >= ?")
            values += measureValues + [atLeast]
        }
        if let below = query.measureBelow {
            conditions.append("(\(measure)) < ?")
            values += measureValues + [below]
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(key), event_outcome = 'failure', \(measure) FROM \(table)\(whereClause)"
        return (sql, StatementArguments(selectValues + values))
    }
}
