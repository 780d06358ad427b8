public import AuditCore
public import AuditSpool
public import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle

/// Builds the AuditLedger HTTP application over `store`: the same function `serve` and the
/// tests use.
///
/// The application runs `services` (the store's own, e.g. its connection pool), then — with a
/// `spool` — the ``SpoolReplayer``, then the batching writer, then the HTTP server; graceful
/// shutdown stops them in the reverse order, so requests in flight are answered before the
/// writer drains (into the store, or the spool), the replayer stops, and the store closes.
/// `store.prepare()` runs before the server accepts connections. `GET /metrics` renders
/// `metrics` (default: a registry of the application's own).
public func buildAuditApplication(
    store: any AuditLifecycleStore,
    services: [any Service] = [],
    spool: Spool? = nil,
    configuration: AuditServerConfiguration = AuditServerConfiguration(),
    http: ApplicationConfiguration = ApplicationConfiguration(),
    metrics: AuditMetrics = AuditMetrics(),
    logger: Logger
) -> some ApplicationProtocol {
    let writer = BatchWriter(store: store, spool: spool, configuration: configuration.writer, logger: logger, metrics: metrics)
    let router = Router(context: AuditRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ProblemMiddleware(problems: ProblemResponse(typeBase: configuration.problemTypeBase), metrics: metrics))
    EventWriteRoutes(writer: writer, validator: EventValidator(policy: configuration.validation), configuration: configuration)
        .register(on: router)
    EventQueryRoutes(store: store, configuration: configuration).register(on: router)
    HealthRoutes(store: store, writer: writer, spool: spool).register(on: router)
    LegalHoldRoutes(store: store, configuration: configuration).register(on: router)
    PartitionRoutes(store: store, configuration: configuration).register(on: router)
    router.get("/metrics") { _, _ in
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.render()))
        )
    }

    let replayer: [any Service] = spool.map { [SpoolReplayer(spool: $0, store: store, configuration: configuration.replay, logger: logger)] } ?? []
    var application = Application(router: router, configuration: http, services: services + replayer + [writer], logger: logger)
    application.beforeServerStarts {
        try await store.prepare()
        logger.info("store ready", metadata: ["audit.store": "\(store.kind)"])
    }
    return application
}
