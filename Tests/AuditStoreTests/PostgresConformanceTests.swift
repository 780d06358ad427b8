import AuditTesting
import Testing

/// The conformance suite against PostgreSQL, each check on a database of its own, one check at
/// a time: run all at once (with the tamper matrix's hundreds of events each) they starved the
/// rest of the suite's databases on a two-core machine, whose timing-bound tests then failed.
@Suite(.enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment), .serialized)
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
