public import AuditCore
public import AuditSpool
import CoreMetrics
import DequeModule
public import Logging
public import ServiceLifecycle
import Synchronization

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// The one writer in front of the store: a group commit.
///
/// Requests that arrive while a transaction is in flight wait in a bounded queue; the next
/// transaction takes all of them (up to ``Configuration/maximumEventsPerTransaction``) in one
/// multi-row insert. Each request is answered only after the transaction holding its events
/// has committed. A full queue answers `overloaded` at once instead of growing memory.
///
/// With a ``Spool``, events the store cannot take (it is `unavailable`) are appended to the
/// spool instead, flushed to disk, and answered as ``WriteOutcome/spooled(eventIDs:)`` (HTTP
/// `202`); while the spool holds anything, new groups go to the spool too, behind it, so that
/// events reach the store in the order they were accepted (a ``SpoolReplayer`` drains it).
///
/// Run it as a `Service`. On graceful shutdown it stops taking new requests, writes (or
/// spools) everything already queued, then returns.
public final class BatchWriter: Service, Sendable {
    /// Writer limits. Every property has a documented default.
    public struct Configuration: Sendable, Hashable {
        /// Most events written in one transaction. Default 5000.
        public var maximumEventsPerTransaction: Int
        /// Most events waiting for a transaction; past it requests get 503 `overloaded`. Default 50 000.
        public var maximumQueuedEvents: Int

        /// Creates a configuration; every parameter defaults to the value documented on its property.
        public init(maximumEventsPerTransaction: Int = 5000, maximumQueuedEvents: Int = 50_000) {
            self.maximumEventsPerTransaction = maximumEventsPerTransaction
            self.maximumQueuedEvents = maximumQueuedEvents
        }
    }

    /// What became of a request's events.
    public enum WriteOutcome: Sendable {
        /// Committed to the store.
        case stored(WriteReceipt)
        /// The store could not take them: flushed to the local spool, to be stored by the replayer.
        case spooled(eventIDs: [UUID])

        /// The store's receipt, when the events were stored.
        public var receipt: WriteReceipt? {
            if case .stored(let receipt) = self { receipt } else { nil }
        }
    }

    private struct Pending: Sendable {
        let batch: EventBatch
        /// The request's logger (with its `request.id`), for lines about this batch.
        let logger: Logger
        let continuation: CheckedContinuation<Result<WriteOutcome, AuditError>, Never>
    }

    private struct State: Sendable {
        var queue: Deque<Pending> = []
        var queuedEvents = 0
        var writingEvents = 0
        var accepting = true
    }

    private let store: any AuditStore
    private let spool: Spool?
    private let configuration: Configuration
    private let logger: Logger
    private let metrics: AuditMetrics
    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wakeup: AsyncStream<Void>.Continuation

    /// Creates a writer over `store` (and `spool`, when given); it writes nothing until ``run()`` runs.
    public init(
        store: any AuditStore,
        spool: Spool? = nil,
        configuration: Configuration = Configuration(),
        logger: Logger,
        metrics: AuditMetrics = AuditMetrics()
    ) {
        self.store = store
        self.spool = spool
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        (self.wakeups, self.wakeup) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Whether new writes are taken (false once shutdown began).
    public var isAccepting: Bool { state.withLock(\.accepting) }

    /// Events waiting for a transaction.
    public var queuedEvents: Int { state.withLock(\.queuedEvents) }

    /// Events in the transaction being written now.
    public var writingEvents: Int { state.withLock(\.writingEvents) }

    /// Queues `batch` and waits until it is committed or spooled (or refused). Lines logged
    /// about the batch go to `logger` (pass the request's, so they carry its `request.id`).
    /// - Throws: ``AuditError`` `overloaded` when the queue is full, `shuttingDown` after
    ///   shutdown began, `unavailable` when the store failed and there is no spool (or it is
    ///   full), or the batch's own error (unknown parent, id conflict).
    public func submit(_ batch: EventBatch, logger: Logger? = nil) async throws(AuditError) -> WriteOutcome {
        let logger = logger ?? self.logger
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<WriteOutcome, AuditError>, Never>) in
            let refusal: AuditError? = state.withLock { state in
                guard state.accepting else {
                    return AuditError(.shuttingDown, detail: "the server is shutting down and takes no new events", retryAfterSeconds: 5)
                }
                guard state.queuedEvents == 0 || state.queuedEvents + batch.events.count <= configuration.maximumQueuedEvents else {
                    return AuditError(.overloaded, detail: "the writer is at capacity; retry shortly", retryAfterSeconds: 1)
                }
                state.queue.append(Pending(batch: batch, logger: logger, continuation: continuation))
                state.queuedEvents += batch.events.count
                metrics.queuedEvents.record(state.queuedEvents)
                return nil
            }
            if let refusal {
                continuation.resume(returning: .failure(refusal))
            } else {
                wakeup.yield()
            }
        }
        return try result.get()
    }

    /// Writes queued batches until shutdown; then writes what is left and returns.
    public func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in wakeups {
                await drain()
            }
            await drain()
        } onGracefulShutdown: {
            self.state.withLock { $0.accepting = false }
            self.wakeup.finish()
        }
        // Cancelled rather than shut down gracefully: answer whoever is still waiting.
        failRemaining(AuditError(.unavailable, detail: "the writer stopped before storing the events", retryAfterSeconds: 5))
    }

    private func drain() async {
        while let group = takeGroup() {
            await write(group)
            state.withLock { $0.writingEvents = 0 }
        }
    }

    /// Takes the next group: queued batches in order, up to the per-transaction limit (at least one).
    private func takeGroup() -> [Pending]? {
        state.withLock { state -> [Pending]? in
            guard !state.queue.isEmpty else { return nil }
            var group: [Pending] = []
            var events = 0
            while let next = state.queue.first, group.isEmpty || events + next.batch.events.count <= configuration.maximumEventsPerTransaction {
                state.queue.removeFirst()
                events += next.batch.events.count
                group.append(next)
            }
            state.queuedEvents -= events
            state.writingEvents = events
            metrics.queuedEvents.record(state.queuedEvents)
            return group
        }
    }

    private func write(_ group: [Pending]) async {
        if let spool, !spool.isEmpty {
            // Older events wait in the spool: these go behind them.
            await self.spool(group, to: spool)
            return
        }
        do {
            let started = ContinuousClock.now
            let results = try await store.write(group.map(\.batch))
            let elapsed = ContinuousClock.now - started
            metrics.groupDuration.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
            metrics.groupEvents.record(group.reduce(0) { $0 + $1.batch.events.count })
            for (pending, result) in zip(group, results) {
                if case .success(let receipt) = result {
                    metrics.eventsStored.increment(by: receipt.insertedCount)
                    metrics.eventsAlreadyStored.increment(by: receipt.eventIDs.count - receipt.insertedCount)
                }
                pending.continuation.resume(returning: result.map { .stored($0) })
            }
        } catch  where error.code == .unavailable && spool != nil {
            for pending in group {
                pending.logger.warning(
                    "the store is unavailable; spooling the events",
                    metadata: ["error": "\(error)", "audit.batch.size": "\(pending.batch.events.count)"]
                )
            }
            await self.spool(group, to: spool!)
        } catch  where error.code == .internalError && group.count > 1 {
            // One request's events broke the whole transaction: write each on its own so that
            // only that request fails.
            for pending in group {
                pending.logger.warning(
                    "group commit failed; retrying this request alone",
                    metadata: ["error": "\(error)", "audit.group.size": "\(group.count)"]
                )
            }
            for pending in group {
                await write([pending])
            }
        } catch {
            for pending in group {
                pending.logger.error(
                    "storing events failed",
                    metadata: ["error": "\(error)", "audit.group.size": "\(group.count)", "audit.batch.size": "\(pending.batch.events.count)"]
                )
                pending.continuation.resume(returning: .failure(error))
            }
        }
    }

    /// Appends the group to the spool (one flush for all of it) and answers each request.
    private func spool(_ group: [Pending], to spool: Spool) async {
        do throws(AuditError) {
            try await spool.append(group.map(\.batch))
            metrics.eventsSpooled.increment(by: group.reduce(0) { $0 + $1.batch.events.count })
            for pending in group {
                pending.continuation.resume(returning: .success(.spooled(eventIDs: pending.batch.events.map(\.id))))
            }
        } catch {
            for pending in group {
                pending.logger.error(
                    "spooling events failed", metadata: ["error": "\(error)", "audit.batch.size": "\(pending.batch.events.count)"])
                pending.continuation.resume(returning: .failure(error))
            }
        }
    }

    private func failRemaining(_ error: AuditError) {
        let remaining = state.withLock { state in
            state.accepting = false
            defer {
                state.queue.removeAll()
                state.queuedEvents = 0
            }
            return Array(state.queue)
        }
        for pending in remaining {
            pending.continuation.resume(returning: .failure(error))
        }
    }
}
