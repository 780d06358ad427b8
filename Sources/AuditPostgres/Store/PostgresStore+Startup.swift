import AuditCore
import Logging
import PostgresNIO

extension PostgresStore {
    /// Waits until the database answers `SELECT 1`, for at most
    /// ``PostgresStoreConfiguration/startupWait``, logging a warning every 10 seconds.
    ///
    /// The connection pool retries a refused or failed connection for ever, so without this a
    /// migration at start would wait without end and without a word when the address is wrong
    /// or the database never comes up.
    /// - Throws: ``AuditError`` `unavailable`, naming the database (never its password).
    func waitForDatabase() async throws(AuditError) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: configuration.startupWait)
        var nextWarning = clock.now.advanced(by: .seconds(10))
        while true {
            let remaining = clock.now.duration(to: deadline)
            do {
                _ = try await withOperationTimeout(limit: max(.milliseconds(100), min(remaining, .seconds(2)))) {
                    try await self.client.statement("SELECT 1", logger: self.logger)
                }
                return
            } catch {
                let failure = PostgresFailure.translate(error, operation: "answer")
                if Task.isCancelled { throw failure }
                guard clock.now < deadline else {
                    throw AuditError(
                        .unavailable,
                        detail: """
                            the database at \(configuration.displayTarget) did not answer within \(configuration.startupWait.components.seconds) s; \
                            check its address, credentials and TLS settings and that it is running (at --log-level debug the connection pool says why connecting failed)
                            """,
                        retryAfterSeconds: 5,
                        underlying: failure.underlying
                    )
                }
                if clock.now >= nextWarning {
                    logger.warning(
                        "waiting for the database to answer",
                        metadata: ["audit.database": "\(configuration.displayTarget)", "audit.wait.limit": "\(configuration.startupWait)"]
                    )
                    nextWarning = clock.now.advanced(by: .seconds(10))
                }
                try? await Task.sleep(for: min(.milliseconds(500), clock.now.duration(to: deadline)))
            }
        }
    }
}
