import ArgumentParser
import AuditCore
import AuditSQLite
import AuditTesting
import Foundation
import Logging
import Testing

@testable import AuditLedgerCLI

/// The operator commands run as `auditledger …` would run them, on an embedded store file.
@Suite struct LifecycleCommandTests {
    func run(_ arguments: [String]) async throws { try await InProcessCommand.run(arguments) }

    func exitCode(_ arguments: [String]) async throws -> Int32 { try await InProcessCommand.exitCode(arguments) }

    /// The store's own audit events (category `security`), oldest first.
    static func securityEvents(in store: SQLiteStore) async throws -> [AuditEvent] {
        var query = EventQuery(order: .ascending)
        query.filters.category = "security"
        return try await store.events(matching: query).events.map(\.event)
    }

    @Test("check, ensure, retention (dry run, then real), archive verify and restore, on one file; with --self-audit each is an audit event")
    func operatorRound() async throws {
        let directory = NSTemporaryDirectory() + "auditledger-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/audit.sqlite"
        let url = ["--database-url", "sqlite://" + file, "--log-level", "error"]
        let now = AuditTimestamp.now()
        let old = now.utcDate.month.adding(months: -3)
        let expired = try EventFactory.event(
            correlationID: "rr-old", at: old.firstDay.startOfDay.adding(seconds: 3600), fields: ["retention_days": .number("1")]
        )
        let store = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: file), logger: Logger(label: "test"))
        try await store.prepare()
        _ = try await store.write([EventBatch(events: [expired, try EventFactory.event(correlationID: "rr-new", at: now)])])

        // Months -2 and -1 have no storage: a gap. ensure fills it; check is then clean.
        #expect(try await exitCode(["partitions", "check"] + url) == 1)
        try await run(["partitions", "ensure"] + url)
        #expect(try await store.months() == old.through(now.utcDate.month.adding(months: 3)))
        #expect(try await exitCode(["partitions", "check"] + url) == 0)
        try await run(["partitions", "list"] + url)

        await #expect(throws: ValidationError.self) { try await run(["retention", "run"] + url) }
        try await run(["retention", "run", "--dry-run"] + url)
        #expect(try await store.event(id: expired.id) != nil, "a dry run changes nothing")

        let archives = directory + "/archives"
        let key = directory + "/signing.key"
        try await run(["keys", "generate", "--file", key])
        try await CommandEnvironment.$variables.withValue(["USER": "ops-alice"]) {
            try await run(["retention", "run", "--archive-dir", archives, "--self-audit", "--signing-key", key] + url)
        }
        #expect(try await store.event(id: expired.id) == nil)
        let removal = try #require(try await Self.securityEvents(in: store).first)
        #expect(removal.eventType == "auditledger.retention.removed" && removal.resourceType == "partition" && removal.resourceID == old.description)
        #expect(removal.actorType == "user" && removal.actorID == "ops-alice" && removal.writtenBy == "auditledger")
        #expect(removal.correlationID == "auditledger-security-" + AuditTimestamp.now().utcDate.description)
        let removalData = try removal.eventData.object()
        #expect(removalData["rows"] == .number("1") && removalData["triggered_by"] == .string("cli:ops-alice"))
        if case .string(let sha)? = removalData["archive_sha256"] { #expect(sha.count == 64) } else { Issue.record("no archive_sha256") }
        // The removal names the log positions it took away and the checkpoint its archive proves against.
        #expect(removalData["log_positions"] == .number("1") && removalData["log_first_position"] == .number("0"))
        #expect(removalData["checkpoint_tree_size"] == .number("2"))
        if case .string(let leaves)? = removalData["statement_leaves"] {
            #expect(leaves.hasPrefix("sha256:"))
        } else {
            Issue.record("no statement_leaves")
        }
        #expect(!(try await store.months()).contains(old))
        let manifest = try #require(try FileManager.default.contentsOfDirectory(atPath: archives).first { $0.hasSuffix(".manifest.json") })
        let log = try await store.lifecycleLog(limit: 1)
        #expect(log.first?.kind == .retention)
        #expect(log.first?.triggeredBy.hasPrefix("cli:") == true)
        // The removed month is not a gap.
        #expect(try await exitCode(["partitions", "check"] + url) == 0)

        #expect(try await exitCode(["archive", "verify", archives + "/" + manifest]) == 0)
        // The archive proves its month against the log with nothing but the public key.
        #expect(try await exitCode(["verify-bundle", archives + "/" + manifest, "--signing-key", key]) == 0)
        #expect(
            try await exitCode([
                "verify-bundle", archives + "/" + manifest, "--trusted-key", NoteSignerKey.generate(name: "other").verifier.description,
            ]) == 1,
            "a key the log never used is not trusted")
        try await run(["archive", "restore", archives + "/" + manifest, "--self-audit"] + url)
        #expect(try await store.event(id: expired.id)?.event.hasSameContent(as: expired) == true)
        let restore = try await Self.securityEvents(in: store).map(\.eventType)
        #expect(restore == ["auditledger.retention.removed", "auditledger.partition.restored"])
        #expect(try await exitCode(["archive", "restore", archives + "/" + manifest] + url) == 1, "the month is no longer empty")
        #expect(try await Self.securityEvents(in: store).count == 2, "a refused restore, and one without --self-audit, records nothing")

        let gz = archives + "/" + manifest.replacingOccurrences(of: ".manifest.json", with: ".ndjson.gz")
        var bytes = try #require(FileManager.default.contents(atPath: gz))
        bytes[bytes.count - 5] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: gz))
        #expect(try await exitCode(["archive", "verify", gz]) == 1)
        #expect(try await exitCode(["verify-bundle", gz, "--signing-key", key]) == 1)
        try await run(["maintenance", "log", "--limit", "5"] + url)
        #expect(throws: (any Error).self) { try AuditLedgerCommand.parseAsRoot(["maintenance", "log", "--limit", "0"] + url) }
    }

    @Test("Retention policies are validated, set, and listed")
    func policies() async throws {
        let directory = NSTemporaryDirectory() + "auditledger-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url = ["--database-url", "sqlite://" + directory + "/audit.sqlite", "--log-level", "error"]
        #expect(throws: (any Error).self) { try AuditLedgerCommand.parseAsRoot(["retention", "policy", "billing", "3650"] + url) }
        #expect(throws: (any Error).self) { try AuditLedgerCommand.parseAsRoot(["retention", "policy", "billing"] + url) }
        try await run(["retention", "policy", "billing", "2555"] + url)
        try await run(["retention", "policy", "billing", "400"] + url)
        let store = try SQLiteStore(
            configuration: SQLiteStoreConfiguration(path: directory + "/audit.sqlite"), logger: Logger(label: "test")
        )
        #expect(try await store.retentionPolicies() == [RetentionPolicy(category: "billing", days: 400)])
    }

    @Test("convert is refused on the embedded store, and its batch size is bounded")
    func convertNeedsPostgres() async throws {
        let directory = NSTemporaryDirectory() + "auditledger-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url = ["--database-url", "sqlite://" + directory + "/audit.sqlite", "--log-level", "error"]
        #expect(throws: (any Error).self) {
            try AuditLedgerCommand.parseAsRoot(["partitions", "convert", "--table", "t", "--batch-size", "0"] + url)
        }
        do {
            try await run(["partitions", "convert", "--table", "legacy_audit"] + url)
            Issue.record("convert must be refused on SQLite")
        } catch let error as ValidationError {
            #expect(error.message == "convert applies to PostgreSQL only")
        }
    }

    @Test("Every operator command documents itself")
    func help() {
        let cases: [(any ParsableCommand.Type, String)] = [
            (PartitionsCommand.Check.self, "exit 1 when there are any"),
            (ConvertCommand.self, "--drop-source"),
            (RetentionCommand.Run.self, "--dry-run"),
            (RetentionCommand.Run.self, "AUDITLEDGER_ARCHIVE_DIR"),
            (ArchiveCommand.Restore.self, "tampered archive"),
            (MaintenanceCommand.Run.self, "maintenance lock"),
        ]
        for (command, phrase) in cases {
            let text = AuditLedgerCommand.helpMessage(for: command, columns: 400)
            #expect(text.contains(phrase), "\(command): \(text)")
        }
    }
}
