import AuditCore
import AuditPostgres
import Foundation
import Logging
import PostgresNIO

/// A database of its own for one benchmark phase, created empty and migrated with
/// AuditLedger's schema (the same migrations `auditledger migrate` applies).
struct BenchDatabase: Sendable {
    let name: String
    let url: String
    let adminURL: String

    /// Creates `name` (dropping a leftover of the same name) and migrates it with `months`;
    /// with `months` nil, leaves it empty, for the server under test to migrate as `serve` does.
    static func create(adminURL: String, name: String, months: [PartitionMonth]?) async throws -> BenchDatabase {
        try await withClient(url: adminURL) { client in
            try await client.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)")
            try await client.query("CREATE DATABASE \(unescaped: name)")
        }
        guard var components = URLComponents(string: adminURL) else { throw BenchFailure("not a database URL: \(adminURL)") }
        components.path = "/\(name)"
        let database = BenchDatabase(name: name, url: components.string!, adminURL: adminURL)
        guard let months else { return database }
        let store = PostgresStore(configuration: try PostgresStoreConfiguration(url: database.url), logger: Logger(label: "bench.migrate"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            try await store.prepare()
            _ = try await store.ensureMonths(months)
        }
        return database
    }

    /// Writes every dirty page out (`CHECKPOINT`; superuser or `pg_checkpoint`, which
    /// scripts/with-postgres grants): a phase then starts with the same clean cluster as the
    /// one it is compared with, instead of paying for the WAL the phase before it wrote (a
    /// checkpoint of a few hundred megabytes falls into one phase or the other, at random).
    /// - Returns: whether it ran; without the right it is skipped, and the harness says so.
    @discardableResult
    static func checkpoint(adminURL: String) async -> Bool {
        (try? await withClient(url: adminURL) { client in try await client.query("CHECKPOINT") }) != nil
    }

    func drop() async {
        _ = try? await Self.withClient(url: adminURL) { client in
            try await client.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)")
        }
    }

    /// Runs `body` with a client of at most `connections` connections to this database.
    func withClient<Value: Sendable>(connections: Int = 4, _ body: @Sendable (PostgresClient) async throws -> Value) async throws -> Value {
        try await Self.withClient(url: url, connections: connections, body)
    }

    static func withClient<Value: Sendable>(
        url: String, connections: Int = 2, _ body: @Sendable (PostgresClient) async throws -> Value
    ) async throws -> Value {
        var configuration = try PostgresStoreConfiguration(url: url).client
        configuration.options.maximumConnections = connections
        configuration.options.minimumConnections = 0
        // As the server's write transactions do: without it, COPY and the naive INSERTs plan every
        // row's parent foreign-key check anew, and the baselines would be slower than the schema allows.
        configuration.options.additionalStartupParameters.append(("plan_cache_mode", "force_generic_plan"))
        let client = PostgresClient(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Rows, and bytes on disk of every month (heap, indexes, TOAST), and each index's share.
    func footprint() async throws -> Footprint {
        try await withClient { client in
            let rows = try await client.query("SELECT count(*)::int8 FROM audit_events").decode(Int64.self).first(where: { _ in true }) ?? 0
            let total =
                try await client.query(
                    "SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0)::int8 FROM pg_inherits WHERE inhparent = 'audit_events'::regclass"
                ).decode(Int64.self).first(where: { _ in true }) ?? 0
            var indexes: [String: Int64] = [:]
            for try await (name, bytes) in try await client.query(
                """
                SELECT parent.relname::text, sum(pg_relation_size(child.oid))::int8
                FROM pg_inherits i JOIN pg_class child ON child.oid = i.inhrelid JOIN pg_class parent ON parent.oid = i.inhparent
                WHERE parent.relkind = 'I' AND parent.relname LIKE 'audit_events%' GROUP BY 1 ORDER BY 1
                """
            ).decode((String, Int64).self) {
                indexes[name] = bytes
            }
            return Footprint(rows: rows, bytes: total, indexBytes: indexes)
        }
    }

    /// Whether the database has the log (a server from before tamper evidence migrated it otherwise).
    func hasLog() async throws -> Bool {
        try await withClient { client in
            try await client.query("SELECT to_regclass('auditledger_log') IS NOT NULL").decode(Bool.self).first(where: { _ in true }) ?? false
        }
    }

    /// Bytes on disk of the tamper-evidence tables (the log, its stored subtrees, the queue
    /// for the log, checkpoints and signing keys), and the log's entries; waits up to
    /// `drainWithin` for the queue to empty first (a server's sequencer drains it).
    func logFootprint(drainWithin: Duration = .seconds(60)) async throws -> LogFootprint {
        try await withClient { client in
            let deadline = ContinuousClock.now + drainWithin
            var pending: Int64 = 0
            repeat {
                pending =
                    try await client.query("SELECT count(*)::int8 FROM auditledger_log_pending").decode(Int64.self).first(where: { _ in true }) ?? 0
                if pending == 0 { break }
                try await Task.sleep(for: .milliseconds(500))
            } while ContinuousClock.now < deadline
            let entries = try await client.query("SELECT count(*)::int8 FROM auditledger_log").decode(Int64.self).first(where: { _ in true }) ?? 0
            var tables: [String: Int64] = [:]
            for try await (name, bytes) in try await client.query(
                """
                SELECT relname::text, pg_total_relation_size(oid)::int8 FROM pg_class
                WHERE relkind = 'r' AND relname IN ('auditledger_log', 'auditledger_log_nodes', 'auditledger_log_pending',
                    'auditledger_checkpoints', 'auditledger_signing_keys')
                """
            ).decode((String, Int64).self) {
                tables[name] = bytes
            }
            return LogFootprint(entries: entries, pendingLeft: pending, tableBytes: tables)
        }
    }

    /// `SHOW server_version`.
    func serverVersion() async throws -> String {
        try await withClient { client in
            try await client.query("SHOW server_version").decode(String.self).first(where: { _ in true }) ?? "?"
        }
    }
}

/// What a month's worth of storage costs.
struct Footprint: Sendable, Codable {
    var rows: Int64
    var bytes: Int64
    var indexBytes: [String: Int64]

    var bytesPerEvent: Double { rows == 0 ? 0 : Double(bytes) / Double(rows) }
}

/// What the tamper-evidence tables cost (``BenchDatabase/logFootprint(drainWithin:)``).
struct LogFootprint: Sendable, Codable {
    var entries: Int64
    /// Events still queued for the log when it was measured (0 when the sequencer caught up).
    var pendingLeft: Int64
    var tableBytes: [String: Int64]

    var bytes: Int64 { tableBytes.values.reduce(0, +) }
    var bytesPerEntry: Double { entries == 0 ? 0 : Double(bytes) / Double(entries) }
}
