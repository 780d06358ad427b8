import AuditCore
import CoreMetrics
import Logging
import PostgresNIO
import Synchronization

/// The store's PostgresNIO pool, measured: PostgresNIO exports no metrics of its own, so the
/// store counts the connections its operations hold and how long they waited for one
/// (docs/metrics.md, "PostgreSQL").
///
/// | Name | Kind | Meaning |
/// | --- | --- | --- |
/// | `auditledger_postgres_pool_connections_max` | gauge | The pool's most connections. |
/// | `auditledger_postgres_pool_connections_in_use` | gauge | Connections the store's transactions and statements hold now. |
/// | `auditledger_postgres_pool_wait_seconds` | histogram | Time from asking for a connection to getting one. |
/// | `auditledger_postgres_pool_lease_timeouts_total` | counter | Writes that got no connection within the lease timeout. |
///
/// It offers no `query`: every statement goes through ``statement(_:logger:)`` or a
/// transaction, which never write to a closed connection (see
/// ``PostgresNIO/PostgresConnection/statement(_:logger:)``).
final class MeteredClient: Sendable {
    let base: PostgresClient
    private let inUse = Atomic<Int>(0)
    private let inUseGauge: Gauge
    private let waits: Timer
    private let leaseTimeouts: Counter

    init(_ base: PostgresClient, maximumConnections: Int, factory: any MetricsFactory = MetricsSystem.factory) {
        self.base = base
        Gauge(label: "auditledger_postgres_pool_connections_max", factory: factory).record(maximumConnections)
        inUseGauge = Gauge(label: "auditledger_postgres_pool_connections_in_use", factory: factory)
        inUseGauge.record(0)
        waits = Timer(label: "auditledger_postgres_pool_wait_seconds", factory: factory)
        leaseTimeouts = Counter(label: "auditledger_postgres_pool_lease_timeouts_total", factory: factory)
    }

    /// Runs the pool until cancelled or gracefully shut down.
    func run() async { await base.run() }

    /// `body` on a pooled connection, counted while it holds it.
    func withConnection<Value: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ body: (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        let asked = ContinuousClock.now
        return try await base.withConnection(isolation: isolation) { connection in
            leased(waited: ContinuousClock.now - asked)
            defer { released() }
            return try await body(connection)
        }
    }

    func leaseTimedOut() {
        leaseTimeouts.increment()
    }

    private func leased(waited: Duration) {
        waits.recordNanoseconds(waited.nanoseconds)
        let now = inUse.wrappingAdd(1, ordering: .relaxed).newValue
        inUseGauge.record(now)
    }

    private func released() {
        let now = inUse.wrappingSubtract(1, ordering: .relaxed).newValue
        inUseGauge.record(now)
    }
}
