import Logging

extension PostgresStore {
    /// SQLSTATEs after which PostgreSQL has rolled the whole transaction back and running it
    /// again can succeed: `40P01` (deadlock victim) and `40001` (serialization failure).
    private static let abortedTransactionStates: Set<String> = ["40P01", "40001"]

    /// Runs the transaction in `body` again, up to three attempts in all, when PostgreSQL
    /// aborted it as a deadlock victim or for a serialization failure.
    ///
    /// Such a transaction was rolled back completely, so running it again cannot store anything
    /// twice. A deadlock with the store's writes arises when a month is detached or dropped (or
    /// an operator locks `audit_events`) while a write holds the locks of its lookups; the other
    /// party then usually has its lock and finishes, and the retry goes through behind it.
    /// The caller's operation timeout still bounds all attempts together.
    func retryingAbortedTransactions<Value>(_ what: String, _ body: () async throws -> Value) async throws -> Value {
        try await retrying(
            what, attempts: 3, delay: { .milliseconds(20 * $0) }, onStates: Self.abortedTransactionStates, body)
    }

    /// Runs `body`, retrying up to five times (``PostgresStoreConfiguration/lockTimeout`` × 1/5,
    /// 2/5, … apart) when it fails because a lock wait exceeded `lock_timeout` (SQLSTATE 55P03)
    /// or because it was chosen as a deadlock victim (40P01). `body` must be a whole statement
    /// or transaction: a statement inside a caller's transaction cannot be retried, since the
    /// failure has aborted that transaction.
    @discardableResult
    func retryingLockWaits<Value>(_ what: String, _ body: () async throws -> Value) async throws -> Value {
        try await retrying(
            what, attempts: 5, delay: { self.configuration.lockTimeout * $0 / 5 }, onStates: Self.lockWaitStates, body)
    }

    /// A lock wait given up after `lock_timeout` (`55P03`), or a deadlock victim (`40P01`).
    private static let lockWaitStates: Set<String> = ["55P03", "40P01"]

    /// Runs `body` up to `attempts` times while it fails with a server error of one of `states`,
    /// sleeping `delay(attempt)` after each failed attempt and logging it.
    private func retrying<Value>(
        _ what: String, attempts: Int, delay: (Int) -> Duration, onStates states: Set<String>, _ body: () async throws -> Value
    ) async throws -> Value {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body()
            } catch {
                guard let state = PostgresFailure.sqlState(of: error), states.contains(state), attempt < attempts else { throw error }
                logger.notice(
                    "the database gave up on an operation; running it again",
                    metadata: [
                        "audit.operation": "\(what)", "audit.sqlstate": "\(state)", "audit.attempt": "\(attempt)",
                    ]
                )
                try await Task.sleep(for: delay(attempt))
            }
        }
    }
}
