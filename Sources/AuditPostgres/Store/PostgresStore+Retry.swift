import Logging

extension PostgresStore {
    /// SQLSTATEs after which PostgreSQL has rolled the whole transaction back and running it
    /// again can succeed: `40P01` (deadlock victim) and `40001` (serialization failure).
    static let abortedTransactionStates: Set<String> = ["40P01", "40001"]

    /// Runs the transaction in `body` again, up to three attempts in all, when PostgreSQL
    /// aborted it as a deadlock victim or for a serialization failure.
    ///
    /// Such a transaction was rolled back completely, so running it again cannot store anything
    /// twice. A deadlock with the store's writes arises when a month is detached or dropped (or
    /// an operator locks `audit_events`) while a write holds the locks of its lookups; the other
    /// party then usually has its lock and finishes, and the retry goes through behind it.
    /// The caller's operation timeout still bounds all attempts together.
    func retryingAbortedTransactions<Value>(_ what: String, _ body: () async throws -> Value) async throws -> Value {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body()
            } catch {
                guard let state = PostgresFailure.sqlState(of: error), Self.abortedTransactionStates.contains(state), attempt < 3 else {
                    throw error
                }
                logger.notice(
                    "transaction aborted by the database; running it again",
                    metadata: ["audit.operation": "\(what)", "audit.sqlstate": "\(state)", "audit.attempt": "\(attempt)"]
                )
                try await Task.sleep(for: .milliseconds(20 * attempt))
            }
        }
    }

    /// Runs `body`, retrying up to five times (``PostgresStoreConfiguration/lockTimeout`` × 1/5,
    /// 2/5, … apart) when it fails because a lock wait exceeded `lock_timeout` (SQLSTATE 55P03)
    /// or because it was chosen as a deadlock victim (40P01). `body` must be a whole statement
    /// or transaction: a statement inside a caller's transaction cannot be retried, since the
    /// failure has aborted that transaction.
    @discardableResult
    func retryingLockWaits<Value>(_ what: String, _ body: () async throws -> Value) async throws -> Value {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body()
            } catch {
                guard Self.isLockWaitFailure(error), attempt < 5 else { throw error }
                logger.notice("lock wait timed out; retrying", metadata: ["audit.operation": "\(what)", "audit.attempt": "\(attempt)"])
                try await Task.sleep(for: configuration.lockTimeout * attempt / 5)
            }
        }
    }

    /// Whether `error` is a lock wait given up after `lock_timeout` or a deadlock victim.
    static func isLockWaitFailure(_ error: any Error) -> Bool {
        PostgresFailure.sqlState(of: error).map { $0 == "55P03" || $0 == "40P01" } ?? false
    }
}
