public import AuditCore
public import CoreMetrics
public import Logging
import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// The production audit store: PostgreSQL, `audit_events` range-partitioned by month.
///
/// The store is a `Service`: it must be running (in the application's `ServiceGroup`, or by
/// calling ``run()`` in a task) before any other method is called. Call ``prepare(now:)``
/// once before serving: it migrates the schema and creates the months ahead.
public final class PostgresStore: AuditStore, Service {
    public let kind = "postgres"

    let client: MeteredClient
    let configuration: PostgresStoreConfiguration
    let logger: Logger
    /// Months known to have a partition, so the write path asks the database only for new ones.
    let knownPartitions = Mutex<Set<PartitionMonth>>([])
    /// When a failed readiness check was last logged, so that probes during an outage log once a minute.
    let lastReadinessWarning = Mutex<ContinuousClock.Instant?>(nil)

    /// Creates a store; nothing connects until ``run()`` runs.
    /// - Parameter metricsFactory: where the pool's metrics go (``MeteredClient``); default
    ///   the process's bootstrapped metrics system.
    public init(configuration: PostgresStoreConfiguration, logger: Logger, metricsFactory: any MetricsFactory = MetricsSystem.factory) {
        self.configuration = configuration
        self.logger = logger
        var client = configuration.client
        // The server aborts any statement that outlives the operation timeout, so a query stuck
        // behind a lock ends instead of occupying a connection after the caller gave up.
        let milliseconds =
            configuration.operationTimeout.components.seconds * 1000
            + configuration.operationTimeout.components.attoseconds / 1_000_000_000_000_000
        client.options.additionalStartupParameters.append(("statement_timeout", "\(max(milliseconds, 1))"))
        self.client = MeteredClient(
            PostgresClient(configuration: client, backgroundLogger: QuietLogHandler.quieted(logger)),
            maximumConnections: client.options.maximumConnections, factory: metricsFactory)
    }

    /// Runs the connection pool until cancelled or gracefully shut down.
    public func run() async throws {
        await client.run()
    }

    public func prepare() async throws(AuditError) {
        try await migrate(now: .now())
        // Advice only: a slow answer must not stop the server from starting.
        if (try? await connectedRoleOwnsAuditEvents()) == true {
            logger.notice(
                "serving as a role that owns audit_events: it could disable the immutability triggers or drop months; serve as a role granted with `auditledger migrate --app-role`",
                metadata: ["audit.store": "postgres"]
            )
        }
    }

    /// Migrates the schema and creates the current month's partition and
    /// ``PostgresStoreConfiguration/monthsAhead`` more.
    /// - Returns: the migration versions applied (empty when already current).
    @discardableResult
    public func migrate(now: AuditTimestamp) async throws(AuditError) -> [Int] {
        try await waitForDatabase()
        let applied: [Int]
        do {
            // No operation timeout: a migration may rightly take long on a large database.
            applied = try await PostgresMigrator(client: client, logger: logger).migrate()
        } catch let error as MigrationError {
            throw AuditError(.internalError, detail: error.description, underlying: error)
        } catch {
            throw PostgresFailure.translate(error, operation: "apply migrations")
        }
        let current = now.utcDate.month
        try await ensurePartitions(for: current.through(current.adding(months: configuration.monthsAhead)), timeLimited: false)
        return applied
    }

    /// Whether the database answers and is migrated; gives up after two seconds (or the
    /// operation timeout, if shorter), so that a readiness probe gets an answer in time.
    public func readiness() async -> StoreReadiness {
        do {
            let version = try await withOperationTimeout(limit: min(configuration.operationTimeout, .seconds(2))) {
                try await PostgresMigrator.currentVersion(of: self.client, logger: self.logger)
            }
            guard version == PostgresMigration.latestVersion else {
                return StoreReadiness(isReady: false, reason: "database schema at version \(version), expected \(PostgresMigration.latestVersion)")
            }
            if lastReadinessWarning.withLock({ $0 }) != nil {
                logger.notice("readiness check succeeds again")
                lastReadinessWarning.withLock { $0 = nil }
            }
            return StoreReadiness(isReady: true)
        } catch {
            let now = ContinuousClock.now
            let due = lastReadinessWarning.withLock { last in
                guard last.map({ now - $0 >= .seconds(60) }) ?? true else { return false }
                last = now
                return true
            }
            if due {
                logger.warning(
                    "readiness check failed (logged once a minute while it lasts)",
                    metadata: ["error": "\(PostgresFailure.translate(error, operation: "answer"))"])
            }
            return StoreReadiness(isReady: false, reason: "database unreachable")
        }
    }

    /// Creates partitions for `months` that do not exist yet (idempotent; safe with several servers).
    /// With `timeLimited` (the write path) it gives up after the operation timeout.
    public func ensurePartitions(for months: [PartitionMonth], timeLimited: Bool = true) async throws(AuditError) {
        let missing = knownPartitions.withLock { known in months.filter { !known.contains($0) } }
        guard !missing.isEmpty else { return }
        let firstDays = ColumnArray(missing.map { PostgresDay($0.firstDay) })
        do {
            let created: Int
            if timeLimited {
                created = try await withOperationTimeout {
                    try await self.retryingAbortedTransactions("create partitions") {
                        try await self.client.auditTransaction(leaseTimeout: self.configuration.connectionLeaseTimeout, logger: self.logger) {
                            connection in
                            try await connection.statement("SELECT auditledger_ensure_partitions(\(firstDays))", logger: self.logger)
                                .first?.decode(Int.self) ?? 0
                        }
                    }
                }
            } else {
                // Start and maintenance: no request waits on this, so no statement timeout; but
                // creating a partition locks audit_events, and traffic would queue behind a long
                // wait for that lock. Wait at most lock_timeout each time, and retry.
                created = try await retryingLockWaits("create partitions") {
                    try await self.client.auditTransaction(logger: self.logger) { connection in
                        try await connection.statement("SET LOCAL statement_timeout = 0", logger: self.logger)
                        try await connection.statement(
                            "SELECT set_config('lock_timeout', \(self.configuration.lockTimeoutSetting), true)", logger: self.logger)
                        return try await connection.statement("SELECT auditledger_ensure_partitions(\(firstDays))", logger: self.logger)
                            .first?.decode(Int.self) ?? 0
                    }
                }
            }
            if created > 0 {
                logger.info("created partitions", metadata: ["audit.partitions.created": "\(created)", "audit.partitions.months": "\(missing)"])
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "create partitions")
        }
        knownPartitions.withLock { $0.formUnion(missing) }
    }

    /// Runs `operation`, failing with a timeout error after `limit` (default:
    /// ``PostgresStoreConfiguration/operationTimeout``).
    func withOperationTimeout<Value: Sendable>(
        limit: Duration? = nil, _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let timeout = limit ?? configuration.operationTimeout
        return try await withThrowingTaskGroup(of: Value.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw AuditError(.unavailable, detail: "the database did not answer within \(timeout)", retryAfterSeconds: 5)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}

extension PostgresStore {
    /// The value of the setting `name` on one of the store's connections, outside any write
    /// transaction, for diagnostics (`plan_cache_mode`, `statement_timeout`).
    public func sessionSetting(_ name: String) async throws(AuditError) -> String {
        do {
            return try await withOperationTimeout {
                try await self.client.withConnection { connection in
                    try await connection.statement("SELECT current_setting(\(name))", logger: self.logger).first?.decode(String.self) ?? ""
                }
            }
        } catch {
            throw PostgresFailure.translate(error, operation: "read a setting")
        }
    }
}
