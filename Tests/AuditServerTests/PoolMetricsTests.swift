import AuditCore
import AuditPostgres
import AuditTesting
import Foundation
import Logging
import PostgresNIO
import Prometheus
import Testing

/// The PostgreSQL pool's metrics (docs/metrics.md) when connections run out: the one
/// connection held by a write waiting for a lock is in use, and a write that gets no connection
/// within the lease timeout is counted and answered `unavailable`.
@Suite struct PoolMetricsTests {
    @Test(
        "A held connection is in use; a write that gets none within the lease timeout is counted",
        .enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
    func exhaustedPool() async throws {
        try await PostgresHarness.run { harness in
            let registry = PrometheusCollectorRegistry()
            var configuration = try PostgresStoreConfiguration(url: harness.database.url)
            configuration.client.options.maximumConnections = 1
            configuration.connectionLeaseTimeout = .milliseconds(500)
            configuration.operationTimeout = .seconds(60)
            let store = PostgresStore(
                configuration: configuration, logger: Logger(label: "test.pool"), metricsFactory: PrometheusMetricsFactory(registry: registry))
            @Sendable func value(_ name: String) -> Double? {
                let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
                return text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
            }
            let (held, heldSignal) = AsyncStream.makeStream(of: Void.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                try await store.prepare()
                #expect(value("auditledger_postgres_pool_connections_max") == 1)
                #expect(value("auditledger_postgres_pool_connections_in_use") == 0)
                let waiting = try EventFactory.event(correlationID: "rr-pool-1", at: .now())
                let refused = try EventFactory.event(correlationID: "rr-pool-2", at: .now())
                async let first = { () async throws -> [Result<WriteReceipt, AuditError>] in
                    for await _ in held {}
                    return try await store.write([EventBatch(events: [waiting])])
                }()
                try await harness.withWritesBlocked {
                    heldSignal.finish()
                    // The first write takes the only connection and waits for the lock.
                    var inUse: Double?
                    for _ in 0..<200 {
                        inUse = value("auditledger_postgres_pool_connections_in_use")
                        if inUse == 1 { break }
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    #expect(inUse == 1, "the waiting write holds the pool's one connection")
                    do throws(AuditError) {
                        _ = try await store.write([EventBatch(events: [refused])])
                        Issue.record("a write with no connection to get must fail")
                    } catch {
                        #expect(error.code == .unavailable)
                    }
                    #expect(value("auditledger_postgres_pool_lease_timeouts_total") == 1)
                }
                let results = try await first
                #expect((try? results.first?.get())?.insertedCount == 1, "the waiting write is stored once the lock is gone")
                #expect(value("auditledger_postgres_pool_connections_in_use") == 0)
                #expect((value("auditledger_postgres_pool_wait_seconds_count") ?? 0) >= 1)
                #expect(try await harness.rowCount(eventID: refused.id) == 0)
            }
        }
    }
}
