import ArgumentParser
import Foundation
import Testing

@testable import AuditLedgerCLI

/// A store that cannot be reached or opened ends the command with a clear error and exit
/// code 1, neither waiting for ever nor blaming the command line.
@Suite struct StartupFailureTests {
    /// Runs `arguments` as `auditledger …` would, returning the error it ends with.
    func failure(of arguments: [String]) async -> (any Error)? {
        do {
            var command = try AuditLedgerCommand.parseAsRoot(arguments)
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            return nil
        } catch {
            return error
        }
    }

    @Test("A PostgreSQL that never answers ends migrate with exit 1 after --database-wait", .timeLimit(.minutes(1)))
    func unreachablePostgres() async throws {
        // Port 1 on loopback: nothing listens, every connection is refused.
        let url = "postgres://auditor:secret-password@127.0.0.1:1/audit?sslmode=disable"
        let started = ContinuousClock.now
        let error = try #require(await failure(of: ["migrate", "--database-url", url, "--database-wait", "2", "--log-level", "critical"]))
        let elapsed = ContinuousClock.now - started
        #expect(AuditLedgerCommand.exitCode(for: error) == .failure, "\(error)")
        #expect(elapsed >= .seconds(2), "it waited for the database as long as it was told")
        // Well under the test's 1-minute limit, above the 36 s seen once in a fresh CI whose
        // parallel suites had the machine loaded (the command stops its pool after the wait).
        #expect(elapsed < .seconds(50), "it gave up instead of waiting for ever")
    }

    @Test("--database-wait is checked")
    func databaseWaitBounds() async throws {
        for value in ["0", "86401"] {
            let error = try #require(
                await failure(of: ["migrate", "--database-url", "postgres://a@127.0.0.1:1/d", "--database-wait", value]))
            #expect(AuditLedgerCommand.exitCode(for: error) == .validationFailure)
            #expect("\(AuditLedgerCommand.message(for: error))".contains("--database-wait"))
        }
    }

    @Test("An embedded store whose lock file cannot be created ends the command with exit 1, naming the file")
    func unopenableSQLite() async throws {
        let directory = NSTemporaryDirectory() + "auditledger-startup-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/audit.sqlite"
        try FileManager.default.createDirectory(atPath: file + ".lock", withIntermediateDirectories: true)
        let error = try #require(await failure(of: ["partitions", "check", "--database-url", "sqlite://" + file, "--log-level", "critical"]))
        #expect("\(error)".contains(file + ".lock"), "\(error)")
        #expect(AuditLedgerCommand.exitCode(for: error) == .failure, "a file that cannot be opened is not a usage error")
    }
}
