public import AuditCore
public import Logging
public import ServiceLifecycle

/// Drains the spool into the store, in order, once the store takes writes again.
///
/// Records are written in groups (one transaction, each request's events still all or nothing,
/// see ``AuditStore/write(_:)``) and committed in the spool only after the transaction has
/// committed, so a crash in between replays them again: the store stores an event id once, so
/// each event ends up stored exactly once. Failures follow ``WriteFailurePolicy``: a request
/// the store refuses for good goes to the store's quarantine table (never dropped, never to a
/// local folder only), and the spool moves past it only once the quarantine has committed;
/// whenever the store cannot answer, nothing moves and the replayer tries again, waiting
/// longer each time up to ``Configuration/maximumBackoff``, for as long as it takes.
public final class SpoolReplayer: Service, Sendable {
    /// Replay settings. Every property has a documented default.
    public struct Configuration: Sendable {
        /// Most events per replay transaction. Default 5000.
        public var maximumEventsPerTransaction: Int
        /// First wait after the store failed. Default 250 ms.
        public var initialBackoff: Duration
        /// Longest wait between attempts. Default 5 s.
        public var maximumBackoff: Duration

        /// Creates a configuration; every parameter defaults to the value documented on its property.
        public init(
            maximumEventsPerTransaction: Int = 5000,
            initialBackoff: Duration = .milliseconds(250),
            maximumBackoff: Duration = .seconds(5)
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
        var lastReported: (reason: String, at: ContinuousClock.Instant)?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if spool.isEmpty {
                await cancelWhenGracefulShutdown { await self.spool.waitForRecords() }
                continue
            }
            do {
                let replayed = try await replayOnce()
                backoff = configuration.initialBackoff
                if lastReported != nil {
                    logger.notice("the store takes spooled events again", metadata: ["audit.spool.left": "\(spool.status.events)"])
                    lastReported = nil
                }
                if replayed == 0 { try await pause(backoff) }
            } catch {
                spool.metrics.replayFailed(reason: (error as? AuditError)?.code.slug ?? "unknown")
                // Say so when the reason changes, and once a minute while it lasts.
                let reason = (error as? AuditError)?.detail ?? AuditError.logDescription(of: error)
                if lastReported?.reason != reason || lastReported.map({ ContinuousClock.now - $0.at > .seconds(60) }) == true {
                    logger.warning(
                        "spooled events not replayed yet; retrying",
                        metadata: [
                            "error": "\(AuditError.logDescription(of: error))", "audit.spool.events": "\(spool.status.events)",
                            "audit.retry.in": "\(backoff)",
                        ]
                    )
                    lastReported = (reason, ContinuousClock.now)
                }
                do {
                    try await pause(backoff)
                } catch {
                    return
                }
                backoff = min(backoff * 2, configuration.maximumBackoff)
            }
        }
    }

    /// Replays one group of records. Returns the number of events it took out of the spool
    /// (stored, or quarantined).
    /// - Throws: the store's error when it could not answer (records before the failure that
    ///   were handled are committed first), or `unavailable` when the record at the cursor
    ///   does not decode.
    @discardableResult
    public func replayOnce() async throws(AuditError) -> Int {
        let read = try await spool.read(maximumEvents: configuration.maximumEventsPerTransaction)
        guard !read.entries.isEmpty else {
            // Only damaged bytes (already kept in corrupt/) lay ahead: step past them.
            try await spool.commit([], through: read.end)
            return 0
        }
        let outcome = await handle(read.entries[...])
        let handled = read.entries.prefix(outcome.handled)
        if !handled.isEmpty {
            let end = outcome.handled == read.entries.count ? read.end : handled.last!.end
            try await spool.commit(Array(handled), through: end)
            spool.metrics.replayed(events: outcome.stored)
            spool.metrics.quarantined(events: outcome.quarantined)
            logger.info(
                "replayed spooled events",
                metadata: [
                    "audit.spool.replayed": "\(outcome.stored)", "audit.spool.quarantined": "\(outcome.quarantined)",
                    "audit.spool.left": "\(spool.status.events)",
                ])
        }
        if outcome.quarantined > 0 { await publishQuarantine() }
        if let failure = outcome.failure { throw failure }
        return outcome.stored + outcome.quarantined
    }

    /// What replaying a run of records did: how many (from the first) were handled, their
    /// events stored and quarantined, and the failure that stopped it, if any.
    private struct Outcome {
        var handled = 0
        var stored = 0
        var quarantined = 0
        var failure: AuditError?
    }

    private func handle(_ entries: ArraySlice<SpoolEntry>) async -> Outcome {
        let results: [Result<WriteReceipt, AuditError>]
        do {
            results = try await store.write(entries.map(\.batch))
        } catch {
            switch WriteFailurePolicy.decide(error, groupSize: entries.count) {
            case .writeAlone:
                // One request broke the transaction: replay each alone, in order, so only it is set aside.
                var total = Outcome()
                for index in entries.indices {
                    let one = await handle(entries[index...index])
                    total.handled += one.handled
                    total.stored += one.stored
                    total.quarantined += one.quarantined
                    if let failure = one.failure {
                        total.failure = failure
                        break
                    }
                }
                return total
            case .refuse(let refusal):
                return await quarantine([(entries[entries.startIndex], refusal)], handled: 1, stored: 0)
            case .retryLater(let failure):
                return Outcome(failure: failure)
            }
        }
        spool.crashIfAsked(at: .replayed)
        var refused: [(SpoolEntry, AuditError)] = []
        var stored = 0
        for (entry, result) in zip(entries, results) {
            switch result {
            case .success: stored += entry.batch.events.count
            case .failure(let refusal): refused.append((entry, refusal))
            }
        }
        guard !refused.isEmpty else { return Outcome(handled: entries.count, stored: stored) }
        return await quarantine(refused, handled: entries.count, stored: stored)
    }

    /// Moves refused records to the store's quarantine; until that has committed, none of
    /// `handled` counts as handled (they are replayed again, idempotently).
    private func quarantine(_ refused: [(SpoolEntry, AuditError)], handled: Int, stored: Int) async -> Outcome {
        let now = AuditTimestamp.now()
        let entries = refused.map { entry, refusal in
            QuarantineEntry(
                events: entry.batch.events, reason: refusal.code.slug, detail: refusal.shownInBatch.detail, requestID: entry.record.requestID,
                receivedAt: entry.record.receivedAt, quarantinedAt: now, origin: "replay")
        }
        do throws(AuditError) {
            try await store.quarantine(entries)
        } catch {
            return Outcome(failure: error)
        }
        for (entry, refusal) in refused {
            logger.error(
                "the store refused spooled events; they are kept in the quarantine table",
                metadata: [
                    "audit.spool.record": "\(entry.start)", "audit.batch.size": "\(entry.batch.events.count)", "error": "\(refusal)",
                    "request.id": "\(entry.record.requestID ?? "")",
                ])
        }
        return Outcome(handled: handled, stored: stored, quarantined: refused.reduce(0) { $0 + $1.0.batch.events.count })
    }

    private func publishQuarantine() async {
        if let counts = try? await store.quarantineCounts() {
            spool.metrics.quarantine(records: counts.records, events: counts.events)
        }
    }

    private func pause(_ duration: Duration) async throws {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}
