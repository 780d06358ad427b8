import AuditCore
import AuditPostgres
import AuditTesting
import Logging
import Testing

/// What the store does when the database is not there at start.
@Suite struct PostgresStartupTests {
    // Needs no PostgreSQL: a loopback port where nothing listens.
    @Test("prepare gives up after startupWait with unavailable, naming the database but not the password", .timeLimit(.minutes(1)))
    func unreachableDatabase() async throws {
        var configuration = try PostgresStoreConfiguration(url: "postgres://auditor:secret-password@127.0.0.1:1/audit?sslmode=disable")
        configuration.startupWait = .seconds(1)
        let store = PostgresStore(configuration: configuration, logger: Logger(label: "test.startup"))
        // Only prepare is timed, not the pool's shutdown afterwards (its connection attempts in
        // backoff): timed together they took 25 s on a machine loaded with the parallel suites.
        let (outcome, elapsed): (Result<Void, AuditError>, Duration) = await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await store.run() }
            defer { group.cancelAll() }
            let started = ContinuousClock.now
            do throws(AuditError) {
                try await store.prepare()
                return (.success(()), ContinuousClock.now - started)
            } catch {
                return (.failure(error), ContinuousClock.now - started)
            }
        }
        guard case .failure(let error) = outcome else {
            Issue.record("prepare must fail when nothing listens")
            return
        }
        #expect(error.code == .unavailable)
        #expect(error.detail.contains("127.0.0.1:1/audit"), "\(error.detail)")
        #expect(error.detail.contains("did not answer within 1 s"), "\(error.detail)")
        #expect(!"\(error)".contains("secret-password"))
        #expect(elapsed >= .seconds(1))
        #expect(elapsed < .seconds(40), "it gave up instead of waiting for ever")
    }

    @Test("The startup wait defaults to 60 seconds")
    func defaultWait() throws {
        #expect(try PostgresStoreConfiguration(url: "postgres://a@127.0.0.1/d").startupWait == .seconds(60))
    }

    @Test(
        "prepare waits for a database that appears during startupWait, then migrates it and writes go through",
        .enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment), .timeLimit(.minutes(3))
    )
    func databaseAppearsLate() async throws {
        let database = try PostgresTestDatabase.reserve()
        let prepared: Result<Duration, AuditError>
        let written: WriteReceipt?
        do {
            (prepared, written) = try await Self.prepare(whileCreating: database)
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
        switch prepared {
        case .success(let elapsed):
            #expect(elapsed >= .seconds(2), "prepare did not finish before the database existed")
            // Bounded by the test's time limit; migrating on a CI machine loaded with parallel
            // suites has taken 38 s, and the whole test more than 60 s twice (fresh CIs of
            // 2026-12-02), so no tighter bound is asserted here.
            _ = elapsed
        case .failure(let error):
            Issue.record("prepare must succeed once the database appears: \(error)")
        }
        #expect(written?.insertedCount == 1)
    }

    /// Starts `prepare` on a store of the reserved `database`, creates the database 2 s later,
    /// then writes one event. Returns how long `prepare` took (or its error) and the receipt.
    private static func prepare(
        whileCreating database: PostgresTestDatabase
    ) async throws -> (Result<Duration, AuditError>, WriteReceipt?) {
        var configuration = try PostgresStoreConfiguration(url: database.url)
        // The wait runs from before the database is created. On a machine loaded with the
        // parallel suites, creating it and connecting took longer than 30 s in a fresh CI of
        // 2026-12-07 (other suites' requests took 14 s then): a wait far longer than the 2 s
        // before the creation keeps the test about waiting, not about the machine's speed.
        configuration.startupWait = .seconds(120)
        let store = PostgresStore(configuration: configuration, logger: Logger(label: "test.startup"))
        let event = try EventFactory.event(correlationID: "rr-late-database", at: .now())
        let started = ContinuousClock.now
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            async let preparing: Result<Duration, AuditError> = {
                do throws(AuditError) {
                    try await store.prepare()
                    return .success(ContinuousClock.now - started)
                } catch {
                    return .failure(error)
                }
            }()
            // Connections fail meanwhile (the database does not exist): prepare keeps waiting.
            try await Task.sleep(for: .seconds(2))
            try await database.createOnServer()
            let prepared = await preparing
            let written = try? await store.write([EventBatch(events: [event])]).first?.get()
            return (prepared, written)
        }
    }
}
