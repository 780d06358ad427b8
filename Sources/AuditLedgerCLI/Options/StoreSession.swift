import ArgumentParser
import AuditCore
import Logging
import ServiceLifecycle

extension StoreOptions {
    /// Opens the configured store, runs its services, prepares it (migrations, months ahead),
    /// runs `body`, then stops the services.
    func withPreparedStore<Value: Sendable>(
        logger: Logger,
        _ body: @Sendable (Selection) async throws -> Value
    ) async throws -> Value {
        // A command has no spool to fall back on: it waits for a busy database's connection (10 s) rather than fail in 1 s.
        let selection = try makeStore(logger: logger, connectionLeaseTimeout: .seconds(10))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for service in selection.services {
                group.addTask { try await service.run() }
            }
            defer { group.cancelAll() }
            // Let the services (the connection pool) start before the first query.
            await Task.yield()
            try await selection.store.prepare()
            return try await body(selection)
        }
    }
}
