public import AuditCore
public import AuditPostgres
public import Foundation
public import Logging
public import PostgresNIO

/// A ``PostgresStore`` on a database of its own, prepared, with an owner-role client for
/// looking behind the store's back.
public struct PostgresHarness: StoreHarness {
    public let database: PostgresTestDatabase
    public let postgres: PostgresStore
    let client: PostgresClient

    public var store: any AuditLifecycleStore { postgres }

    /// Creates a database, runs a prepared store on it during `body`, then drops the database.
    /// - Parameters:
    ///   - configure: adjusts the store configuration (defaults: 3 months ahead, 4 connections,
    ///     a 10 s connection lease timeout, a 60 s operation timeout).
    ///   - logger: the store's logger (default: label `test.postgres`, the bootstrap's handler).
    public static func run<Value: Sendable>(
        configure: @Sendable (inout PostgresStoreConfiguration) -> Void = { _ in },
        logger: Logger = Logger(label: "test.postgres"),
        _ body: @Sendable (PostgresHarness) async throws -> Value
    ) async throws -> Value {
        let database = try await PostgresTestDatabase.create()
        do {
            var configuration = try PostgresStoreConfiguration(url: database.url)
            configuration.client.options.maximumConnections = 4
            // The production 1 s lease bound spools writes while a new connection is slow to
            // come; on a test machine loaded with parallel suites that would stand in for the
            // behaviour under test. Tests of the bound configure it themselves.
            configuration.connectionLeaseTimeout = .seconds(10)
            // Likewise the 10 s operation timeout: PostgreSQL shared by the parallel suites of a
            // fresh CI has stalled longer than that (a write waiting on a test's lock, once).
            configuration.operationTimeout = .seconds(60)
            configure(&configuration)
            let store = PostgresStore(configuration: configuration, logger: logger)
            var adminConfiguration = try PostgresStoreConfiguration(url: database.url).client
            adminConfiguration.options.maximumConnections = 2
            let client = PostgresClient(configuration: adminConfiguration)
            let value = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                try await store.prepare()
                return try await body(PostgresHarness(database: database, postgres: store, client: client))
            }
            await database.drop()
            return value
        } catch {
            await database.drop()
            throw error
        }
    }

    /// Runs one SQL statement as the database owner, bypassing the store.
    public func execute(_ query: PostgresQuery) async throws {
        try await client.query(query)
    }

    /// Runs a query as the database owner and decodes its single-column rows.
    public func values<Value: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: Value.Type) async throws -> [Value] {
        var values: [Value] = []
        for try await value in try await client.query(query).decode(Value.self) {
            values.append(value)
        }
        return values
    }

    public func storageMonths() async throws -> [PartitionMonth] {
        let names = try await values(
            """
            SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1
            """,
            as: String.self
        )
        return names.compactMap(Self.month(fromPartition:))
    }

    public func rowCount(eventID: UUID) async throws -> Int {
        try await values("SELECT count(*)::int8 FROM audit_events WHERE event_id = \(eventID)", as: Int.self).first ?? 0
    }

    public func storedRowText(eventID: UUID) async throws -> String {
        try await values("SELECT row_to_json(e)::text FROM audit_events e WHERE event_id = \(eventID)", as: String.self).joined(separator: "\n")
    }

    public func monthsRead(by query: EventQuery) async throws -> [PartitionMonth] {
        try await postgres.partitionsRead(by: query).compactMap(Self.month(fromPartition:))
    }

    public func withWritesBlocked<Value: Sendable>(_ body: @Sendable () async throws -> Value) async throws -> Value {
        try await withLock("LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE", body)
    }

    /// Runs `body` while another session holds `auditledger_log` in EXCLUSIVE mode: the log
    /// reads, nothing is appended to it.
    public func withLogLocked<Value: Sendable>(_ body: @Sendable () async throws -> Value) async throws -> Value {
        try await withLock("LOCK TABLE auditledger_log IN EXCLUSIVE MODE", body)
    }

    private func withLock<Value: Sendable>(_ statement: String, _ body: @Sendable () async throws -> Value) async throws -> Value {
        try await database.withClient { admin in
            try await admin.withConnection { connection in
                let logger = Logger(label: "test.lock")
                // `statement`, never `query`: on a session the server has ended, `query` waits for ever.
                try await connection.statement("BEGIN", logger: logger)
                try await connection.statement(PostgresQuery(unsafeSQL: statement), logger: logger)
                let result: Result<Value, any Error>
                do {
                    result = .success(try await body())
                } catch {
                    result = .failure(error)
                }
                try await connection.statement("COMMIT", logger: logger)
                return try result.get()
            }
        }
    }

    public func rejectInserts(ofEventType eventType: String) async throws {
        try await execute(
            """
            CREATE FUNCTION test_reject_insert() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.event_type = TG_ARGV[0] THEN
                    RAISE EXCEPTION 'rejected by the test' USING ERRCODE = 'check_violation', CONSTRAINT = 'test_reject_insert';
                END IF;
                RETURN NEW;
            END $$
            """
        )
        try await execute(
            "CREATE TRIGGER test_reject_insert BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION test_reject_insert(\(unescaped: "'" + eventType.replacingOccurrences(of: "'", with: "''") + "'"))"
        )
    }

    /// `audit_events_2025_07` → 2025-07.
    static func month(fromPartition name: String) -> PartitionMonth? {
        let parts = name.split(separator: "_")
        guard parts.count == 4, let year = Int(parts[2]), let month = Int(parts[3]) else { return nil }
        return PartitionMonth(year: year, month: month)
    }
}
