import AuditCore
package import Logging
package import PostgresNIO
import Synchronization

extension MeteredClient {
    /// Runs `body` on one pooled connection between `BEGIN` and `COMMIT` (see
    /// ``PostgresNIO/PostgresConnection/auditTransaction(logger:_:)``).
    func auditTransaction<Value: Sendable>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        try await withConnection(isolation: isolation) { connection in
            try await connection.auditTransaction(logger: logger, isolation: isolation, body)
        }
    }
}

extension MeteredClient {
    /// Runs `body` on a pooled connection (between `BEGIN` and `COMMIT`), or fails with
    /// `unavailable` when the pool hands out no connection within `leaseTimeout`.
    ///
    /// The pool retries refused connections for as long as a lease waits, so without a bound
    /// the first write after the database went away waited for the whole operation timeout
    /// before it could be spooled. Once the connection is handed out, `body` is not limited here
    /// (the caller's operation timeout still is). Should the lease arrive just as the timer
    /// fires, `body` still runs to its end: the write is then also spooled and replayed, which
    /// stores it once, since writes are idempotent by `event_id`.
    func auditTransaction<Value: Sendable>(
        leaseTimeout: Duration,
        logger: Logger,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        let leased = LeaseFlag()
        return try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask {
                try await self.withConnection { connection in
                    leased.set()
                    return try await connection.auditTransaction(logger: logger) { connection in try await body(connection) }
                }
            }
            group.addTask {
                try await Task.sleep(for: leaseTimeout)
                guard leased.isSet else {
                    self.leaseTimedOut()
                    throw AuditError(
                        .unavailable, detail: "the database gave no connection within \(leaseTimeout) (it is unreachable or saturated)",
                        retryAfterSeconds: 5)
                }
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let value = result { return value }
            }
            throw CancellationError()
        }
    }

    /// Runs `query` on a pooled connection through ``PostgresNIO/PostgresConnection/statement(_:logger:)``,
    /// so that a connection closing under it fails the query instead of leaving it unanswered.
    @discardableResult
    func statement(_ query: PostgresQuery, logger: Logger) async throws -> PostgresQueryResult {
        try await withConnection { connection in
            try await connection.statement(query, logger: logger)
        }
    }
}

extension PostgresConnection {
    /// Runs `body` between `BEGIN` and `COMMIT`; if `body` throws, `ROLLBACK` — unless the
    /// connection is already closed, in which case the server has ended the transaction itself.
    ///
    /// Used instead of PostgresNIO's `withTransaction`, which (in 1.33) sends `ROLLBACK` on a
    /// connection the server has just closed. A statement written to a closed connection is
    /// never answered — its handler is already gone from the channel — so the caller waited
    /// forever, past any timeout: seen as a writer stuck for good after PostgreSQL was stopped
    /// under load (scripts/fault-tests). Every statement here goes through ``statement(_:logger:)``,
    /// and `body` should send its own the same way; nothing in the store uses `query`
    /// (the month export behind archives reads through a cursor, one `FETCH` at a time).
    func auditTransaction<Value: Sendable>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        try await statement("BEGIN", logger: logger)
        let value: Value
        do {
            value = try await body(self)
        } catch {
            if !isClosed {
                do {
                    try await statement("ROLLBACK", logger: logger)
                } catch {
                    logger.debug("rollback failed", metadata: ["error": "\(PostgresFailure.diagnostic(of: error))"])
                }
            }
            throw error
        }
        try await statement("COMMIT", logger: logger)
        return value
    }

    /// Runs `query` and collects its rows, or throws ``PostgresConnectionClosed`` if the
    /// connection is closed. The check and the write happen together on the connection's event
    /// loop, where the channel closes, so a statement is never written to a closed connection
    /// (where it would wait for an answer forever: PostgresNIO 1.33's `query` writes it without
    /// a promise, so the failed write is never reported, and cancellation does not end the wait).
    /// Package-wide so that tests holding sessions of their own use it too.
    @discardableResult
    package func statement(_ query: PostgresQuery, logger: Logger) async throws -> PostgresQueryResult {
        try await eventLoop.flatSubmit {
            guard !self.isClosed else { return self.eventLoop.makeFailedFuture(PostgresConnectionClosed()) }
            return self.query(query, logger: logger)
        }.get()
    }
}

/// Set once a connection was handed out.
private final class LeaseFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

/// The connection closed before a statement could be sent on it (the server went away).
package struct PostgresConnectionClosed: Error, CustomStringConvertible {
    package var description: String { "the connection to the database is closed" }
}
