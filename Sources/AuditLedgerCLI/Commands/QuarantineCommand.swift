import ArgumentParser
import AuditCore
import AuditServer
import Foundation

/// `auditledger quarantine list|retry|export`: acknowledged events the store refused.
struct QuarantineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "Acknowledged events the store refused: list them, store them again, or export them.",
        discussion: """
            Events answered 202 that the store then refused for good (an event_id already used for other content, an unknown \
            parent, a rule of the database) are kept in the store's quarantine table, never dropped. Fix the cause (store the \
            parent first, say), then `quarantine retry`. docs/operations.md explains each reason.
            """,
        subcommands: [List.self, Retry.self, Export.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per record, oldest first: id, when, reason, events, request id, detail.")

        @OptionGroup var store: StoreOptions

        @Flag(help: "Also list records already resolved.")
        var all = false

        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let all = all
            let records = try await store.withPreparedStore(logger: try logging.makeLogger()) { selection in
                try await QuarantineCommand.records(in: selection.store, includeResolved: all)
            }
            if records.isEmpty { print(all ? "the quarantine is empty" : "no open quarantine records") }
            for record in records {
                var line = "\(record.id) \(record.entry.quarantinedAt) \(record.entry.reason) events=\(record.entry.events.count)"
                if let requestID = record.entry.requestID { line += " request_id=\(requestID)" }
                if let resolvedAt = record.resolvedAt { line += " resolved_at=\(resolvedAt)" }
                print(line + ": " + record.entry.detail)
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the events of open records again; records whose events are stored are marked resolved.",
            discussion: "Exit 1 when a record is still refused (it stays open) or the store cannot answer."
        )

        @OptionGroup var store: StoreOptions

        @Argument(help: "Record ids (default with --all: every open record).")
        var ids: [Int64] = []

        @Flag(help: "Retry every open record.")
        var all = false

        @OptionGroup var selfAudit: SelfAuditOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard all != !ids.isEmpty else { throw ValidationError("give record ids or --all") }
        }

        func run() async throws {
            let ids = Set(ids)
            let all = all
            let selfAudit = selfAudit
            let logger = try logging.makeLogger()
            let triggeredBy = "cli:\(SelfAuditOptions.user)"
            let stillRefused = try await store.withPreparedStore(logger: logger) { selection in
                let recorder = try selfAudit.recorder(for: selection.store, logger: logger)
                let records = try await QuarantineCommand.records(in: selection.store, includeResolved: false)
                let chosen = records.filter { all || ids.contains($0.id) }
                for id in ids where !chosen.contains(where: { $0.id == id }) { print("\(id): no open record has this id") }
                var refused = 0
                for record in chosen {
                    let batch = EventBatch(events: record.entry.events)
                    switch try await selection.store.write([batch]).first {
                    case .success(let receipt)?:
                        let resolution =
                            "stored by quarantine retry (\(triggeredBy)): \(receipt.insertedCount) new, \(receipt.eventIDs.count - receipt.insertedCount) already stored"
                        try await selection.store.resolveQuarantined(id: record.id, resolution: resolution, at: .now())
                        print("\(record.id): \(resolution)")
                        await recorder?.record(
                            .quarantineRetried(
                                recordID: record.id, events: batch.events.count, stored: receipt.insertedCount, detail: nil,
                                triggeredBy: triggeredBy, at: .now()))
                    case .failure(let refusal)?:
                        let error = batch.events.count > 1 ? refusal.shownInBatch : refusal
                        refused += 1
                        print("\(record.id): still refused: \(error.detail)")
                        await recorder?.record(
                            .quarantineRetried(
                                recordID: record.id, events: batch.events.count, stored: nil, detail: error.detail, triggeredBy: triggeredBy,
                                at: .now()))
                    case nil:
                        refused += 1
                    }
                }
                return refused
            }
            if stillRefused > 0 { throw ExitCode.failure }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the records as NDJSON (one record a line, as GET /api/v1/audit/quarantine shows them).")

        @OptionGroup var store: StoreOptions

        @Option(help: "File to write (default: standard output).")
        var output: String?

        @Flag(help: "Also export records already resolved.")
        var all = false

        @OptionGroup var selfAudit: SelfAuditOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let all = all
            let selfAudit = selfAudit
            let logger = try logging.makeLogger()
            let records = try await store.withPreparedStore(logger: logger) { selection in
                let records = try await QuarantineCommand.records(in: selection.store, includeResolved: all)
                try await selfAudit.recorder(for: selection.store, logger: logger)?.record(
                    .quarantineExported(
                        records: records.count, events: records.reduce(0) { $0 + $1.entry.events.count },
                        triggeredBy: "cli:\(SelfAuditOptions.user)", at: .now()))
                return records
            }
            var writer = JSONWriter(capacity: records.count * 2000)
            for record in records {
                QuarantineRecordJSON.write(record, into: &writer)
                writer.writeByte(0x0A)
            }
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: Data(writer.bytes), attributes: [.posixPermissions: 0o600]) else {
                    throw ValidationError("cannot write \(output)")
                }
                FileHandle.standardError.write(Data("exported \(records.count) records to \(output)\n".utf8))
            } else {
                FileHandle.standardOutput.write(Data(writer.bytes))
            }
        }
    }

    /// Every record (open ones only unless `includeResolved`), paging through the store.
    static func records(in store: any AuditStore, includeResolved: Bool) async throws -> [QuarantinedRecord] {
        var records: [QuarantinedRecord] = []
        while true {
            let page = try await store.quarantinedRecords(includeResolved: includeResolved, limit: 1000, offset: records.count)
            records += page.records
            if page.records.isEmpty || records.count >= page.total { return records }
        }
    }
}
