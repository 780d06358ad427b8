public import AuditPostgres
import Logging

extension PostgresHarness {
    /// The URL of a database nobody serves: port 1 on loopback, where every connection is
    /// refused. Its password, `secret`, must never show in an error.
    public static let unreachableURL = "postgres://auditor:secret@127.0.0.1:1/audit?sslmode=disable"

    /// Runs `body` with a store of ``unreachableURL`` whose connection pool is running, so that
    /// every operation fails as the pool gives up; needs no PostgreSQL.
    /// - Parameter operationTimeout: the store's operation timeout (default 1 s).
    public static func withUnreachableStore<Value: Sendable>(
        operationTimeout: Duration = .seconds(1), _ body: @Sendable (PostgresStore) async throws -> Value
    ) async throws -> Value {
        var configuration = try PostgresStoreConfiguration(url: unreachableURL)
        configuration.operationTimeout = operationTimeout
        let store = PostgresStore(configuration: configuration, logger: Logger(label: "test.unreachable"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }
}
