public import AuditCore
public import Logging
public import ServiceLifecycle

/// Gives committed events their log positions (``AuditStore/appendPendingToLog(limit:now:)``):
/// a step every ``Configuration/interval`` while events arrive, at once again while a step filled
/// its batch, and — while steps find nothing — less and less often, down to one every
/// ``Configuration/idleInterval``, so an idle server costs its database next to nothing.
/// Every server runs one; the store lets one step run at a time across them, so positions are
/// given in one order. A store that cannot answer is retried at the next step; events wait in
/// the store's queue meanwhile (they are stored; only their position waits). On shutdown, one
/// last step.
public final class LogSequencer: Service, Sendable {
    /// Sequencer settings. Every property has a documented default.
    public struct Configuration: Sendable {
        /// Time between steps while events arrive. Default 200 ms.
        public var interval: Duration
        /// Longest time between steps while none finds anything (the wait doubles from
        /// ``interval`` after each empty step). Default 5 s.
        public var idleInterval: Duration
        /// Most events per step (one transaction). Default 5000.
        public var batchSize: Int

        /// Creates a configuration; every parameter defaults to the value documented on its property.
        public init(interval: Duration = .milliseconds(200), idleInterval: Duration = .seconds(5), batchSize: Int = 5000) {
            self.interval = interval
            self.idleInterval = idleInterval
            self.batchSize = batchSize
        }
    }

    public let configuration: Configuration
    private let store: any AuditStore
    private let metrics: IngestMetrics
    private let logger: Logger

    public init(store: any AuditStore, configuration: Configuration = Configuration(), metrics: IngestMetrics = IngestMetrics(), logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    /// Steps until graceful shutdown, then once more.
    public func run() async throws {
        var failing = false
        var wait = configuration.interval
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let appended = await step(reportingFailure: !failing, failing: &failing)
            if appended == configuration.batchSize { continue }
            wait = appended > 0 ? configuration.interval : min(wait * 2, configuration.idleInterval)
            let pause = wait
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
        _ = await step(reportingFailure: true, failing: &failing)
    }

    /// One step; how many events it logged (a full batch: more may be queued).
    private func step(reportingFailure: Bool, failing: inout Bool) async -> Int {
        do {
            let append = try await store.appendPendingToLog(limit: configuration.batchSize, now: .now())
            if failing { logger.notice("the log sequencer is appending again") }
            failing = false
            guard append.sequenced else { return 0 }
            if append.appended > 0 { metrics.logged(size: append.size) }
            return append.appended
        } catch {
            metrics.sequencerFailed()
            if reportingFailure {
                logger.warning(
                    "the log sequencer could not append; events wait in the queue", metadata: ["error": "\(AuditError.logDescription(of: error))"])
            }
            failing = true
            return 0
        }
    }
}
