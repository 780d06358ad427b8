import AuditTesting
import Testing

/// The conformance suite against the embedded SQLite store, each check on a file of its own.
@Suite struct SQLiteConformanceTests {
    @Test(arguments: StoreConformance.checks)
    func conformance(_ check: ConformanceCheck) async throws {
        if let reason = StoreConformance.unsupported["sqlite"]?[check.name] {
            try Test.cancel("not supported by the SQLite store: \(reason)")
        }
        try await SQLiteHarness.run { harness in
            try await check.run(on: harness)
        }
    }
}
