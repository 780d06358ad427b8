import ArgumentParser
import AuditCore
import AuditServer
import Foundation
import Logging

/// `auditledger export`: every event a query matches, streamed to a file as NDJSON or CSV, or
/// as a verifiable bundle.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every event a query matches to a file: NDJSON, CSV, or a bundle verify-bundle checks offline.",
        discussion: """
            Filters are the query API's (GET /api/v1/audit/events): the options below, and any other with \
            --filter NAME=VALUE (e.g. --filter event_data='{"selected_workflow":{"workflow_id":"w1"}}'). \
            There is no row cap; events are read a page at a time, oldest first, so memory stays flat. \
            A bundle holds each event with its log position, a proof to one signed checkpoint, the public keys and \
            a statement of what it holds, signed with --signing-key (default: signing.key in --data-dir when it exists).
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "ndjson or csv. (default: ndjson)")
    var format: String = "ndjson"

    @Option(help: "The file to write; - for standard output. (default: -)")
    var output: String = "-"

    @Option(help: "Write a verifiable bundle to this file instead (ignores --format and --output).")
    var bundle: String?

    @Option(help: "Events at or after: an RFC 3339 time, a YYYY-MM-DD day, or a duration back from now (24h, 7d).")
    var since: String?

    @Option(help: "Events up to: an RFC 3339 time or a YYYY-MM-DD day (inclusive).")
    var until: String?

    @Option(help: "Only this correlation_id.")
    var correlationId: String?

    @Option(help: "Only this event_type.")
    var eventType: String?

    @Option(help: "Only this event_category.")
    var eventCategory: String?

    @Option(name: .customLong("filter"), help: "Any other filter of the query API, NAME=VALUE (repeat for several).")
    var filters: [String] = []

    @Option(help: "With --bundle and no filters: the bundle of every log position from this one (complete, and verified so).")
    var fromPosition: Int64?

    @Option(help: "With --from-position: the end of the range (exclusive). (default: the log's size)")
    var toPosition: Int64?

    @OptionGroup var signing: SignerOptions
    @OptionGroup var logging: LoggingOptions

    func parameters() throws -> [(name: String, value: String)] {
        var parameters: [(name: String, value: String)] = []
        for (name, value) in [
            ("since", since), ("until", until), ("correlation_id", correlationId), ("event_type", eventType), ("event_category", eventCategory),
        ] {
            if let value { parameters.append((name, value)) }
        }
        for filter in filters {
            guard let equals = filter.firstIndex(of: "="), equals != filter.startIndex else {
                throw ValidationError("--filter \(filter.prefix(80)) is not NAME=VALUE")
            }
            let name = String(filter[..<equals])
            guard !["limit", "offset", "order", "cursor"].contains(name) else {
                throw ValidationError("--filter \(name) is not a filter: an export reads every matching event, oldest first")
            }
            parameters.append((name, String(filter[filter.index(after: equals)...])))
        }
        return parameters
    }

    func run() async throws {
        let parameters = try parameters()
        let query: EventQuery
        do {
            query = try EventQuery(parameters: parameters, now: .now())
        } catch {
            throw ValidationError(error.fieldErrors.map { "\($0.field) \($0.message)" }.joined(separator: "; "))
        }
        let logger = try logging.makeLogger()
        if fromPosition != nil || toPosition != nil {
            guard let bundle, parameters.isEmpty else {
                throw ValidationError("--from-position and --to-position make a bundle of a log range: give --bundle, and no filters")
            }
            try await exportRange(to: bundle, logger: logger)
            return
        }
        if let bundle {
            let signer = try signing.signer(dataDirectory: try store.resolvedDataDir())
            let count = try await store.withPreparedStore(logger: logger) { selection in
                try await ExportSink.write(to: bundle) { sink in
                    let total = try await Self.total(of: query, in: selection.store)
                    let progress = Progress("bundle", total: total)
                    var done: Int64 = 0
                    let count = try await selection.store.writeBundle(
                        matching: query, scope: BundleEvidence.scope(of: query, parameters: parameters, exportedBy: "cli:\(SelfAuditOptions.user)"),
                        signer: signer, now: .now()
                    ) { (bytes: [UInt8]) throws(AuditError) in
                        try sink.write(bytes)
                        done += Int64(bytes.count(where: { $0 == 0x0A }))
                        progress.update(min(done, total))
                    }
                    progress.finish()
                    return count
                }
            }
            Progress.note("export: \(count) events written to the bundle \(bundle)\(signer == nil ? " (statement unsigned: no signing key)" : "")")
            return
        }
        guard let format = ExportFormat(rawValue: format), format != .bundle else { throw ValidationError("--format must be ndjson or csv") }
        let output = output
        let count = try await store.withPreparedStore(logger: logger) { selection in
            try await ExportSink.write(to: output) { sink in
                let total = try await Self.total(of: query, in: selection.store)
                let progress = output == "-" ? nil : Progress("export", total: total)
                try sink.write(format.header)
                var done: Int64 = 0
                let count = try await selection.store.forEachEvent(matching: query) { (events: [StoredAuditEvent]) throws(AuditError) in
                    let links = try await ExportFormat.previousHashes(of: events, in: selection.store)
                    try sink.write(format.rows(events, sensitive: true, previousHashes: links))
                    done += Int64(events.count)
                    progress?.update(done)
                }
                progress?.finish()
                return count
            }
        }
        if output != "-" { Progress.note("export: \(count) events written to \(output)") }
    }

    /// The bundle of the log positions from --from-position to --to-position.
    func exportRange(to bundle: String, logger: Logger) async throws {
        let signer = try signing.signer(dataDirectory: try store.resolvedDataDir())
        let from = fromPosition ?? 0
        let to = toPosition
        let count = try await store.withPreparedStore(logger: logger) { selection in
            try await ExportSink.write(to: bundle) { sink in
                var end = try await selection.store.logStatus().size
                if let to { end = to }
                guard from >= 0, end > from else { throw ValidationError("--to-position must be above --from-position (\(from))") }
                let progress = Progress("bundle", total: end - from)
                var done: Int64 = 0
                let count = try await selection.store.writeBundle(positions: from..<end, signer: signer, now: .now()) {
                    (bytes: [UInt8]) throws(AuditError) in
                    try sink.write(bytes)
                    done += Int64(bytes.count(where: { $0 == 0x0A }))
                    progress.update(min(done, end - from))
                }
                progress.finish()
                return count
            }
        }
        Progress.note("export: the bundle of log positions \(from)–\(from + count - 1) (\(count) events) written to \(bundle)")
    }

    /// How many events match, for the progress bar.
    static func total(of query: EventQuery, in store: any AuditStore) async throws(AuditError) -> Int64 {
        var counting = query
        counting.limit = 1
        return Int64(try await store.events(matching: counting).total)
    }
}
