import ArgumentParser
import AuditCore
import AuditPostgres

/// `auditledger partitions convert --table NAME`.
struct ConvertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Copy an existing non-partitioned audit table into the partitioned layout, in batches, then check the counts.",
        discussion: """
            PostgreSQL only. Rows go through the same validation and write path as the API, keeping their event_id, in \
            (event_timestamp, event_id) order; running it again resumes without storing anything twice. The source is \
            dropped only with --drop-source, and only after every source event_id is found in audit_events.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "The table to convert (e.g. audit_events_legacy, or schema.table).")
    var table: String

    @Option(help: "Rows per batch. (default: 5000)")
    var batchSize: Int = 5000

    @Flag(help: "Drop the source table once every row is verified in audit_events.")
    var dropSource = false

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...50_000).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 50000") }
    }

    func run() async throws {
        let table = table
        let batchSize = batchSize
        let dropSource = dropSource
        let conversion = try await store.withPreparedStore(logger: try logging.makeLogger()) { selection in
            guard let postgres = selection.postgres else { throw ValidationError("convert applies to PostgreSQL only") }
            var bar: Progress?
            let result = try await postgres.convert(table: table, batchSize: batchSize, dropSource: dropSource) { done, total in
                if bar == nil { bar = Progress("converting \(table)", total: total) }
                bar?.update(done)
            }
            bar?.finish()
            return result
        }
        print(
            "converted \(table): \(conversion.sourceRows) rows, \(conversion.inserted) stored, \(conversion.alreadyStored) already stored; count check passed"
                + (conversion.droppedSource ? "; source dropped" : "")
        )
    }
}
