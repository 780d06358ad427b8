import AsyncHTTPClient
public import AuditCore
import AuditIngest
public import Logging
import NIOCore
import NIOPosix
public import ServiceLifecycle
import Synchronization

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A producer's client for AuditLedger (or any Kubernaut Data Storage audit API) that never
/// loses an event it accepted and never makes its caller wait.
///
/// ```swift
/// let client = try await AuditLedgerClient(
///     configuration: .init(baseURL: "http://auditledger:8080", spoolDirectory: "/var/lib/gateway/audit-spool"),
///     logger: logger)
/// // In the service group, so that it sends in the background and drains on shutdown:
/// let group = ServiceGroup(services: [client, …], logger: logger)
/// client.record(GatewaySignalEvent(…).request)
/// ```
///
/// - ``record(_:)`` checks the event as the server would (Kubernaut's rules; secrets in
///   `event_data` redacted), gives it an `event_id` when it has none, keeps it (in the spool: one
///   `write`, no flush, no suspension) and returns. It throws nothing: a broken event is
///   answered ``RecordOutcome/invalid(_:)``, no room ``RecordOutcome/dropped(_:)``.
/// - ``run()`` (a ServiceLifecycle service) sends what is kept in batches of
///   ``AuditLedgerClientConfiguration/batchSize``, or after ``AuditLedgerClientConfiguration/flushInterval``,
///   to `POST /api/v1/audit/events/batch`. Every event carries its id, so a batch sent again
///   after a lost answer or a crash is stored once. `5xx`, `429`, `401`/`403` and network
///   failures are retried with capped exponential backoff and jitter, honouring `Retry-After`,
///   for as long as it takes; an event the server refuses (`400`, `409`, `413` about it) is set
///   aside — reported to ``AuditLedgerClientConfiguration/onSetAside``, counted, logged, and, with
///   a spool, kept in its `set-aside.ndjson` — and the rest of its batch sent again. On graceful
///   shutdown it keeps sending for up to ``AuditLedgerClientConfiguration/shutdownTimeout``; what
///   is left stays in the spool and goes out after the next start.
/// - ``flush(timeout:)`` sends at once and waits until nothing is pending.
public final class AuditLedgerClient: Service, Sendable {
    /// What ``record(_:)`` did with an event.
    public enum RecordOutcome: Sendable {
        /// Kept, under this `event_id`; it will reach the server.
        case recorded(UUID)
        /// It breaks the write rules (named in the error); not kept.
        case invalid(AuditError)
        /// No room (the spool or the memory buffer is full); not kept.
        case dropped(AuditError)

        /// The event's id, when it was kept.
        public var eventID: UUID? {
            if case .recorded(let id) = self { id } else { nil }
        }
    }

    public let configuration: AuditLedgerClientConfiguration
    let queue: any ClientQueue
    let spool: Spool?
    let http: HTTPClient
    let validator: EventValidator
    let metrics: ClientMetrics
    let logger: Logger
    /// Ids set aside while this process runs, skipped when their batch is sent again.
    let setAsideIDs = Mutex<Set<UUID>>([])
    /// Raised by ``flush(timeout:)``: send what is pending without waiting for a full batch.
    let flushing = Atomic<Int>(0)
    /// Raised by ``flush(timeout:)`` to wake the sender (events recorded wake it through the queue).
    let flushRequested = WakeSignal()
    private let closed = Atomic<Bool>(false)

    /// Opens the spool (when configured; another process holding it is an error) and prepares
    /// the connections; nothing is sent until ``run()`` runs.
    /// - Throws: `validation-error` for a base URL that is not `http` or `https`; `unavailable`
    ///   when the spool cannot be opened.
    public init(configuration: AuditLedgerClientConfiguration, logger: Logger, metrics: ClientMetrics = ClientMetrics()) async throws(AuditError) {
        guard let url = URL(string: configuration.baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw AuditError.validation(field: "baseURL", "must be an http or https URL such as http://auditledger:8080")
        }
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.validator = EventValidator(policy: configuration.validation)
        if let directory = configuration.spoolDirectory {
            let spool = try await Spool.open(
                configuration: SpoolConfiguration(directory: directory, maximumBytes: configuration.spoolMaximumBytes, flushEachAppend: false),
                logger: logger)
            self.spool = spool
            self.queue = SpoolClientQueue(spool: spool)
        } else {
            self.spool = nil
            self.queue = MemoryClientQueue(limit: configuration.memoryLimit)
        }
        var http = HTTPClient.Configuration()
        if let tls = configuration.tls { http.tlsConfiguration = tls }
        http.redirectConfiguration = .disallow
        http.timeout = .init(connect: .seconds(5), read: .seconds(Int64(configuration.requestTimeout.seconds.rounded(.up))))
        self.http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: http, backgroundActivityLogger: logger)
        metrics.pending(queue.pending)
    }

    /// Checks `request` (Kubernaut's `AuditEventRequest` as JSON; see the builders) and keeps
    /// it to be sent; never waits on the network and never throws.
    @discardableResult
    public func record(_ request: JSONValue) -> RecordOutcome {
        let event: AuditEvent
        do throws(AuditError) {
            event = try validator.event(from: request, now: .now())
        } catch {
            metrics.setAside("invalid")
            logger.warning("an audit event breaks the write rules and is not kept", metadata: ["error": "\(AuditError.logDescription(of: error))"])
            return .invalid(error)
        }
        switch queue.add(event) {
        case .success:
            metrics.recorded()
            return .recorded(event.id)
        case .failure(let error):
            metrics.setAside("dropped")
            logger.error(
                "an audit event was dropped: no room to keep it",
                metadata: ["audit.event_id": "\(event.id)", "error": "\(AuditError.logDescription(of: error))"])
            configuration.onSetAside(SetAsideEvent(event: event.requestJSON, reason: .dropped, status: nil, detail: error.detail, fields: []))
            return .dropped(error)
        }
    }

    /// Events recorded and not yet acknowledged by the server.
    public var pending: Int { queue.pending }

    /// Sends what is pending at once (without waiting for full batches) and waits until nothing
    /// is pending, or until `timeout`.
    /// - Returns: whether nothing was pending at the end.
    @discardableResult
    public func flush(timeout: Duration = .seconds(30)) async -> Bool {
        flushing.add(1, ordering: .relaxed)
        defer { flushing.subtract(1, ordering: .relaxed) }
        flushRequested.raise()
        let deadline = ContinuousClock.now + timeout
        while queue.pending > 0 {
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// Sends until graceful shutdown, then for up to ``AuditLedgerClientConfiguration/shutdownTimeout``
    /// more while anything is pending; flushes the spool; closes the connections.
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            if spool != nil {
                group.addTask { await self.syncLoop() }
            }
            await cancelWhenGracefulShutdown { await self.sendLoop(until: nil) }
            // Graceful shutdown: what is still pending, within the time allowed.
            await self.sendLoop(until: ContinuousClock.now + self.configuration.shutdownTimeout)
            group.cancelAll()
        }
        try? await queue.sync()
        if queue.pending > 0 {
            logger.notice(
                "audit events are still pending at shutdown; they are sent after the next start", metadata: ["audit.pending": "\(queue.pending)"])
        }
        try await close()
    }

    /// Closes the connections (once). A client that never ran must be closed by its owner.
    public func close() async throws {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try await http.shutdown()
    }

    /// Flushes the spool to disk every ``AuditLedgerClientConfiguration/spoolSyncInterval``.
    private func syncLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.spoolSyncInterval)
            do throws(AuditError) {
                try await queue.sync()
            } catch {
                logger.error("the client's spool could not be flushed to disk", metadata: ["error": "\(AuditError.logDescription(of: error))"])
            }
        }
    }
}
