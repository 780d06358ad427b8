import AuditCore
import AuditPostgres
import AuditSQLite
import AuditTesting
import Foundation
import Logging
import Testing

/// Maintenance started at the same moment by two separate `auditledger` processes, as two
/// replicas or two cron jobs would: neither fails, and the months are the same as after one.
@Suite struct TwoProcessTests {
    /// The `auditledger` executable built next to the test bundle (`swift build --build-tests`).
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("auditledger")
    }

    /// Starts `auditledger` with `arguments` in two processes at once; returns their exit codes and output.
    static func runTwice(_ arguments: [String]) throws -> [(status: Int32, output: String)] {
        let binary = executable
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the executable first: swift build --build-tests")
        let runs = try (0..<2).map { _ in
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            return (process, output)
        }
        return runs.map { process, output in
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }

    static func expectOneRunEach(_ results: [(status: Int32, output: String)], log: [LifecycleRecord]) {
        for result in results {
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("created:") || result.output.contains("skipped:"), "\(result.output)")
        }
        let runs = log.filter { $0.kind == .maintenance }
        #expect(!runs.isEmpty && runs.count <= 2)
        #expect(runs.allSatisfy { $0.outcome == "ok" && $0.triggeredBy.hasPrefix("cli:") })
    }

    @Test("Two processes on one PostgreSQL database", .enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
    func postgres() async throws {
        try await PostgresHarness.run { harness in
            let results = try Self.runTwice([
                "maintenance", "run", "--database-url", harness.database.url, "--months-ahead", "6", "--log-level", "error",
            ])
            let current = AuditTimestamp.now().utcDate.month
            #expect(try await harness.storageMonths() == current.through(current.adding(months: 6)))
            #expect(try await harness.store.storageFindings() == [])
            Self.expectOneRunEach(results, log: try await harness.store.lifecycleLog(limit: 10))
        }
    }

    @Test("Two processes on one SQLite file")
    func sqlite() async throws {
        let directory = NSTemporaryDirectory() + "auditledger-two-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/audit.sqlite"
        let results = try Self.runTwice(["maintenance", "run", "--database-url", "sqlite://" + file, "--months-ahead", "6", "--log-level", "error"])
        let store = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: file), logger: Logger(label: "test"))
        let current = AuditTimestamp.now().utcDate.month
        #expect(try await store.months() == current.through(current.adding(months: 6)))
        #expect(try await store.storageFindings() == [])
        Self.expectOneRunEach(results, log: try await store.lifecycleLog(limit: 10))
    }
}
