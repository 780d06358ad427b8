public import AuditCore
public import AuditIngest
public import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
public import ServiceLifecycle

/// Builds the AuditLedger HTTP application over `store`: the same function `serve` and the
/// tests use.
///
/// The application runs `services` (the store's own, e.g. its connection pool, and the
/// standby's), then — with `standbyReads` — the ``StandbyLagMonitor``, then — with a
/// `spool` — the ``AuditIngest/SpoolReplayer``, then — with a signing key — the
/// ``AuditIngest/Checkpointer``, then the log's ``AuditIngest/LogSequencer``, then
/// the batching writer, then the services
/// `recordingServices` makes with the server's ``ServerAuditTrail`` as their recorder (the
/// maintenance service), then the trail, then the HTTP server;
/// graceful shutdown stops them in the reverse order, so requests in flight are answered before
/// the writer drains (into the store, or the spool), the replayer stops, and the store closes.
/// `store.prepare()` runs before the server accepts connections. `GET /metrics` renders
/// `metrics` (default: a registry of the application's own). Connections are kept within
/// ``AuditServerConfiguration/connections``; `http` gives the address and server name. Every
/// route but `/health/*` (and `/metrics` when ``AccessConfiguration/metricsOpen``) needs a
/// principal with its scope (``AuditServerConfiguration/access``).
public func buildAuditApplication(
    store: any AuditLifecycleStore,
    services: [any Service] = [],
    recordingServices: (any SelfAuditRecorder) -> [any Service] = { _ in [] },
    spool: Spool? = nil,
    standbyReads: StandbyReads? = nil,
    configuration: AuditServerConfiguration = AuditServerConfiguration(),
    http: ApplicationConfiguration = ApplicationConfiguration(),
    metrics: AuditMetrics = AuditMetrics(),
    logger: Logger
) -> some ApplicationProtocol {
    let writer = BatchWriter(store: store, spool: spool, configuration: configuration.writer, logger: logger, metrics: metrics.ingest)
    let trail = ServerAuditTrail(
        configuration: configuration.selfAudit, writer: writer, validation: configuration.validation, tokens: configuration.access.tokens,
        clock: configuration.clock, logger: logger)
    let problems = ProblemResponse(typeBase: configuration.problemTypeBase)
    let router = Router(context: AuditRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: RequestLogMiddleware(metrics: metrics, level: configuration.accessLogLevel))
    router.add(middleware: ProblemMiddleware(problems: problems, metrics: metrics))
    router.add(middleware: OriginPolicy(allowedOrigins: configuration.access.allowedOrigins))
    router.add(
        middleware: AuthenticationMiddleware(
            configuration: configuration.access, clientCertificateScopes: configuration.tls.flatMap { $0.identifiesClients ? $0.clientScopes : nil },
            trail: trail, clock: configuration.clock))
    let routes = RouteRegistry(router: router)

    let audit = routes.group("/api/v1/audit")
    let writes = EventWriteRoutes(
        writer: writer, validator: EventValidator(policy: configuration.validation), configuration: configuration, metrics: metrics)
    writes.register(on: audit)
    KubernetesExecutionRoutes(writes: writes, store: store).register(on: audit)
    NotificationRoutes(writes: writes).register(on: audit)
    let reads = ReadRouter(primary: store, standby: standbyReads, logger: logger)
    EventQueryRoutes(store: store, reads: reads, configuration: configuration).register(on: audit)
    LegalHoldRoutes(store: store, configuration: configuration, metrics: metrics, trail: trail).register(on: audit)
    PartitionRoutes(store: store, configuration: configuration).register(on: audit)
    QuarantineRoutes(store: store, metrics: metrics).register(on: audit)
    IntegrityRoutes(store: store, configuration: configuration).register(on: audit)
    ExportRoutes(store: store, configuration: configuration).register(on: audit)
    TimelineRoutes(reads: reads).register(on: audit)
    StatsRoutes(reads: reads, configuration: configuration).register(on: audit)
    let checkpointer = configuration.checkpoints.key.map { key in
        Checkpointer(
            store: store, key: key, configuration: configuration.checkpoints.checkpointer, witnesses: configuration.checkpoints.witnesses,
            metrics: metrics.ingest, logger: logger)
    }
    CheckpointRoutes(store: store, checkpointer: checkpointer, settings: configuration.checkpoints).register(on: audit)

    DocumentRoutes().register(on: routes.group("/api/v1"))
    HealthRoutes(store: store, writer: writer, spool: spool).register(on: routes.group("/health"))
    routes.group("/metrics").get("", scope: configuration.access.metricsOpen ? nil : .admin) { _, _ in
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.render()))
        )
    }
    routes.answerOtherMethods(problems: problems)

    // First, so that it is shut down last: requests still being answered may need it.
    let reviewer: [any Service] = configuration.access.kubernetes.map { [$0.reviewer] } ?? []
    let sequencer = LogSequencer(store: store, configuration: configuration.sequencer, metrics: metrics.ingest, logger: logger)
    let replayer: [any Service] = spool.map { [SpoolReplayer(spool: $0, store: store, configuration: configuration.replay, logger: logger)] } ?? []
    let lagMonitor: [any Service] = standbyReads.map { [StandbyLagMonitor(settings: $0, metrics: metrics, logger: logger)] } ?? []
    var http = http
    http.availableConnectionsDelegate = MaximumAvailableConnections(configuration.connections.maximumConnections, logger: logger)
    var application = Application(
        router: router,
        server: .guardedHTTP1(limits: configuration.connections, problems: problems, tls: configuration.tls, logger: logger),
        configuration: http,
        // The trail last, so that it stops first and its last events still reach the writer;
        // the recording services (maintenance) after the writer, so that it is still there when they stop.
        // The sequencer before the writer, so that it stops after it and logs the writer's last commits;
        // the checkpointer before the sequencer, so that its last checkpoint covers those.
        services: reviewer + services + lagMonitor + replayer + (checkpointer.map { [$0] } ?? []) + [sequencer, writer] + recordingServices(trail) + [
            trail
        ],
        logger: logger
    )
    application.beforeServerStarts {
        try await store.prepare()
        if let counts = try? await store.quarantineCounts() { metrics.ingest.quarantine(records: counts.records, events: counts.events) }
        if let holds = try? await store.activeHolds() { metrics.legalHoldsActive(holds.count) }
        logger.info("store ready", metadata: ["audit.store": "\(store.kind)"])
    }
    return application
}
