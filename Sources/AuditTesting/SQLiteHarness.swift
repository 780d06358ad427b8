public import AuditCore
public import AuditSQLite
public import Foundation
import GRDB
import Logging

/// A ``SQLiteStore`` on a file of its own in a temporary directory, prepared, with a separate
/// connection for looking behind the store's back (as another process would).
public struct SQLiteHarness: StoreHarness {
    /// The directory holding the database file; removed after the run.
    public let directory: String
    public let sqlite: SQLiteStore
    let outside: DatabaseQueue

    public var store: any AuditLifecycleStore { sqlite }

    /// Creates a store in a new temporary directory, runs `body`, then removes the directory.
    public static func run<Value: Sendable>(
        configure: @Sendable (inout SQLiteStoreConfiguration) -> Void = { _ in },
        _ body: @Sendable (SQLiteHarness) async throws -> Value
    ) async throws -> Value {
        let directory = NSTemporaryDirectory() + "auditledger-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = SQLiteStoreConfiguration(path: SQLiteStoreConfiguration.file(inDirectory: directory))
        configure(&configuration)
        let store = try SQLiteStore(configuration: configuration, logger: Logger(label: "test.sqlite"))
        try await store.prepare()
        var settings = Configuration()
        settings.busyMode = .timeout(5)
        // withWritesBlocked holds a transaction open across calls, as another process would.
        settings.allowsUnsafeTransactions = true
        let outside = try DatabaseQueue(path: configuration.path, configuration: settings)
        return try await body(SQLiteHarness(directory: directory, sqlite: store, outside: outside))
    }

    public func storageMonths() async throws -> [PartitionMonth] {
        try await sqlite.months()
    }

    public func storedRowText(eventID: UUID) async throws -> String {
        let tables = try await storageMonths().map(\.partitionName)
        return try await outside.read { db in
            try tables.flatMap { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE event_id = ?", arguments: [eventID.uuidString.lowercased()]).map { row in
                    row.databaseValues.map(\.description).joined(separator: "\t")
                }
            }.joined(separator: "\n")
        }
    }

    public func rowCount(eventID: UUID) async throws -> Int {
        let tables = try await storageMonths().map(\.partitionName)
        return try await outside.read { db in
            try tables.reduce(0) { total, table in
                total
                    + (try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table) WHERE event_id = ?", arguments: [eventID.uuidString.lowercased()])
                        ?? 0)
            }
        }
    }

    public func monthsRead(by query: EventQuery) async throws -> [PartitionMonth] {
        try await sqlite.tablesRead(by: query).compactMap(PostgresHarness.month(fromPartition:))
    }

    public func withWritesBlocked<Value: Sendable>(_ body: @Sendable () async throws -> Value) async throws -> Value {
        try await outside.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let result: Result<Value, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        try await outside.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
        return try result.get()
    }

    public func rejectInserts(ofEventType eventType: String) async throws {
        let tables = try await storageMonths().map(\.partitionName)
        try await outside.write { db in
            for table in tables {
                // Triggers cannot take bound parameters; the type is quoted as an SQL literal.
                let literal = "'" + eventType.replacingOccurrences(of: "'", with: "''") + "'"
                try db.execute(
                    sql: "CREATE TRIGGER \(table)_test_reject BEFORE INSERT ON \(table) WHEN NEW.event_type = \(literal) "
                        + "BEGIN SELECT RAISE(ABORT, 'rejected by the test'); END"
                )
            }
        }
    }

    public func directMutations(of event: AuditEvent) -> [DirectMutation] {
        let id = event.id.uuidString.lowercased()
        let day = event.date.description
        let table = event.date.month.partitionName
        var mutations = [
            mutation("DELETE FROM \(table) WHERE event_id = ?", .deleteByID, true, "DELETE FROM \(table) WHERE event_id = ?", [id]),
            mutation(
                "DELETE FROM \(table) WHERE event_id = ? AND event_date = ?", .deleteByIDAndDate, true,
                "DELETE FROM \(table) WHERE event_id = ? AND event_date = ?", [id, day]
            ),
            mutation("DELETE FROM \(table) (no WHERE)", .deleteAll, true, "DELETE FROM \(table)", []),
            mutation(
                "DELETE FROM audit_events WHERE event_id = ? (the view)", .deleteByID, false, "DELETE FROM audit_events WHERE event_id = ?", [id]),
            mutation(
                "DELETE FROM audit_events WHERE event_id = ? AND event_date = ? (the view)", .deleteByIDAndDate, false,
                "DELETE FROM audit_events WHERE event_id = ? AND event_date = ?", [id, day]
            ),
            mutation("DELETE FROM audit_events (the view, no WHERE)", .deleteAll, false, "DELETE FROM audit_events", []),
            mutation(
                "UPDATE audit_events SET event_type (the view)", .update(column: "event_type"), false,
                "UPDATE audit_events SET event_type = 'tampered' WHERE event_id = ?", [id]
            ),
            mutation(
                "INSERT OR REPLACE with the same event_id", .other, true,
                "INSERT OR REPLACE INTO \(table) SELECT event_id, event_version, event_timestamp, event_date, 'tampered', event_category, "
                    + "event_action, event_outcome, actor_type, actor_id, actor_ip, resource_type, resource_id, correlation_id, "
                    + "parent_event_id, parent_event_date, namespace, cluster_id, severity, duration_ms, error_code, error_message, "
                    + "retention_days, is_sensitive, event_data, insert_seq, written_by, event_hash, hash_algorithm FROM \(table) WHERE event_id = ?",
                [id]
            ),
            mutation(
                "INSERT … ON CONFLICT DO UPDATE", .other, true,
                "INSERT INTO \(table) SELECT * FROM \(table) WHERE event_id = ? ON CONFLICT (event_id) DO UPDATE SET event_type = 'tampered'",
                [id]
            ),
        ]
        for (column, value) in Self.columnChanges {
            mutations.append(
                mutation(
                    "UPDATE \(table) SET \(column) WHERE event_id = ?", .update(column: column), true,
                    "UPDATE \(table) SET \(column) = \(value) WHERE event_id = ?", [id]
                )
            )
            mutations.append(
                mutation(
                    "UPDATE \(table) SET \(column) WHERE event_id = ? AND event_date = ?", .update(column: column), true,
                    "UPDATE \(table) SET \(column) = \(value) WHERE event_id = ? AND event_date = ?",
                    [id, day]
                )
            )
        }
        return mutations
    }

    /// Every column with a new value for it; each UPDATE must be refused.
    static let columnChanges: [(column: String, value: String)] = [
        ("event_id", "'00000000-0000-0000-0000-000000000001'"), ("event_version", "'9.9'"), ("event_timestamp", "event_timestamp + 1"),
        ("event_date", "'1999-01-01'"), ("event_type", "'tampered'"), ("event_category", "'tampered'"), ("event_action", "'tampered'"),
        ("event_outcome", "'failure'"), ("actor_type", "'tampered'"), ("actor_id", "'tampered'"), ("actor_ip", "'10.9.9.9'"),
        ("resource_type", "'tampered'"), ("resource_id", "'tampered'"), ("correlation_id", "'tampered'"), ("parent_event_id", "NULL"),
        ("parent_event_date", "NULL"), ("namespace", "'tampered'"), ("cluster_id", "'tampered'"), ("severity", "'tampered'"),
        ("duration_ms", "7"), ("error_code", "'tampered'"), ("error_message", "'tampered'"), ("retention_days", "1"),
        ("is_sensitive", "1 - is_sensitive"), ("event_data", #"'{"tampered": true}'"#), ("insert_seq", "insert_seq + 1"),
        ("written_by", "'tampered'"),
        ("event_hash", "'" + String(repeating: "0", count: 64) + "'"), ("hash_algorithm", "'md5'"),
    ]

    public func directMonthRemovals(_ month: PartitionMonth) -> [DirectMutation] {
        [mutation("DROP TABLE \(month.partitionName)", .other, true, "DROP TABLE \(month.partitionName)", [])]
    }

    public func directQuarantineChanges(id: Int64) -> [DirectMutation] {
        [
            ("UPDATE auditledger_quarantine SET events", "UPDATE auditledger_quarantine SET events = '[]' WHERE quarantine_id = ?"),
            ("UPDATE auditledger_quarantine SET reason", "UPDATE auditledger_quarantine SET reason = 'x' WHERE quarantine_id = ?"),
            (
                "UPDATE auditledger_quarantine SET resolution (already resolved)",
                "UPDATE auditledger_quarantine SET resolution = 'changed' WHERE quarantine_id = ?"
            ),
            ("DELETE FROM auditledger_quarantine", "DELETE FROM auditledger_quarantine WHERE quarantine_id = ?"),
        ].map { description, sql in mutation(description, .other, false, sql, [String(id)]) }
    }

    public func directLogChanges() -> [DirectMutation] {
        [
            ("auditledger_log", "event_hash = 'x'"), ("auditledger_checkpoints", "note = 'x'"),
            ("auditledger_log_nodes", "node_index = node_index + 1"),
            ("auditledger_signing_keys", "verifier_key = 'x'"),
        ]
        .flatMap { table, change in [("UPDATE \(table)", "UPDATE \(table) SET \(change)"), ("DELETE FROM \(table)", "DELETE FROM \(table)")] }
        .map { description, sql in mutation(description, .other, false, sql, []) }
    }

    private func mutation(
        _ description: String,
        _ kind: DirectMutation.Kind,
        _ namesMonth: Bool,
        _ sql: String,
        _ arguments: [String]
    ) -> DirectMutation {
        DirectMutation(description, kind: kind, namesMonth: namesMonth) { [outside] in
            do {
                let changed = try await outside.write { db in
                    try db.execute(sql: sql, arguments: StatementArguments(arguments))
                    return db.changesCount
                }
                return .executed(rows: changed)
            } catch let error as DatabaseError {
                // The triggers' RAISE(ABORT, …), or SQLite refusing to modify a view.
                let message = error.message ?? ""
                if message.contains("audit events are immutable") || message.contains("because it is a view")
                    || message.contains("the quarantine is append-only") || message.contains("the audit log is append-only")
                {
                    return .refused
                }
                return .failed(message)
            } catch {
                return .failed("\(error)")
            }
        }
    }
}
