import AuditCore
import AuditPostgres
import Logging
import Testing

/// What the store does when the database is not there at start. Needs no PostgreSQL: it
/// points at a loopback port where nothing listens.
@Suite struct PostgresStartupTests {
    @Test("prepare gives up after startupWait with unavailable, naming the database but not the password", .timeLimit(.minutes(1)))
    func unreachableDatabase() async throws {
        var configuration = try PostgresStoreConfiguration(url: "postgres://auditor:secret-password@127.0.0.1:1/audit?sslmode=disable")
        configuration.startupWait = .seconds(1)
        let store = PostgresStore(configuration: configuration, logger: Logger(label: "test.startup"))
        let started = ContinuousClock.now
        let outcome: Result<Void, AuditError> = await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await store.run() }
            defer { group.cancelAll() }
            do throws(AuditError) {
                try await store.prepare()
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        let elapsed = ContinuousClock.now - started
        guard case .failure(let error) = outcome else {
            Issue.record("prepare must fail when nothing listens")
            return
        }
        #expect(error.code == .unavailable)
        #expect(error.detail.contains("127.0.0.1:1/audit"), "\(error.detail)")
        #expect(error.detail.contains("did not answer within 1 s"), "\(error.detail)")
        #expect(!"\(error)".contains("secret-password"))
        #expect(elapsed >= .seconds(1))
        #expect(elapsed < .seconds(20), "it gave up instead of waiting for ever")
    }

    @Test("The startup wait defaults to 60 seconds")
    func defaultWait() throws {
        #expect(try PostgresStoreConfiguration(url: "postgres://a@127.0.0.1/d").startupWait == .seconds(60))
    }
}
