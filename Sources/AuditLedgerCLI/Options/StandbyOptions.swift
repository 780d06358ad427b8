import ArgumentParser
import AuditCore
import AuditPostgres
import AuditServer
import CoreMetrics
import Logging
import ServiceLifecycle

/// `serve --read-database-url`: queries from a PostgreSQL standby (``AuditServer/StandbyReads``).
struct StandbyOptions: ParsableArguments {
    @Option(
        name: .customLong("read-database-url"),
        help: """
            postgres://… of a streaming-replication hot standby of the primary in --database-url: the query API's \
            pages, the correlation timeline and the stats read it; writes, holds and everything else stay on the \
            primary. (env: AUDITLEDGER_READ_DATABASE_URL, default: none, every read on the primary)
            """
    )
    var readDatabaseURL: String?

    @Option(
        help: """
            Milliseconds a read asking for read-your-writes (header X-AuditLedger-Consistency: read-your-writes) waits \
            for the standby to replay the primary's position before the primary answers it. \
            (env: AUDITLEDGER_READ_YOUR_WRITES_WAIT, default: 2000)
            """
    )
    var readYourWritesWait: Int?

    /// The standby's settings and its store (a service to run), or `nil` without `--read-database-url`.
    /// - Throws: `ValidationError` when the URL is not PostgreSQL's, or the primary is not a PostgreSQL store.
    func makeStandbyReads(
        primary: any AuditLifecycleStore, logger: Logger
    ) throws -> (reads: StandbyReads, store: PostgresStore, description: String)? {
        guard let url = try resolve(readDatabaseURL, env: "AUDITLEDGER_READ_DATABASE_URL") else { return nil }
        guard let primary = primary as? PostgresStore else {
            throw ValidationError("--read-database-url needs a PostgreSQL primary in --database-url (the embedded store has no standby)")
        }
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw ValidationError("--read-database-url must start with postgres:// or postgresql://")
        }
        let milliseconds = try resolve(readYourWritesWait, env: "AUDITLEDGER_READ_YOUR_WRITES_WAIT", default: 2000)
        guard (0...60_000).contains(milliseconds) else { throw ValidationError("--read-your-writes-wait must be between 0 and 60000 milliseconds") }
        let configuration: PostgresStoreConfiguration
        do {
            configuration = try PostgresStoreConfiguration(url: url)
        } catch {
            throw ValidationError("--read-database-url: \(error.detail)")
        }
        // The pool metrics are the primary's: the standby's pool would report under the same names.
        let standby = PostgresStore(configuration: configuration, logger: logger, metricsFactory: NOOPMetricsHandler.instance)
        return (
            StandbyReads(standby: standby, primary: primary, readYourWritesWait: .milliseconds(milliseconds)), standby, configuration.displayTarget
        )
    }
}
