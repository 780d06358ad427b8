public import ArgumentParser
import Foundation

/// `auditledger-bench`: the project's benchmark harness and fault tests.
public struct BenchCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "auditledger-bench",
        abstract: "Measure AuditLedger against PostgreSQL's own limits, and break it on purpose.",
        subcommands: [Run.self, Fault.self, ClientLoadRun.self, HotPathRun.self]
    )

    public init() {}

    /// The executable's entry point: parses the process arguments, runs the command, exits.
    public static func start() async {
        await main()
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every benchmark phase and write report.json and report.md.",
            discussion: """
                Each phase starts from an empty database (created and dropped through --database-url, a role that may create \
                databases) and, for API phases, a fresh `auditledger serve` child process. Build both in release mode first: \
                swift build -c release --product auditledger && swift build -c release --product auditledger-bench
                """
        )

        @Option(help: "PostgreSQL URL of a role that may create databases. (env: AUDITLEDGER_BENCH_DATABASE_URL; without it, SQLite only)")
        var databaseURL: String?

        @Option(help: "The auditledger executable to serve with. (default: the one next to this program)")
        var server: String?

        @Option(help: "Where report.json and report.md go. (default: ./bench-results)")
        var output = "./bench-results"

        @Option(help: "Events per write phase. (default: 100000)")
        var events = 100_000

        @Option(help: "Events for the one-INSERT-per-event phase. (default: 30000)")
        var naiveEvents = 30_000

        @Option(help: "Events loaded for the PostgreSQL query phase (10000000 for the large run). (default: 1000000)")
        var queryEvents = 1_000_000

        @Option(help: "Events loaded for the SQLite query phase. (default: 200000)")
        var sqliteQueryEvents = 200_000

        @Option(help: "Requests per query kind. (default: 300)")
        var queryRequests = 300

        @Option(help: "Connections for the single-event phase. (default: 64)")
        var connections = 64

        @Option(help: "Connections for the overload phase. (default: 512)")
        var overloadConnections = 512

        @Option(help: "Events timed from their 201 to a signed checkpoint during each single-event phase. (default: 100)")
        var lagSamples = 100

        @Option(
            help:
                "Rounds of raw COPY followed at once by the batch endpoint (1,000 per request); the batch target takes the median of the rounds' ratios. (default: 1)"
        )
        var pairedRounds = 1

        @Option(help: "Seed of the event generator. (default: 42)")
        var seed: UInt64 = 42

        @Flag(name: .customLong("skip-sqlite"), help: "Skip the embedded (SQLite) store.")
        var skipSQLite = false

        @Flag(help: "Serve with --auth-tokens and send a bearer token with every request.")
        var authenticate = false

        @Flag(
            help:
                "Run only raw COPY and the batch phases against PostgreSQL (no hot path, naive, single-event, query or SQLite phases), each database migrated by the server under test, to compare writers quickly (--server may name another version's auditledger)."
        )
        var batchOnly = false

        @Flag(
            help:
                "Run only raw COPY and the single-event phase against PostgreSQL, each database migrated by the server under test (so that --server may name another version's auditledger); with --lag-samples 0 for a server without proofs."
        )
        var singleOnly = false

        @Option(
            name: .customLong("server-argument"), parsing: .unconditionalSingleValue,
            help: "An argument added to every `auditledger serve` the run starts (repeat it; e.g. --server-argument --writer-transactions=1).")
        var serverArguments: [String] = []

        func validate() throws {
            if batchOnly && singleOnly { throw ValidationError("--batch-only and --single-only exclude each other") }
            if pairedRounds < 1 { throw ValidationError("--paired-rounds must be at least 1") }
            if pairedRounds > 1 && singleOnly { throw ValidationError("--paired-rounds needs the batch phases; --single-only has none") }
        }

        func run() async throws {
            let work = NSTemporaryDirectory() + "auditledger-bench-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            let settings = BenchRun.Settings(
                adminURL: databaseURL ?? ProcessInfo.processInfo.environment["AUDITLEDGER_BENCH_DATABASE_URL"],
                server: server ?? executable.appendingPathComponent("auditledger").path, workDirectory: work, loadEvents: events,
                naiveEvents: naiveEvents, queryEvents: queryEvents, sqliteQueryEvents: sqliteQueryEvents, queryRequests: queryRequests,
                connections: connections, overloadConnections: overloadConnections, seed: seed,
                includeSQLite: !skipSQLite && !batchOnly && !singleOnly,
                authenticate: authenticate, phases: batchOnly ? .batch : singleOnly ? .single : .all, serverArguments: serverArguments,
                lagSamples: lagSamples, pairedRounds: pairedRounds
            )
            let report: BenchReport
            do {
                report = try await BenchRun(settings: settings) { line in
                    FileHandle.standardError.write(Data("bench: \(line)\n".utf8))
                }.run()
            } catch {
                // A developer's tool: the driver's whole text (PostgresNIO hides it in the default description).
                FileHandle.standardError.write(Data("bench: failed: \(String(reflecting: error))\n".utf8))
                throw error
            }
            try report.write(to: output)
            print(report.markdown)
            try? FileManager.default.removeItem(atPath: work)
        }
    }
}
