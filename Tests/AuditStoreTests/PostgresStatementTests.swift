import AuditPostgres
import AuditTesting
import Logging
import PostgresNIO
import Testing

/// PostgresNIO 1.33's `query` writes to the connection without a promise, so on a session the
/// server has ended it is never answered, and cancelling does not end the wait. The store and
/// the tests' own sessions send through `statement`, which checks the connection on its event
/// loop and fails instead.
@Suite(.enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
struct PostgresStatementTests {
    @Test("A statement on a session the server has ended fails at once instead of waiting for ever", .timeLimit(.minutes(1)))
    func endedSession() async throws {
        let database = try await PostgresTestDatabase.create()
        let logger = Logger(label: "test.statement")
        let outcome: (closed: Bool, failed: Bool, took: Duration)
        do {
            outcome = try await Self.commitAfterSessionEnded(database, logger: logger)
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
        #expect(outcome.closed, "the server ended the session idle in its transaction")
        #expect(outcome.failed, "COMMIT on the ended session must fail with PostgresConnectionClosed")
        // `query` never returns here; the margin is for a machine loaded with the parallel suites.
        #expect(outcome.took < .seconds(30), "it failed at once (took \(outcome.took))")
    }

    /// Opens a transaction on a session that the server ends after 1 s idle, waits for the end,
    /// then sends COMMIT: whether the session was closed, whether COMMIT failed, how long it took.
    private static func commitAfterSessionEnded(
        _ database: PostgresTestDatabase, logger: Logger
    ) async throws -> (closed: Bool, failed: Bool, took: Duration) {
        try await database.withClient { admin in
            try await admin.withConnection { connection in
                try await connection.statement("SET idle_in_transaction_session_timeout = '1s'", logger: logger)
                try await connection.statement("BEGIN", logger: logger)
                for _ in 0..<300 where !connection.isClosed { try await Task.sleep(for: .milliseconds(100)) }
                let started = ContinuousClock.now
                do {
                    try await connection.statement("COMMIT", logger: logger)
                    return (connection.isClosed, false, ContinuousClock.now - started)
                } catch is PostgresConnectionClosed {
                    return (connection.isClosed, true, ContinuousClock.now - started)
                }
            }
        }
    }
}
