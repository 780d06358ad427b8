import ArgumentParser
import AuditCore
import AuditPostgres
import AuditSQLite
import AuditServer
import Foundation
import Logging
import Testing

@testable import AuditLedgerCLI

/// `serve --read-database-url` and `--read-your-writes-wait`, and their environment variables: parsing and refusals (no database is reached).
@Suite struct StandbyOptionsTests {
    static let logger = Logger(label: "test.standby-options")

    static func postgresPrimary() throws -> PostgresStore {
        PostgresStore(configuration: try PostgresStoreConfiguration(url: "postgres://auditledger@127.0.0.1:5432/primary"), logger: logger)
    }

    @Test("Without the option every read stays on the primary; given, the standby is read with the wait asked for (default 2 s)")
    func parsed() throws {
        let primary = try Self.postgresPrimary()
        #expect(try StandbyOptions.parse([]).makeStandbyReads(primary: primary, logger: Self.logger) == nil)
        let standby = try #require(
            try StandbyOptions.parse(["--read-database-url", "postgres://auditledger@127.0.0.1:5433/primary"])
                .makeStandbyReads(primary: primary, logger: Self.logger))
        #expect(standby.reads.readYourWritesWait == .seconds(2))
        #expect(standby.description == "127.0.0.1:5433/primary")
        let waiting = try #require(
            try StandbyOptions.parse(["--read-database-url", "postgresql://auditledger@standby:5432/primary", "--read-your-writes-wait", "250"])
                .makeStandbyReads(primary: primary, logger: Self.logger))
        #expect(waiting.reads.readYourWritesWait == .milliseconds(250))
    }

    @Test(
        "The environment fills both in (AUDITLEDGER_READ_DATABASE_URL, AUDITLEDGER_READ_YOUR_WRITES_WAIT); flags win; a bad value is refused by name")
    func environment() throws {
        let primary = try Self.postgresPrimary()
        func reads(_ arguments: [String], _ environment: [String: String]) throws -> (reads: StandbyReads, store: PostgresStore, description: String)?
        {
            try CommandEnvironment.$variables.withValue(environment) {
                try StandbyOptions.parse(arguments).makeStandbyReads(primary: primary, logger: Self.logger)
            }
        }
        let url = ["AUDITLEDGER_READ_DATABASE_URL": "postgres://auditledger@standby-env:5432/primary"]
        let fromEnvironment = try #require(try reads([], url))
        #expect(fromEnvironment.description == "standby-env:5432/primary")
        #expect(fromEnvironment.reads.readYourWritesWait == .seconds(2))
        #expect(try reads([], ["AUDITLEDGER_READ_YOUR_WRITES_WAIT": "500"]) == nil, "a wait alone asks for no standby")
        let waiting = try #require(try reads([], url.merging(["AUDITLEDGER_READ_YOUR_WRITES_WAIT": "500"]) { $1 }))
        #expect(waiting.reads.readYourWritesWait == .milliseconds(500))
        let flags = try #require(
            try reads(
                ["--read-database-url", "postgres://auditledger@standby-flag:5432/primary", "--read-your-writes-wait", "100"],
                url.merging(["AUDITLEDGER_READ_YOUR_WRITES_WAIT": "500"]) { $1 }))
        #expect(flags.description == "standby-flag:5432/primary" && flags.reads.readYourWritesWait == .milliseconds(100))
        let refused: [([String: String], String)] = [
            (url.merging(["AUDITLEDGER_READ_YOUR_WRITES_WAIT": "soon"]) { $1 }, "AUDITLEDGER_READ_YOUR_WRITES_WAIT"),
            (url.merging(["AUDITLEDGER_READ_YOUR_WRITES_WAIT": "70000"]) { $1 }, "--read-your-writes-wait"),
            (["AUDITLEDGER_READ_DATABASE_URL": "mysql://auditledger@standby/db"], "--read-database-url"),
        ]
        for (environment, named) in refused {
            do {
                _ = try reads([], environment)
                Issue.record("accepted: \(environment)")
            } catch let error as ValidationError {
                #expect(error.message.contains(named), "\(environment): \(error.message)")
            }
        }
    }

    @Test("Refused by name: a standby for the embedded store, a URL that is not PostgreSQL's, a wait out of range")
    func refused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("standby-options-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let embedded = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: directory + "/audit.sqlite"), logger: Self.logger)
        let primary = try Self.postgresPrimary()
        let cases: [([String], any AuditLifecycleStore, String)] = [
            (["--read-database-url", "postgres://auditledger@127.0.0.1:5433/db"], embedded, "--read-database-url"),
            (["--read-database-url", "mysql://auditledger@127.0.0.1/db"], primary, "--read-database-url"),
            (["--read-database-url", "postgres://auditledger@127.0.0.1:5433/db?sslmode=sometimes"], primary, "--read-database-url"),
            (
                ["--read-database-url", "postgres://auditledger@127.0.0.1:5433/db", "--read-your-writes-wait", "60001"], primary,
                "--read-your-writes-wait"
            ),
            (["--read-database-url", "postgres://auditledger@127.0.0.1:5433/db", "--read-your-writes-wait=-1"], primary, "--read-your-writes-wait"),
        ]
        for (arguments, store, named) in cases {
            do {
                _ = try StandbyOptions.parse(arguments).makeStandbyReads(primary: store, logger: Self.logger)
                Issue.record("accepted: \(arguments)")
            } catch let error as ValidationError {
                #expect(error.message.contains(named), "\(arguments): \(error.message)")
            }
        }
    }
}
