public import AuditCore
public import Logging
public import ServiceLifecycle

/// Drains the spool into the store, in order, once the store takes writes again.
///
/// Records are written in groups (one transaction, each request's events still all or nothing,
/// see ``AuditStore/write(_:)``) and committed in the spool only after the transaction has
/// committed, so a crash in between replays them again: the store stores an event id once, so
/// each event ends up stored exactly once. A request the store refuses (an unknown parent, an
/// `event_id` already used for another event) is set aside in `rejected/`, never dropped. While
/// the store is unavailable the replayer waits, doubling the wait up to
/// ``Configuration/maximumBackoff``.
public final class SpoolReplayer: Service, Sendable {
    /// Replay settings. Every property has a documented default.
    public struct Configuration: Sendable {
        /// Most events per replay transaction. Default 5000.
        public var maximumEventsPerTransaction: Int
        /// First wait after the store failed. Default 250 ms.
        public var initialBackoff: Duration
        /// Longest wait between attempts. Default 10 s.
        public var maximumBackoff: Duration

        /// Creates a configuration; every parameter defaults to the value documented on its property.
        public init(
            maximumEventsPerTransaction: Int = 5000,
            initialBackoff: Duration = .milliseconds(250),
            maximumBackoff: Duration = .seconds(10)
        ) {
            self.maximumEventsPerTransaction = maximumEventsPerTransaction
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
        }
    }

    private let spool: Spool
    private let store: any AuditStore
    private let configuration: Configuration
    private let logger: Logger

    public init(spool: Spool, store: any AuditStore, configuration: Configuration = Configuration(), logger: Logger) {
        self.spool = spool
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// Replays until graceful shutdown; a replay in progress finishes first.
    public func run() async throws {
        var backoff = configuration.initialBackoff
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if spool.isEmpty {
                await cancelWhenGracefulShutdown { await self.spool.waitForRecords() }
                continue
            }
            do {
                let replayed = try await replayOnce()
                backoff = configuration.initialBackoff
                if replayed == 0 { try await pause(backoff) }
            } catch {
                logger.warning(
                    "spooled events not replayed yet; retrying",
                    metadata: ["error": "\(error)", "audit.spool.events": "\(spool.status.events)", "audit.retry.in": "\(backoff)"]
                )
                do {
                    try await pause(backoff)
                } catch {
                    return
                }
                backoff = min(backoff * 2, configuration.maximumBackoff)
            }
        }
    }

    /// Replays one group of records. Returns the number of events it took out of the spool.
    @discardableResult
    public func replayOnce() async throws(AuditError) -> Int {
        let entries = try await spool.read(maximumEvents: configuration.maximumEventsPerTransaction)
        guard !entries.isEmpty else { return 0 }
        try await write(entries)
        try await spool.commit(entries)
        let events = entries.reduce(0) { $0 + $1.batch.events.count }
        logger.info("replayed spooled events", metadata: ["audit.spool.replayed": "\(events)", "audit.spool.left": "\(spool.status.events)"])
        return events
    }

    private func write(_ entries: [SpoolEntry]) async throws(AuditError) {
        let results: [Result<WriteReceipt, AuditError>]
        do {
            results = try await store.write(entries.map(\.batch))
        } catch  where error.code == .internalError {
            // One request broke the transaction: replay each alone, so only it is set aside.
            guard entries.count > 1 else {
                try await spool.reject(entries[0], reason: error)
                return
            }
            for entry in entries { try await write([entry]) }
            return
        }
        for (entry, result) in zip(entries, results) {
            if case .failure(let error) = result {
                try await spool.reject(entry, reason: error)
            }
        }
    }

    private func pause(_ duration: Duration) async throws {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}
