import ArgumentParser
import AuditCore
import AuditSQLite
import AuditTesting
import Foundation
import Logging
import Testing

@testable import AuditLedgerCLI

/// `auditledger quarantine list|retry|export` and `auditledger spool recover-rejected`, on an
/// embedded store file.
@Suite struct QuarantineCommandTests {
    let commands = LifecycleCommandTests()

    /// What an AuditLedger version before the quarantine wrote to `rejected/` for one request.
    static func legacyRejectedFile(_ events: [AuditEvent], reason: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.writeRaw(
            #"{"rejected_at":"2026-11-30T10:00:00Z","reason":"\#(reason)","detail":"refused","spool_position":"3:0","record":{"batch":true,"events":["#
                .utf8)
        for (index, event) in events.enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            StoredAuditEvent(event: event, insertSequence: 0).writeArchiveJSON(into: &writer)
        }
        writer.writeRaw("]}}".utf8)
        return writer.bytes
    }

    @Test("spool recover-rejected stores what the store now takes, quarantines what it still refuses, and keeps what it cannot read")
    func recoverRejected() async throws {
        let directory = NSTemporaryDirectory() + "auditledger-recover-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/audit.sqlite"
        let store = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: file), logger: Logger(label: "test"))
        try await store.prepare()
        let now = AuditTimestamp.now()
        // Rejected by an older version while the store could not answer: fine now.
        let wronglyRejected = try (0..<2).map {
            try EventFactory.event(correlationID: "rr-back", at: now.adding(seconds: Int64($0)), eventID: UUID())
        }
        // Still refused: its parent is stored nowhere.
        let orphan = try EventFactory.event(correlationID: "rr-orphan", at: now, eventID: UUID(), parentID: UUID())
        let rejected = directory + "/spool/rejected"
        try FileManager.default.createDirectory(atPath: rejected, withIntermediateDirectories: true)
        try Data(Self.legacyRejectedFile(wronglyRejected, reason: "internal-error")).write(
            to: URL(fileURLWithPath: rejected + "/segment-0000000000000001-0.json"))
        try Data(Self.legacyRejectedFile([orphan], reason: "validation-error")).write(
            to: URL(fileURLWithPath: rejected + "/segment-0000000000000001-900.json"))
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: rejected + "/segment-0000000000000002-0.json"))

        let url = ["--database-url", "sqlite://" + file, "--log-level", "critical"]
        #expect(try await commands.exitCode(["spool", "recover-rejected", "--spool-dir", directory + "/spool"] + url) == 1, "one file is unreadable")
        for event in wronglyRejected { #expect(try await store.event(id: event.id)?.event.hasSameContent(as: event) == true) }
        #expect(try await store.event(id: orphan.id) == nil)
        let quarantine = try await store.quarantinedRecords(includeResolved: false, limit: 10, offset: 0).records
        #expect(quarantine.map(\.entry.events) == [[orphan]])
        #expect(quarantine.first?.entry.origin == "spool-rejected")
        #expect(try FileManager.default.contentsOfDirectory(atPath: rejected) == ["segment-0000000000000002-0.json"])
        // Running it again changes nothing.
        #expect(try await commands.exitCode(["spool", "recover-rejected", "--spool-dir", directory + "/spool"] + url) == 1)
        #expect(try await store.quarantineCounts().records == 1)
    }

    @Test("quarantine retry stores a record once its cause is fixed and resolves it; one still refused stays open (exit 1); export writes NDJSON")
    func retryAndExport() async throws {
        let directory = NSTemporaryDirectory() + "auditledger-quarantine-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/audit.sqlite"
        let store = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: file), logger: Logger(label: "test"))
        try await store.prepare()
        let now = AuditTimestamp.now()
        let parent = try EventFactory.event(correlationID: "rr-late-parent", at: now, eventID: UUID())
        let child = try EventFactory.event(correlationID: "rr-late-parent", at: now.adding(seconds: 1), eventID: UUID(), parentID: parent.id)
        let orphan = try EventFactory.event(correlationID: "rr-orphan", at: now, eventID: UUID(), parentID: UUID())
        for (events, origin) in [([child], "replay"), ([orphan], "replay")] {
            try await store.quarantine([
                QuarantineEntry(
                    events: events, reason: "validation-error", detail: "parent unknown", requestID: "req", receivedAt: now, quarantinedAt: now,
                    origin: origin)
            ])
        }
        let url = ["--database-url", "sqlite://" + file, "--log-level", "critical"]
        try await commands.run(["quarantine", "list"] + url)
        #expect(throws: (any Error).self) { try QuarantineCommand.Retry.parse(url) }  // ids or --all

        // The parent arrives; the child can now be stored.
        _ = try await store.write([EventBatch(events: [parent])])
        #expect(try await commands.exitCode(["quarantine", "retry", "--all", "--self-audit"] + url) == 1)
        #expect(try await store.event(id: child.id) != nil)
        #expect(try await store.event(id: orphan.id) == nil)
        #expect(try await store.quarantineCounts() == QuarantineCounts(records: 1, events: 1))
        let records = try await store.quarantinedRecords(includeResolved: true, limit: 10, offset: 0).records
        #expect(records.first?.resolution?.hasPrefix("stored by quarantine retry") == true)
        var security = EventQuery(order: .ascending)
        security.filters.category = "security"
        let retried = try await store.events(matching: security).events.map(\.event)
        #expect(retried.map(\.eventType) == ["auditledger.quarantine.retried", "auditledger.quarantine.retried"])
        #expect(Set(retried.map(\.outcome)) == [.success, .failure])
        #expect(Set(retried.map(\.resourceID)) == Set(records.map { String($0.id) }))

        let export = directory + "/quarantine.ndjson"
        try await commands.run(["quarantine", "export", "--all", "--output", export, "--self-audit"] + url)
        let exportedEvent = try await store.events(matching: security).events.last?.event
        #expect(exportedEvent?.eventType == "auditledger.quarantine.exported")
        #expect(try exportedEvent?.eventData.object()["records"] == .number("2"))
        let lines = String(decoding: try #require(FileManager.default.contents(atPath: export)), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        let exported = try #require(try JSONParser.parse(String(lines[1])).object)
        #expect(exported.string("reason") == "validation-error")
        #expect(exported["resolved_at"] == nil)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: export)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
    }
}

extension JSONValue {
    fileprivate var object: JSONObject? {
        if case .object(let object) = self { object } else { nil }
    }
}

extension JSONObject {
    fileprivate func string(_ key: String) -> String? {
        if case .string(let value)? = self[key] { value } else { nil }
    }
}
