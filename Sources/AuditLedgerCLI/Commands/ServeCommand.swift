import ArgumentParser
import AuditCore
import AuditIngest
import AuditMaintenance
import AuditServer
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `auditledger serve`: runs the HTTP API until SIGTERM or SIGINT, then shuts down gracefully.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the audit API (migrates the store first)."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var standby: StandbyOptions

    @Option(help: "Address to listen on. (env: AUDITLEDGER_HOST, default: 127.0.0.1)")
    var host: String?

    @Option(help: "Port to listen on. (env: AUDITLEDGER_PORT, default: 8080)")
    var port: Int?

    @Option(help: "Largest request body in bytes; larger bodies get 413. (env: AUDITLEDGER_MAX_BODY_BYTES, default: 5242880)")
    var maxBodyBytes: Int?

    @Option(help: "Most events in one batch request. (env: AUDITLEDGER_MAX_BATCH_SIZE, default: 1000)")
    var maxBatchSize: Int?

    @Option(help: "How far event_timestamp may be in the future, in seconds. (env: AUDITLEDGER_MAX_FUTURE_SECONDS, default: 3600)")
    var maxFutureSeconds: Int64?

    @Option(
        help:
            "How far event_timestamp may be in the past, in seconds; raise it to import history. (env: AUDITLEDGER_MAX_AGE_SECONDS, default: 604800)")
    var maxAgeSeconds: Int64?

    @Option(help: "Most events waiting to be written before new writes get 503. (env: AUDITLEDGER_MAX_QUEUED_EVENTS, default: 50000)")
    var maxQueuedEvents: Int?

    @Option(
        help:
            "Most write transactions in flight at once; a request whose events or parents are in one waits for it. (env: AUDITLEDGER_WRITER_TRANSACTIONS, default: 2)"
    )
    var writerTransactions: Int?

    @Option(help: "Seconds between maintenance runs (months ahead, retention). (env: AUDITLEDGER_MAINTENANCE_INTERVAL, default: 3600)")
    var maintenanceInterval: Int?

    @Option(
        help: """
            Directory for retention archives; setting it turns retention on (months past retention are archived, verified, then \
            removed). (env: AUDITLEDGER_ARCHIVE_DIR, default: none, retention off)
            """
    )
    var archiveDir: String?

    @Option(
        help: """
            Directory of the local spool that keeps accepted events (answered 202) while the store is unavailable. \
            (env: AUDITLEDGER_SPOOL_DIR, default: the spool directory in --data-dir)
            """
    )
    var spoolDir: String?

    @Option(help: "Most bytes the spool may take on disk; past it, such writes get 503. (env: AUDITLEDGER_SPOOL_MAX_BYTES, default: 1073741824)")
    var spoolMaxBytes: Int64?

    @Flag(help: "Answer 503 instead of spooling when the store is unavailable. (env: AUDITLEDGER_DISABLE_SPOOL=true)")
    var disableSpool = false

    @Flag(
        help: """
            Derive the event_id of events sent without one from their content: a retried request is stored once, but identical \
            events sent separately are merged. (env: AUDITLEDGER_CONTENT_DERIVED_IDS=true, default: off, each event gets a new id)
            """
    )
    var contentDerivedIds = false

    @Option(help: "Seconds a connection may wait for a request before it is closed. (env: AUDITLEDGER_IDLE_TIMEOUT, default: 75)")
    var idleTimeout: Int?

    @Option(
        help: "Seconds a request body may take to arrive once its head has; then 408. (env: AUDITLEDGER_READ_TIMEOUT, default: 30)")
    var readTimeout: Int?

    @Option(
        help: """
            Most HTTP connections open at once; more wait in the listen backlog. (env: AUDITLEDGER_MAX_CONNECTIONS, default: 4096, or \
            the open-file limit less 128 when that is lower)
            """
    )
    var maxConnections: Int?

    @Option(
        help: """
            Longest a graceful shutdown (SIGTERM) may take before what is left is cancelled; requests still arriving get at most \
            --read-timeout. (env: AUDITLEDGER_SHUTDOWN_TIMEOUT, default: 45)
            """
    )
    var shutdownTimeout: Int?

    @OptionGroup var access: AccessOptions

    @OptionGroup var tls: TLSOptions

    @OptionGroup var redaction: RedactionOptions

    @OptionGroup var eventSchemas: EventSchemaOptions

    @OptionGroup var rateLimit: RateLimitOptions

    @OptionGroup var checkpoints: CheckpointOptions

    @OptionGroup var logging: LoggingOptions

    @Option(
        help: """
            Level of the access log's line per request (method, route, status, duration, principal, request id), or off; logged \
            when at or above --log-level. (env: AUDITLEDGER_ACCESS_LOG_LEVEL, default: info)
            """)
    var accessLogLevel: AccessLogLevel?

    /// The listening address and server configuration these options resolve to.
    struct Settings {
        var host: String
        var port: Int
        var configuration: AuditServerConfiguration
        var maintenanceInterval: Int
        var archiveDirectory: String?
        /// Where and how large the spool is; `nil` when disabled.
        var spool: SpoolConfiguration?
        /// Longest a graceful shutdown may take.
        var shutdownTimeout: Duration
        /// Authentication by the Kubernetes API (`--kubernetes-auth`), made into
        /// ``AuditServer/AccessConfiguration/kubernetes`` when the server starts.
        var kubernetes: KubernetesAccessConfiguration?
        /// OIDC/JWT bearer tokens (`--jwt-issuer`), made into ``AuditServer/AccessConfiguration/jwt``
        /// when the server starts (a JWKS file is read then).
        var jwt: JWTAccessConfiguration?
    }

    /// 4096, or the process's open-file limit less 128 (for the database, the spool and the
    /// store's files) when that is lower, so that accepting never fails for want of descriptors.
    static var defaultMaximumConnections: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 4096 }
        return max(64, min(4096, Int(clamping: limit.rlim_cur) - 128))
    }

    /// Resolves every option: flag, else `AUDITLEDGER_*` variable, else default; checks ranges.
    func settings(logger: Logger = Logger(label: "auditledger")) throws -> Settings {
        var configuration = AuditServerConfiguration()
        let host = try resolve(host, env: "AUDITLEDGER_HOST", default: "127.0.0.1")
        let port = try resolve(port, env: "AUDITLEDGER_PORT", default: 8080)
        configuration.tls = try tls.serverTLS()
        let accessSettings = try access.configuration(host: host, identifiesClients: configuration.tls?.identifiesClients == true, logger: logger)
        configuration.access = accessSettings.access
        configuration.selfAudit.enabled = try resolve(access.selfAudit ? true : nil, env: "AUDITLEDGER_SELF_AUDIT", default: false)
        configuration.validation.redaction = try redaction.redaction()
        configuration.eventSchemas = try eventSchemas.registry()
        configuration.writeRateLimit = try rateLimit.configuration()
        configuration.maximumBodyBytes = try resolve(maxBodyBytes, env: "AUDITLEDGER_MAX_BODY_BYTES", default: 5 * 1024 * 1024)
        configuration.validation.maximumBatchSize = try resolve(maxBatchSize, env: "AUDITLEDGER_MAX_BATCH_SIZE", default: 1000)
        configuration.validation.maximumFutureSkewSeconds = try resolve(maxFutureSeconds, env: "AUDITLEDGER_MAX_FUTURE_SECONDS", default: 3600)
        configuration.validation.maximumAgeSeconds = try resolve(maxAgeSeconds, env: "AUDITLEDGER_MAX_AGE_SECONDS", default: 7 * 86_400)
        configuration.writer.maximumQueuedEvents = try resolve(maxQueuedEvents, env: "AUDITLEDGER_MAX_QUEUED_EVENTS", default: 50_000)
        configuration.writer.maximumConcurrentTransactions = try resolve(writerTransactions, env: "AUDITLEDGER_WRITER_TRANSACTIONS", default: 2)
        guard (1...65_535).contains(port) else { throw ValidationError("the port must be between 1 and 65535, not \(port)") }
        guard configuration.maximumBodyBytes > 0, configuration.validation.maximumBatchSize > 0,
            configuration.validation.maximumFutureSkewSeconds >= 0, configuration.validation.maximumAgeSeconds >= 0,
            configuration.writer.maximumQueuedEvents > 0, (1...16).contains(configuration.writer.maximumConcurrentTransactions)
        else {
            throw ValidationError(
                "body size, batch size and queue limits must be positive; --writer-transactions between 1 and 16; time limits must not be negative")
        }
        if try resolve(contentDerivedIds ? true : nil, env: "AUDITLEDGER_CONTENT_DERIVED_IDS", default: false) {
            configuration.validation.eventIDs = .contentDerived
        }
        let idle = try resolve(idleTimeout, env: "AUDITLEDGER_IDLE_TIMEOUT", default: 75)
        let read = try resolve(readTimeout, env: "AUDITLEDGER_READ_TIMEOUT", default: 30)
        let connections = try resolve(maxConnections, env: "AUDITLEDGER_MAX_CONNECTIONS", default: Self.defaultMaximumConnections)
        let shutdown = try resolve(shutdownTimeout, env: "AUDITLEDGER_SHUTDOWN_TIMEOUT", default: 45)
        guard idle > 0, read > 0, connections > 0, shutdown > 0 else {
            throw ValidationError("--idle-timeout, --read-timeout, --max-connections and --shutdown-timeout must be positive")
        }
        configuration.accessLogLevel = try resolve(accessLogLevel, env: "AUDITLEDGER_ACCESS_LOG_LEVEL", default: .info).level
        configuration.connections = ConnectionLimits(idleTimeout: .seconds(idle), readTimeout: .seconds(read), maximumConnections: connections)
        let interval = try resolve(maintenanceInterval, env: "AUDITLEDGER_MAINTENANCE_INTERVAL", default: 3600)
        guard interval > 0 else { throw ValidationError("the maintenance interval must be positive") }
        let archiveDirectory = try resolve(archiveDir, env: "AUDITLEDGER_ARCHIVE_DIR")
        var spool: SpoolConfiguration?
        if !(try resolve(disableSpool ? true : nil, env: "AUDITLEDGER_DISABLE_SPOOL", default: false)) {
            let directory = try resolve(spoolDir, env: "AUDITLEDGER_SPOOL_DIR", default: try store.resolvedDataDir() + "/spool")
            let maximumBytes = try resolve(spoolMaxBytes, env: "AUDITLEDGER_SPOOL_MAX_BYTES", default: 1 << 30)
            guard maximumBytes > 0 else { throw ValidationError("--spool-max-bytes must be positive (use --disable-spool to turn the spool off)") }
            spool = SpoolConfiguration(directory: directory, maximumBytes: maximumBytes)
            // For the fault tests only: crash on purpose at this point of the spool.
            if let point = CommandEnvironment.variables["AUDITLEDGER_TEST_SPOOL_CRASH"], !point.isEmpty {
                guard let crashPoint = SpoolCrashPoint(rawValue: point) else {
                    throw ValidationError(
                        "AUDITLEDGER_TEST_SPOOL_CRASH must be one of \(SpoolCrashPoint.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                spool?.crashPoint = crashPoint
            }
        }
        return Settings(
            host: host, port: port, configuration: configuration, maintenanceInterval: interval, archiveDirectory: archiveDirectory,
            spool: spool, shutdownTimeout: .seconds(shutdown), kubernetes: accessSettings.kubernetes, jwt: accessSettings.jwt
        )
    }

    func run() async throws {
        let logger = try logging.makeLogger()
        var settings = try settings(logger: logger)
        settings.configuration.checkpoints = try checkpoints.settings(dataDirectory: try store.resolvedDataDir(), logger: logger)
        logger.info(
            "signing checkpoints",
            metadata: [
                "audit.signing_key.public": "\(settings.configuration.checkpoints.key?.verifier.description ?? "")",
                "audit.checkpoint.witnesses": "\(settings.configuration.checkpoints.witnesses.map(\.description))",
            ])
        if let kubernetes = settings.kubernetes {
            settings.configuration.access.kubernetes = KubernetesAuthenticator(
                reviewer: try KubernetesReviewer(configuration: kubernetes, logger: logger))
        }
        if let jwt = settings.jwt {
            do {
                settings.configuration.access.jwt = try await JWTAuthenticator(configuration: jwt, logger: logger)
            } catch {
                throw ValidationError("--jwt-jwks-file: \(error.description)")
            }
        }
        if !settings.configuration.access.authenticates, settings.configuration.tls?.identifiesClients != true,
            !AccessOptions.isLoopback(settings.host)
        {
            logger.warning(
                "serving without authentication beyond loopback (--insecure-no-auth): anyone who reaches the port may write, read and place holds",
                metadata: ["http.address": "\(settings.host):\(settings.port)"])
        }
        // One registry for AuditLedger's metrics and those of its libraries (connection pool, …).
        let metrics = AuditMetrics()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        let selection = try store.makeStore(logger: logger)
        let standbyReads = try standby.makeStandbyReads(primary: selection.store, logger: logger)
        logger.info("starting", metadata: ["audit.store": "\(selection.description)", "http.address": "\(settings.host):\(settings.port)"])
        if let standbyReads {
            logger.info("queries read the standby", metadata: ["audit.standby": "\(standbyReads.description)"])
        }
        var spool: Spool?
        if let configuration = settings.spool {
            spool = try await Spool.open(configuration: configuration, logger: logger, metrics: metrics.ingest)
            logger.info(
                "spool ready", metadata: ["audit.spool.directory": "\(configuration.directory)", "audit.spool.events": "\(spool!.status.events)"])
        }
        let maintenanceConfiguration = MaintenanceService.Configuration(
            interval: .seconds(settings.maintenanceInterval),
            monthsAhead: try store.resolvedMonthsAhead(),
            archiveDirectory: settings.archiveDirectory,
            signer: settings.configuration.checkpoints.key
        )
        // The background verifier trusts the key file's keys only.
        let verifier: [any Service] =
            try checkpoints.resolvedVerifyInterval().map { interval in
                [
                    LogVerifier(
                        store: selection.store, trustedKeys: settings.configuration.checkpoints.trustedKeys,
                        configuration: LogVerifier.Configuration(interval: interval), logger: logger)
                ]
            } ?? []
        let application = buildAuditApplication(
            store: selection.store,
            services: selection.services + (standbyReads.map { [$0.store] } ?? []),
            // Retention's removals are recorded in the server's own trail (with --self-audit).
            recordingServices: { trail in
                [MaintenanceService(store: selection.store, configuration: maintenanceConfiguration, recorder: trail, logger: logger)]
                    + verifier
            },
            spool: spool,
            standbyReads: standbyReads?.reads,
            configuration: settings.configuration,
            http: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "AuditLedger"),
            metrics: metrics,
            logger: logger
        )
        // SIGTERM or SIGINT: a graceful shutdown, bounded by --shutdown-timeout.
        var group = ServiceGroupConfiguration(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = settings.shutdownTimeout
        try await ServiceGroup(configuration: group).run()
    }
}
