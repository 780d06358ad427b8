public import AuditCore
public import AuditIngest
public import Logging

/// How the HTTP application behaves. Every property has a documented default.
public struct AuditServerConfiguration: Sendable {
    /// Largest request body in bytes; larger bodies get 413. Default 5 MiB.
    public var maximumBodyBytes: Int
    /// Write rules for events (time window, `event_data` limits, batch size).
    public var validation: ValidationPolicy
    /// Group-commit writer settings.
    public var writer: BatchWriter.Configuration
    /// Spool replay settings (used when the application has a spool).
    public var replay: SpoolReplayer.Configuration
    /// The log sequencer's settings (``AuditIngest/LogSequencer``): a step every 200 ms while
    /// events arrive, backing off to one every 5 s while there is nothing to log.
    public var sequencer: LogSequencer.Configuration
    /// Connection timeouts and limit.
    public var connections: ConnectionLimits
    /// Prefix of every RFC 7807 `type`. Default `https://kubernaut.ai/problems/`, the prefix
    /// Kubernaut's clients expect (their generated code checks it), so they read our errors unchanged.
    public var problemTypeBase: String
    /// Where the current time comes from (injected in tests). Default: the system clock.
    public var clock: @Sendable () -> AuditTimestamp
    /// Authentication and the open routes. Default: no authentication (every request acts as
    /// ``AuditCore/Principal/unauthenticated``), which `serve` allows only on loopback.
    public var access: AccessConfiguration
    /// Write requests per principal (``RateLimiter``). Default `nil`: no limit, as in Kubernaut.
    public var writeRateLimit: RateLimiter.Configuration?
    /// HTTPS, and client certificates (``ServerTLS``). Default `nil`: plain HTTP (put a TLS
    /// proxy in front, or listen on loopback only).
    public var tls: ServerTLS?
    /// The server's own audit events (``ServerAuditTrail``). Default: off (see
    /// ``ServerAuditTrail/Configuration/enabled``); refusals counted over 60 s when on.
    public var selfAudit: ServerAuditTrail.Configuration
    /// Signed checkpoints of the log (``CheckpointSettings``). Default: no signing key, so no
    /// checkpoints (`serve` always has a key: given, or generated in the data directory).
    public var checkpoints: CheckpointSettings
    /// The level of the access log's one line per request (method, route, path, status,
    /// duration, principal, request id). Default `.info`; `nil`: no access log.
    public var accessLogLevel: Logger.Level?
    /// Schemas of `event_data` by event type, and the mode each is checked in
    /// (docs/event-types.md). Default ``AuditCore/EventSchemaRegistry/builtIn``: the seeds'
    /// types, each in `warn` (counted, never refused).
    public var eventSchemas: EventSchemaRegistry

    /// Creates a configuration; every parameter defaults to the value documented on its property.
    public init(
        maximumBodyBytes: Int = 5 * 1024 * 1024,
        validation: ValidationPolicy = ValidationPolicy(),
        writer: BatchWriter.Configuration = BatchWriter.Configuration(),
        replay: SpoolReplayer.Configuration = SpoolReplayer.Configuration(),
        sequencer: LogSequencer.Configuration = LogSequencer.Configuration(),
        connections: ConnectionLimits = ConnectionLimits(),
        problemTypeBase: String = "https://kubernaut.ai/problems/",
        clock: @escaping @Sendable () -> AuditTimestamp = { AuditTimestamp.now() },
        access: AccessConfiguration = AccessConfiguration(),
        writeRateLimit: RateLimiter.Configuration? = nil,
        tls: ServerTLS? = nil,
        selfAudit: ServerAuditTrail.Configuration = ServerAuditTrail.Configuration(),
        checkpoints: CheckpointSettings = CheckpointSettings(),
        accessLogLevel: Logger.Level? = .info,
        eventSchemas: EventSchemaRegistry = .builtIn
    ) {
        self.eventSchemas = eventSchemas
        self.accessLogLevel = accessLogLevel
        self.checkpoints = checkpoints
        self.tls = tls
        self.selfAudit = selfAudit
        self.writeRateLimit = writeRateLimit
        self.access = access
        self.maximumBodyBytes = maximumBodyBytes
        self.validation = validation
        self.writer = writer
        self.replay = replay
        self.sequencer = sequencer
        self.connections = connections
        self.problemTypeBase = problemTypeBase
        self.clock = clock
    }
}
