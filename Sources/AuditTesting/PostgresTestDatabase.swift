import AuditPostgres
import Foundation
import Logging
public import PostgresNIO

/// A database of its own for one test, created on the server `AUDITLEDGER_TEST_DATABASE_URL`
/// names and dropped afterwards, so tests running in parallel never see each other's rows.
public struct PostgresTestDatabase: Sendable {
    /// The database name, `al_test_<random>`.
    public let name: String
    /// A URL for this database, same role and server as the test URL.
    public let url: String

    /// Creates an empty database.
    public static func create() async throws -> PostgresTestDatabase {
        let database = try reserve()
        try await database.createOnServer()
        return database
    }

    /// A fresh name and its URL, without creating the database: for tests of a database that
    /// appears late. ``createOnServer()`` creates it; ``drop()`` is safe either way.
    public static func reserve() throws -> PostgresTestDatabase {
        let base = try TestEnvironment.requirePostgresURL()
        let name = "al_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        guard var components = URLComponents(string: base) else { throw URLError(.badURL) }
        components.path = "/\(name)"
        return PostgresTestDatabase(name: String(name), url: components.string!)
    }

    /// Creates this (reserved) database, empty.
    public func createOnServer() async throws {
        _ = try await Self.withClient(url: try TestEnvironment.requirePostgresURL()) { client in
            try await client.query("CREATE DATABASE \(unescaped: name)")
        }
    }

    /// Drops the database, closing any connection still open to it. A refusal (a connection
    /// refused while the parallel suites hold many) is tried again, up to five times; a database
    /// left behind only costs disk, but its grants would keep a test's role from being dropped.
    public func drop() async {
        guard let base = TestEnvironment.postgresURL else { return }
        for attempt in 1...5 {
            do {
                _ = try await Self.withClient(url: base) { client in
                    try await client.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)")
                }
                return
            } catch {
                try? await Task.sleep(for: .milliseconds(300 * attempt))
            }
        }
    }

    /// Runs `body` with a client connected to this database (bypassing any store).
    public func withClient<Value: Sendable>(_ body: @Sendable (PostgresClient) async throws -> Value) async throws -> Value {
        try await Self.withClient(url: url, body)
    }

    /// Runs `body` with a running client for `url`.
    public static func withClient<Value: Sendable>(url: String, _ body: @Sendable (PostgresClient) async throws -> Value) async throws -> Value {
        var configuration = try PostgresStoreConfiguration(url: url).client
        configuration.options.maximumConnections = 2
        let client = PostgresClient(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
