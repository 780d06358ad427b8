public import AuditCore
public import Logging
public import ServiceLifecycle
import Synchronization

/// Keeps months ready and applies retention: at start and then every ``Configuration/interval``.
///
/// Each run takes the store's maintenance lock; when another server (or command) holds it, the
/// run is skipped. A run creates the current month and ``Configuration/monthsAhead`` more
/// whether or not any data arrives, then — when ``Configuration/archiveDirectory`` is set —
/// archives and removes the months past retention. Each run is recorded in the lifecycle log.
public final class MaintenanceService: Service, Sendable {
    /// Maintenance settings. Every property has a documented default.
    public struct Configuration: Sendable {
        /// Time between runs. Default one hour.
        public var interval: Duration
        /// Months kept ready after the current one. Default 3.
        public var monthsAhead: Int
        /// Where retention writes archives; `nil` (the default) leaves retention off.
        public var archiveDirectory: String?
        /// The current time (injected in tests). Default: the system clock.
        public var clock: @Sendable () -> AuditTimestamp
        /// Signs retention's archive statements (``RetentionRunner/signer``). Default `nil`: unsigned.
        public var signer: NoteSignerKey?

        /// Creates a configuration; every parameter defaults to the value documented on its property.
        public init(
            interval: Duration = .seconds(3600),
            monthsAhead: Int = 3,
            archiveDirectory: String? = nil,
            clock: @escaping @Sendable () -> AuditTimestamp = { AuditTimestamp.now() },
            signer: NoteSignerKey? = nil
        ) {
            self.signer = signer
            self.interval = interval
            self.monthsAhead = monthsAhead
            self.archiveDirectory = archiveDirectory
            self.clock = clock
        }
    }

    /// What one run did.
    public struct Report: Sendable {
        /// Months created (the current one and those ahead that were missing).
        public var created: [PartitionMonth]
        /// What retention did; `nil` when it is off (no archive directory).
        public var retention: RetentionRunner.Outcome?

        /// One line for logs and the lifecycle log: created, removed, failed.
        public var summary: String { MaintenanceService.describe(self) }
    }

    private let store: any AuditLifecycleStore
    private let configuration: Configuration
    private let recorder: (any SelfAuditRecorder)?
    private let logger: Logger
    private let metrics: MaintenanceMetrics
    /// The last month this service made sure exists (with every month before it back to the
    /// month it ran in); `nil` until a run of its own got that far.
    private let ensuredThrough = Mutex<PartitionMonth?>(nil)

    /// - Parameters:
    ///   - recorder: where retention's removals and failures are recorded as audit events
    ///     (the server's trail); `nil` (the default): only the lifecycle log.
    ///   - metrics: where runs are reported (default: the bootstrapped metrics system).
    public init(
        store: any AuditLifecycleStore,
        configuration: Configuration = Configuration(),
        recorder: (any SelfAuditRecorder)? = nil,
        logger: Logger,
        metrics: MaintenanceMetrics = MaintenanceMetrics()
    ) {
        self.store = store
        self.configuration = configuration
        self.recorder = recorder
        self.logger = logger
        self.metrics = metrics
    }

    /// Publishes how many months after `now`'s are known to exist: those this service last made
    /// sure of, fewer as months pass without a run that gets that far. Not published before
    /// one of its runs did (a replica whose runs another one always takes says nothing).
    private func monthsReadyAhead(at now: AuditTimestamp) {
        guard let through = ensuredThrough.withLock({ $0 }) else { return }
        let current = now.utcDate.month
        metrics.monthsReadyAhead(max(0, (through.year * 12 + through.month) - (current.year * 12 + current.month)))
    }

    /// Runs now, then every interval, until shutdown.
    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // A failed run is logged, counted and recorded by runOnce; the next one tries again.
            _ = try? await runOnce(triggeredBy: "maintenance")
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.configuration.interval) }
            } catch {
                return
            }
        }
    }

    /// One run. Returns `nil` when another runner holds the lock (the run is skipped).
    /// - Throws: what stopped the run (creating months, the lock, the log); it is also logged,
    ///   counted and recorded in the lifecycle log. Months retention could not remove do not
    ///   throw: they are in the report's `retention.failed`.
    @discardableResult
    public func runOnce(triggeredBy: String) async throws -> Report? {
        let now = configuration.clock()
        let started = ContinuousClock.now
        do {
            let report = try await store.withMaintenanceLock { () async throws -> Report in
                let current = now.utcDate.month
                let through = current.adding(months: self.configuration.monthsAhead)
                let created = try await self.store.ensureMonths(current.through(through))
                self.ensuredThrough.withLock { $0 = through }
                var retention: RetentionRunner.Outcome?
                if let directory = self.configuration.archiveDirectory {
                    retention = try await RetentionRunner(
                        store: self.store, archiveDirectory: directory, triggeredBy: triggeredBy, recorder: self.recorder,
                        signer: self.configuration.signer,
                        logger: self.logger
                    )
                    .run(now: now, dryRun: false)
                }
                let report = Report(created: created, retention: retention)
                if let retention { self.metrics.retention(retention) }
                self.metrics.activeHolds(try await self.store.activeHolds().count)
                try await self.store.record(
                    LifecycleRecord(
                        kind: .maintenance, startedAt: now, durationMilliseconds: RetentionRunner.milliseconds(since: started),
                        triggeredBy: triggeredBy, outcome: (retention?.failed.isEmpty ?? true) ? "ok" : "failed", detail: Self.describe(report)
                    )
                )
                return report
            }
            monthsReadyAhead(at: now)
            if let report {
                metrics.run((report.retention?.failed.isEmpty ?? true) ? "ok" : "failed", at: now, duration: ContinuousClock.now - started)
            } else {
                metrics.run("skipped", at: now, duration: ContinuousClock.now - started)
                logger.info("maintenance skipped: another runner holds the lock")
            }
            return report
        } catch {
            monthsReadyAhead(at: now)
            metrics.run("failed", at: now, duration: ContinuousClock.now - started)
            logger.error("maintenance failed", metadata: ["error": "\(AuditError.logDescription(of: error))"])
            try? await store.record(
                LifecycleRecord(
                    kind: .maintenance, startedAt: now, durationMilliseconds: RetentionRunner.milliseconds(since: started),
                    triggeredBy: triggeredBy, outcome: "failed", detail: AuditError.logDescription(of: error)
                )
            )
            throw error
        }
    }

    static func describe(_ report: Report) -> String {
        var parts = ["created: " + (report.created.isEmpty ? "none" : report.created.map(\.description).joined(separator: ", "))]
        if let retention = report.retention {
            parts.append(
                "removed: " + (retention.removed.isEmpty ? "none" : retention.removed.map(\.manifest.month.description).joined(separator: ", ")))
            if !retention.failed.isEmpty {
                parts.append("failed: " + retention.failed.map { "\($0.month) (\($0.error.detail))" }.joined(separator: "; "))
            }
        } else {
            parts.append("retention: off")
        }
        return parts.joined(separator: "; ")
    }
}
