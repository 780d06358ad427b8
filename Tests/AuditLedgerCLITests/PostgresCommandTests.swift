import ArgumentParser
import AuditCore
import AuditPostgres
import AuditTesting
import Foundation
import PostgresNIO
import Testing

@testable import AuditLedgerCLI

/// The operator commands on PostgreSQL.
@Suite(.enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
struct PostgresCommandTests {
    func run(_ arguments: [String]) async throws -> Int32 { try await InProcessCommand.exitCode(arguments) }

    @Test("partitions convert copies a legacy table with a count check and drops it; check reports a default partition")
    func convertAndCheck() async throws {
        try await PostgresHarness.run { harness in
            let url = ["--database-url", harness.database.url, "--log-level", "error"]
            try await harness.createLegacyAuditTable(rows: 1_200)
            #expect(try await run(["partitions", "convert", "--table", "legacy_audit", "--batch-size", "250", "--drop-source"] + url) == 0)
            #expect(try await harness.values("SELECT count(*)::int8 FROM audit_events", as: Int64.self) == [1_200])
            #expect(try await harness.values("SELECT to_regclass('legacy_audit')::text", as: String?.self) == [nil])
            // The converted months (October and November 2024) sit far behind the current ones: a gap, until ensure fills it.
            #expect(try await run(["partitions", "check"] + url) == 1)
            #expect(try await run(["partitions", "ensure"] + url) == 0)
            #expect(try await run(["partitions", "check"] + url) == 0)

            try await harness.execute("CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT")
            #expect(try await run(["partitions", "check"] + url) == 1)
            do {
                _ = try await run(["partitions", "convert", "--table", "audit_events"] + url)
                Issue.record("converting audit_events itself must be refused")
            } catch let error as AuditError {
                #expect(error.fieldErrors.map(\.field) == ["table"])
            }
        }
    }
}
