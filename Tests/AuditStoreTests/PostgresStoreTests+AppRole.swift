import AuditPostgres
import AuditTesting
import Foundation
import Logging
import PostgresNIO
import Testing

extension PostgresStoreTests {
    /// Runs `body` with a fresh database, a running store as its owner (prepared), and a running
    /// store as a new login role granted what serving needs (`grantAppRole`), with that role's
    /// URL. The database and the role are dropped afterwards, whatever the outcome.
    static func withOwnerAndAppRole(
        _ body: (_ database: PostgresTestDatabase, _ owner: PostgresStore, _ app: PostgresStore, _ appURL: String) async throws -> Void
    ) async throws {
        let database = try await PostgresTestDatabase.create()
        let role = "al_app_" + UUID().uuidString.lowercased().prefix(8)
        do {
            try await retryingSharedCatalog {
                _ = try await database.withClient { admin in try await admin.query("CREATE ROLE \(unescaped: role) LOGIN PASSWORD 'app'") }
            }
            var ownerConfiguration = try PostgresStoreConfiguration(url: database.url)
            ownerConfiguration.connectionLeaseTimeout = .seconds(10)
            let owner = PostgresStore(configuration: ownerConfiguration, logger: Logger(label: "test.owner"))
            var components = try #require(URLComponents(string: database.url))
            components.user = role
            components.password = "app"
            let appURL = try #require(components.string)
            var appConfiguration = try PostgresStoreConfiguration(url: appURL)
            appConfiguration.connectionLeaseTimeout = .seconds(10)
            let app = PostgresStore(configuration: appConfiguration, logger: Logger(label: "test.app"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await owner.run() }
                group.addTask { try await app.run() }
                defer { group.cancelAll() }
                try await owner.prepare()
                try await owner.grantAppRole(role)
                try await body(database, owner, app, appURL)
            }
        } catch {
            await database.drop()
            try? await dropRole(role)
            throw error
        }
        await database.drop()
        try await dropRole(role)
    }

    /// The SQLSTATE with which the server at `url` refuses `sql`, or `nil` if it runs it.
    /// A failure without a server answer (a connection refused under load) is tried again.
    static func sqlState(of sql: String, at url: String) async throws -> String? {
        var attempt = 1
        while true {
            let tries = attempt
            let answer: String?? = try await PostgresTestDatabase.withClient(url: url) { client in
                do {
                    try await client.query(PostgresQuery(unsafeSQL: sql))
                    return .some(nil)
                } catch let error as PSQLError {
                    guard let state = error.serverInfo?[.sqlState] else {
                        if tries < 12 { return nil }
                        throw RoleStepFailed(attempts: tries, underlying: String(reflecting: error))
                    }
                    return .some(state)
                }
            }
            if let answer { return answer }
            try await Task.sleep(for: .milliseconds(250 * min(attempt, 8)))
            attempt += 1
        }
    }

    static func dropRole(_ role: String) async throws {
        try await retryingSharedCatalog {
            _ = try await PostgresTestDatabase.withClient(url: try TestEnvironment.requirePostgresURL()) { admin in
                try await admin.query("DROP ROLE IF EXISTS \(unescaped: role)")
            }
        }
    }

    /// Runs `body` until PostgreSQL takes it, for up to about 15 s: roles live in catalogs every
    /// database shares, and suites running at once create, grant and drop roles concurrently,
    /// which PostgreSQL can answer with "tuple concurrently updated"; and under the parallel
    /// suites of a fresh CI a new connection can be refused for a while. A CI run failed here
    /// twice with a bare `PSQLError` whose text PostgresNIO hides, so the last failure is
    /// rethrown with what the server said (SQLSTATE and message: test code, test data only).
    static func retryingSharedCatalog(_ body: () async throws -> Void) async throws {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch {
                guard attempt < 12 else { throw RoleStepFailed(attempts: attempt, underlying: String(reflecting: error)) }
                try await Task.sleep(for: .milliseconds(250 * min(attempt, 8)))
                attempt += 1
            }
        }
    }
}

/// A role statement PostgreSQL still refused after every attempt, with what it said.
struct RoleStepFailed: Error, CustomStringConvertible {
    let attempts: Int
    let underlying: String
    var description: String { "refused \(attempts) times; last: \(underlying)" }
}
