public import Testing

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the test process was given: whether it runs under CI and where PostgreSQL is.
///
/// Under `CI=true` a test that needs PostgreSQL fails when `AUDITLEDGER_TEST_DATABASE_URL` is
/// missing; elsewhere it is skipped with ``postgresSkipComment``.
public enum TestEnvironment {
    /// `true` when `CI=true`.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// A PostgreSQL URL whose role may create databases (`scripts/with-postgres` sets it).
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["AUDITLEDGER_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether PostgreSQL tests run: a database is configured, or CI requires them (and they fail without one).
    public static var runsPostgresTests: Bool { postgresURL != nil || isCI }

    /// The URL of a streaming-replication standby of ``postgresURL``'s server
    /// (`WITH_POSTGRES_STANDBY=on scripts/with-postgres` sets it), same role.
    public static var standbyURL: String? {
        ProcessInfo.processInfo.environment["AUDITLEDGER_TEST_STANDBY_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether tests that read a standby run: one is configured, or scripts/test requires them
    /// (`AUDITLEDGER_TEST_REQUIRE_STANDBY=1`, in its run with a standby: they fail there without one).
    public static var runsStandbyTests: Bool {
        standbyURL != nil || ProcessInfo.processInfo.environment["AUDITLEDGER_TEST_REQUIRE_STANDBY"] == "1"
    }

    /// Shown for each skipped PostgreSQL test.
    public static let postgresSkipComment: Comment =
        "PostgreSQL tests skipped: run scripts/test (starts a throwaway PostgreSQL) or set AUDITLEDGER_TEST_DATABASE_URL"

    /// The PostgreSQL URL, or a failure explaining how to provide one.
    public static func requirePostgresURL() throws -> String {
        guard let url = postgresURL else { throw MissingPostgres() }
        return url
    }

    struct MissingPostgres: Error, CustomStringConvertible {
        var description: String {
            "this test needs PostgreSQL and CI=true forbids skipping it: AUDITLEDGER_TEST_DATABASE_URL is not set (run the tests through scripts/test)"
        }
    }
}
