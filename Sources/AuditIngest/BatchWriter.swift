public import AuditCore
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
/// Requests wait in a bounded queue; each transaction takes the requests queued so far (up to
/// ``Configuration/maximumEventsPerTransaction``) in one multi-row insert, and up to
/// ``Configuration/maximumConcurrentTransactions`` transactions are in flight at once, so
/// that the database works on the next group while the previous one commits. Each request is
/// answered only after the transaction holding its events has committed. A full queue answers
/// `overloaded` at once instead of growing memory.
///
/// Order: requests go into transactions in the order they arrived. A request that carries an
/// `event_id` being written by a transaction in flight, or an event whose parent is, waits
/// until that transaction has ended (and so does everything queued behind it): a child is
/// never looked up against a parent that is not yet committed, and a repeated id is answered
/// from what the first copy stored. Unrelated requests in two transactions in flight may
/// commit in either order.
///
/// Failures follow ``WriteFailurePolicy``. With a ``Spool``, events the store cannot take are
/// appended to the spool, flushed to disk, and answered ``WriteOutcome/spooled(eventIDs:)``
/// (HTTP `202`); while the spool holds anything, new groups go there too, behind it, so that
/// related events reach the store in the order they were accepted (a ``SpoolReplayer`` drains
/// it). Without a spool they are answered `unavailable` (`503`).
///
/// Run it as a `Service`. On graceful shutdown it stops taking new requests, writes (or
/// spools) everything already queued, waits for the transactions in flight, then returns.
public final class BatchWriter: Service, Sendable {
    /// Writer limits. Every property has a documented default.
    public struct Configuration: Sendable, Hashable {
        /// Most events written in one transaction. Default 5000.
        public var maximumEventsPerTransaction: Int
        /// Most events waiting for a transaction; past it requests get 503 `overloaded`. Default 50 000.
        public var maximumQueuedEvents: Int
        /// Most transactions in flight at once. Default 2: the next group is written while the
        /// previous one commits, so the database works on one while the other waits for its
        /// commit or its answer. A request whose events (or their parents) are in a transaction
        /// still in flight waits for it, as does every request queued behind it, so a child is
        /// never written before its parent's transaction has ended. 1 writes one group at a time.
        public var maximumConcurrentTransactions: Int

        /// Creates a configuration; every parameter defaults to the value documented on its property.
        public init(maximumEventsPerTransaction: Int = 5000, maximumQueuedEvents: Int = 50_000, maximumConcurrentTransactions: Int = 2) {
            self.maximumEventsPerTransaction = maximumEventsPerTransaction
            self.maximumQueuedEvents = maximumQueuedEvents
            self.maximumConcurrentTransactions = max(1, maximumConcurrentTransactions)
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
        let record: SpoolRecord
        /// The request's logger (with its `request.id`), for lines about this batch.
        let logger: Logger
        let continuation: CheckedContinuation<Result<WriteOutcome, AuditError>, Never>

        var batch: EventBatch { record.batch }
    }

    private struct State: Sendable {
        var queue: Deque<Pending> = []
        var queuedEvents = 0
        var writingEvents = 0
        /// Transactions in flight.
        var writingGroups = 0
        /// The event ids of every transaction in flight (disjoint: a request sharing one waits).
        var writingIDs: Set<UUID> = []
        var accepting = true

        /// Whether `batch` must wait for a transaction in flight: it carries an id one of them
        /// writes, or the parent of one of its events is written there.
        func waits(_ batch: EventBatch) -> Bool {
            guard !writingIDs.isEmpty else { return false }
            return batch.events.contains { event in
                writingIDs.contains(event.id) || event.parentEventID.map(writingIDs.contains) == true
            }
        }

        /// Whether the queue is done with: shutdown began, nothing waits and nothing is in flight.
        var isFinished: Bool { !accepting && queue.isEmpty && writingGroups == 0 }
    }

    private let store: any AuditStore
    private let spool: Spool?
    private let configuration: Configuration
    private let logger: Logger
    private let metrics: IngestMetrics
    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wakeup: AsyncStream<Void>.Continuation

    /// Creates a writer over `store` (and `spool`, when given); it writes nothing until ``run()`` runs.
    public init(
        store: any AuditStore,
        spool: Spool? = nil,
        configuration: Configuration = Configuration(),
        logger: Logger,
        metrics: IngestMetrics = IngestMetrics()
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

    /// Events in the transactions being written now.
    public var writingEvents: Int { state.withLock(\.writingEvents) }

    /// Queues `batch` and waits until it is committed or spooled (or refused). Lines logged
    /// about the batch go to `logger` (pass the request's, so they carry its `request.id`).
    /// - Parameters:
    ///   - requestID: the request's id, kept with the events if they are spooled.
    ///   - bodyBytes: the size of the request body; with a spool, a request whose events could
    ///     not fit in one spool record is refused up front, whether or not the store is up.
    /// - Throws: ``AuditError`` `overloaded` when the queue is full, `shuttingDown` after
    ///   shutdown began, `payloadTooLarge` (see `bodyBytes`), `unavailable` when the store cannot
    ///   take the events and there is no spool (or it is full), or the batch's own refusal
    ///   (unknown parent, id conflict, a rule of the database).
    public func submit(
        _ batch: EventBatch, requestID: String? = nil, bodyBytes: Int? = nil, logger: Logger? = nil
    ) async throws(AuditError) -> WriteOutcome {
        let logger = logger ?? self.logger
        if let limit = spool?.configuration.maximumRecordBytes, let bodyBytes,
            SpoolRecord.maximumPayloadBound(bodyBytes: bodyBytes, events: batch.events.count) > limit
        {
            throw AuditError(
                .payloadTooLarge,
                detail:
                    "the request is too large to keep safely while the store is down (its events could take more than \(limit) bytes); send smaller batches"
            )
        }
        let record = SpoolRecord(batch: batch, requestID: requestID, receivedAt: .now())
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<WriteOutcome, AuditError>, Never>) in
            let refusal: AuditError? = state.withLock { state in
                guard state.accepting else {
                    return AuditError(.shuttingDown, detail: "the server is shutting down and takes no new events", retryAfterSeconds: 5)
                }
                guard state.queuedEvents == 0 || state.queuedEvents + batch.events.count <= configuration.maximumQueuedEvents else {
                    return AuditError(.overloaded, detail: "the writer is at capacity; retry shortly", retryAfterSeconds: 1)
                }
                state.queue.append(Pending(record: record, logger: logger, continuation: continuation))
                state.queuedEvents += batch.events.count
                metrics.queued(events: state.queuedEvents)
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
            await withDiscardingTaskGroup { transactions in
                for await _ in wakeups {
                    while let group = takeGroup() {
                        transactions.addTask {
                            await self.write(group)
                            self.finished(group)
                        }
                    }
                    if state.withLock(\.isFinished) { break }
                }
            }
        } onGracefulShutdown: {
            self.state.withLock { $0.accepting = false }
            self.wakeup.yield()
        }
        // Cancelled rather than shut down gracefully: answer whoever is still waiting.
        failRemaining(AuditError(.unavailable, detail: "the writer stopped before storing the events", retryAfterSeconds: 5))
    }

    /// Takes the next group, when a transaction may start: queued batches in order, up to the
    /// per-transaction limit (at least one), stopping at the first that must wait for a
    /// transaction in flight (``State/waits(_:)``).
    private func takeGroup() -> [Pending]? {
        state.withLock { state -> [Pending]? in
            guard state.writingGroups < max(1, configuration.maximumConcurrentTransactions), let first = state.queue.first, !state.waits(first.batch)
            else {
                return nil
            }
            var group: [Pending] = []
            var events = 0
            while let next = state.queue.first,
                group.isEmpty || (events + next.batch.events.count <= configuration.maximumEventsPerTransaction && !state.waits(next.batch))
            {
                state.queue.removeFirst()
                events += next.batch.events.count
                group.append(next)
            }
            for pending in group { state.writingIDs.formUnion(pending.batch.eventIDs) }
            state.queuedEvents -= events
            state.writingEvents += events
            state.writingGroups += 1
            metrics.queued(events: state.queuedEvents)
            return group
        }
    }

    /// A group's transaction ended (its requests are answered): what waited on it may start.
    private func finished(_ group: [Pending]) {
        state.withLock { state in
            for pending in group {
                state.writingEvents -= pending.batch.events.count
                state.writingIDs.subtract(pending.batch.eventIDs)
            }
            state.writingGroups -= 1
        }
        wakeup.yield()
    }

    private func write(_ group: [Pending]) async {
        if let spool, !spool.isEmpty {
            // Older events wait in the spool: these go behind them.
            await self.spool(group, to: spool)
            return
        }
        let results: [Result<WriteReceipt, AuditError>]
        do {
            let started = ContinuousClock.now
            results = try await store.write(group.map(\.batch))
            metrics.groupCommitted(events: group.reduce(0) { $0 + $1.batch.events.count }, duration: ContinuousClock.now - started)
        } catch {
            await handle(error, group: group)
            return
        }
        for (pending, result) in zip(group, results) {
            if case .success(let receipt) = result {
                metrics.stored(new: receipt.insertedCount, already: receipt.eventIDs.count - receipt.insertedCount)
            }
            pending.continuation.resume(returning: result.map { .stored($0) })
        }
    }

    private func handle(_ error: AuditError, group: [Pending]) async {
        switch WriteFailurePolicy.decide(error, groupSize: group.count) {
        case .writeAlone:
            // One request's events broke the whole transaction: write each on its own so that
            // only that request fails.
            for pending in group {
                pending.logger.notice(
                    "group commit refused; writing this request alone", metadata: ["error": "\(error)", "audit.group.size": "\(group.count)"])
            }
            for pending in group { await write([pending]) }
        case .refuse(let refusal):
            group[0].logger.notice("the store refused the events", metadata: ["error": "\(refusal)"])
            group[0].continuation.resume(returning: .failure(refusal))
        case .retryLater(let failure):
            if let spool {
                for pending in group {
                    pending.logger.warning(
                        "the store cannot take the events; spooling them",
                        metadata: ["error": "\(failure)", "audit.batch.size": "\(pending.batch.events.count)"])
                }
                await self.spool(group, to: spool)
                return
            }
            let answer =
                failure.code == .unavailable || failure.code == .shuttingDown
                ? failure
                : AuditError(.unavailable, detail: "the store could not take the events; retry later", retryAfterSeconds: 5, underlying: failure)
            for pending in group {
                pending.logger.warning(
                    "storing events failed", metadata: ["error": "\(failure)", "audit.batch.size": "\(pending.batch.events.count)"])
                pending.continuation.resume(returning: .failure(answer))
            }
        }
    }

    /// Appends the group to the spool (one flush for all of it) and answers each request.
    private func spool(_ group: [Pending], to spool: Spool) async {
        do throws(AuditError) {
            let results = try await spool.append(group.map(\.record))
            for (pending, result) in zip(group, results) {
                switch result {
                case .success:
                    metrics.spooled(events: pending.batch.events.count)
                    pending.continuation.resume(returning: .success(.spooled(eventIDs: pending.batch.events.map(\.id))))
                case .failure(let error):
                    pending.continuation.resume(returning: .failure(error))
                }
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
