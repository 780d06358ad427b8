import AuditTesting
import Testing

/// The conformance suite against PostgreSQL, each check on a database of its own.
@Suite(.enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
struct PostgresConformanceTests {
    @Test(arguments: StoreConformance.checks)
    func conformance(_ check: ConformanceCheck) async throws {
        if let reason = StoreConformance.unsupported["postgres"]?[check.name] {
            try Test.cancel("not supported by the PostgreSQL store: \(reason)")
        }
        try await PostgresHarness.run { harness in
            try await check.run(on: harness)
        }
    }
}
