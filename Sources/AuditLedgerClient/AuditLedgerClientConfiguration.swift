public import AuditCore
public import NIOSSL

/// How an ``AuditLedgerClient`` sends, keeps and retries. Every property but ``baseURL`` has a
/// documented default.
public struct AuditLedgerClientConfiguration: Sendable {
    /// How the client proves who it is to the server.
    public enum Authentication: Sendable {
        /// No credentials (a server on loopback without authentication, or behind a proxy).
        case none
        /// `Authorization: Bearer <token>`; the closure is asked before every request, so that
        /// a token that rotates (a Kubernetes projected service-account token, re-read from its
        /// file) is always current.
        case bearer(@Sendable () -> String)
    }

    /// The server, e.g. `http://auditledger.kubernaut-system:8080` (no path).
    public var baseURL: String
    /// Where events wait until the server has them: a directory for the client's own spool
    /// (created when missing; one process at a time), or `nil` for memory only. Default `nil`.
    ///
    /// With a spool, ``AuditLedgerClient/record(_:)`` writes each event to it before it
    /// returns (one `write` to the operating system, no flush): a recorded event survives the
    /// process being killed, and, once flushed (every ``spoolSyncInterval``), the machine
    /// losing power; it is sent again after a restart. In memory, events are lost with the
    /// process, and past ``memoryLimit`` new ones are dropped (counted, and reported to
    /// ``onSetAside``).
    public var spoolDirectory: String?
    /// Most bytes the spool may take; past it new events are dropped (counted and reported).
    /// Default 1 GiB.
    public var spoolMaximumBytes: Int64
    /// How often the spool is flushed to disk. Default 200 ms.
    public var spoolSyncInterval: Duration
    /// Most events kept in memory without a spool. Default 10,000.
    public var memoryLimit: Int
    /// Events per request (`POST /api/v1/audit/events/batch`) once that many wait: a batch is
    /// sent when it has this many, or after ``flushInterval``. Default 100, as Kubernaut's
    /// buffered clients send.
    public var batchSize: Int
    /// Most events per request while more than ``batchSize`` wait (a backlog after an outage,
    /// or a producer faster than one request at a time): the server's batch limit. Default 1000
    /// (the server's `--max-batch-size` default); a `413` halves a batch anyway.
    public var maximumBatchSize: Int
    /// Longest an event waits for its batch to fill before it is sent anyway. Default 1 s
    /// (Kubernaut's clients wait up to 30 s; a spool makes waiting unnecessary for safety).
    public var flushInterval: Duration
    /// First wait after a failed request, doubled after each failure in a row up to
    /// ``maximumBackoff``, with full jitter; a `Retry-After` longer than it is honoured.
    /// Default 100 ms.
    public var initialBackoff: Duration
    /// Longest wait between retries. Default 30 s.
    public var maximumBackoff: Duration
    /// Longest a request may take. Default 10 s.
    public var requestTimeout: Duration
    /// How long graceful shutdown keeps sending what is pending before it stops (what is left
    /// stays in the spool for the next start). Default 10 s.
    public var shutdownTimeout: Duration
    /// Credentials. Default ``Authentication/none``.
    public var authentication: Authentication
    /// TLS for an `https` base URL: trust roots, and a client certificate and key for mutual
    /// TLS. Default `nil`: the system's trust roots, no client certificate.
    public var tls: TLSConfiguration?
    /// The rules events are checked against before they are kept (the server's defaults:
    /// Kubernaut's limits, secrets in `event_data` redacted). An event that breaks one is
    /// refused by ``AuditLedgerClient/record(_:)`` at once, never sent.
    public var validation: ValidationPolicy
    /// Called with each event the client gives up on: refused by the server (a `4xx` about
    /// that event: validation, a conflicting id, too large), dropped for want of room, or found
    /// broken in the spool. Called on the client's own task; keep it short. Default: nothing
    /// (the client logs and counts them anyway).
    public var onSetAside: @Sendable (SetAsideEvent) -> Void

    /// Creates a configuration; every parameter but `baseURL` defaults to the value documented on its property.
    public init(
        baseURL: String, spoolDirectory: String? = nil, spoolMaximumBytes: Int64 = 1 << 30, spoolSyncInterval: Duration = .milliseconds(200),
        memoryLimit: Int = 10_000, batchSize: Int = 100, maximumBatchSize: Int = 1000, flushInterval: Duration = .seconds(1),
        initialBackoff: Duration = .milliseconds(100),
        maximumBackoff: Duration = .seconds(30), requestTimeout: Duration = .seconds(10), shutdownTimeout: Duration = .seconds(10),
        authentication: Authentication = .none, tls: TLSConfiguration? = nil, validation: ValidationPolicy = ValidationPolicy(),
        onSetAside: @escaping @Sendable (SetAsideEvent) -> Void = { _ in }
    ) {
        self.baseURL = baseURL
        self.spoolDirectory = spoolDirectory
        self.spoolMaximumBytes = spoolMaximumBytes
        self.spoolSyncInterval = spoolSyncInterval
        self.memoryLimit = memoryLimit
        self.batchSize = batchSize
        self.maximumBatchSize = max(maximumBatchSize, batchSize)
        self.flushInterval = flushInterval
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.requestTimeout = requestTimeout
        self.shutdownTimeout = shutdownTimeout
        self.authentication = authentication
        self.tls = tls
        self.validation = validation
        self.onSetAside = onSetAside
    }
}

/// An event the client gave up on, and why; see ``AuditLedgerClientConfiguration/onSetAside``.
public struct SetAsideEvent: Sendable {
    /// Why it was set aside.
    public enum Reason: String, Sendable {
        /// The server refused it (`400`, `409`, `413` about this event).
        case refused
        /// No room: the spool or the memory buffer was full.
        case dropped
    }

    /// The event as it would have been sent (its `event_id` included), as JSON.
    public var event: JSONValue
    public var reason: Reason
    /// The server's status (`nil` when dropped).
    public var status: Int?
    /// The server's problem detail, or why it was dropped.
    public var detail: String
    /// The fields the server named.
    public var fields: [String]

    public init(event: JSONValue, reason: Reason, status: Int?, detail: String, fields: [String]) {
        self.event = event
        self.reason = reason
        self.status = status
        self.detail = detail
        self.fields = fields
    }
}
