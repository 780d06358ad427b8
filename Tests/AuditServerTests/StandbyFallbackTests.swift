import AuditCore
import AuditPostgres
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The read routing's unhappy paths, without a real standby: a standby that cannot be reached,
/// and a consistency the server does not know.
@Suite struct StandbyFallbackTests {
    @Test(
        "A standby that cannot be reached leaves every read to the primary, which answers in full",
        .enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
    func unreachableStandby() async throws {
        try await PostgresHarness.run { harness in
            let events = try (0..<3).map {
                try EventFactory.event(correlationID: "rr-away", at: AuditTimestamp.now().adding(microseconds: Int64($0)))
            }
            _ = try await harness.postgres.write([EventBatch(events: events)])[0].get()
            try await PostgresHarness.withUnreachableStore { standby in
                let reads = StandbyReads(standby: standby, primary: harness.postgres, readYourWritesWait: .milliseconds(300))
                let app = Self.application(harness, reads)
                try await app.test(.router) { client in
                    for headers in [HTTPFields(), StandbyReadTests.readYourWrites] {
                        let page = try await client.get("/api/v1/audit/events?correlation_id=rr-away", headers: headers)
                        #expect(page.status == .ok)
                        #expect(page.headers[StandbyReadTests.readFrom] == "primary")
                        #expect(try StandbyReadTests.total(page) == 3)
                    }
                    let timeline = try await client.get("/api/v1/audit/correlations/rr-away/timeline")
                    #expect(timeline.status == .ok && timeline.headers[StandbyReadTests.readFrom] == "primary")
                }
            }
        }
    }

    @Test(
        "A standby that cannot be reached: the lag monitor reports it down and its lag as unknown (NaN), not 0; read-your-writes whose primary position cannot be read is 503",
        .enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
    func unreachableDatabases() async throws {
        try await PostgresHarness.run { harness in
            try await PostgresHarness.withUnreachableStore { away in
                let metrics = AuditMetrics()
                let monitor = StandbyLagMonitor(
                    settings: StandbyReads(standby: away, primary: harness.postgres), metrics: metrics, logger: Logger(label: "test.lag"))
                #expect(await monitor.measure() == nil)
                #expect(StandbyReadTests.gauge("auditledger_standby_up", in: metrics) == 0)
                for name in ["auditledger_standby_replay_lag_bytes", "auditledger_standby_replay_lag_seconds"] {
                    #expect(StandbyReadTests.gauge(name, in: metrics)?.isNaN == true, "\(name): an unmeasured lag is not reported as 0")
                }

                // The primary's position comes from a database that is away: the read cannot
                // promise the caller's writes, so it is refused rather than served stale.
                let app = Self.application(harness, StandbyReads(standby: harness.postgres, primary: away, readYourWritesWait: .milliseconds(200)))
                try await app.test(.router) { client in
                    let refused = try await client.get("/api/v1/audit/events?correlation_id=rr-away", headers: StandbyReadTests.readYourWrites)
                    #expect(refused.status == .serviceUnavailable)
                    let plain = try await client.get("/api/v1/audit/events?correlation_id=rr-away")
                    #expect(plain.status == .ok && plain.headers[StandbyReadTests.readFrom] == "standby")
                }
            }
        }
    }

    /// The application over the harness's store, reading through `reads`.
    static func application(_ harness: PostgresHarness, _ reads: StandbyReads) -> some ApplicationProtocol {
        buildAuditApplication(
            store: harness.store, standbyReads: reads, configuration: AuditServerConfiguration(validation: EventFactory.importPolicy),
            logger: Logger(label: "test.http"))
    }

    @Test("Without a standby the primary answers and says so; an unknown consistency is refused naming the header", arguments: StoreKind.available)
    func withoutStandby(_ kind: StoreKind) async throws {
        try await withApp(kind) { client, _ in
            let page = try await client.get("/api/v1/audit/events?correlation_id=rr-none", headers: StandbyReadTests.readYourWrites)
            #expect(page.status == .ok && page.headers[StandbyReadTests.readFrom] == "primary")
            let refused = try await client.get(
                "/api/v1/audit/events?correlation_id=rr-none", headers: [HTTPField.Name("X-AuditLedger-Consistency")!: "eventual"])
            #expect(refused.status == .badRequest)
            #expect(String(buffer: refused.body).contains("X-AuditLedger-Consistency"))
            let stats = try await client.get("/api/v1/audit/stats", headers: [HTTPField.Name("X-AuditLedger-Consistency")!: "strong"])
            #expect(stats.status == .badRequest && String(buffer: stats.body).contains("X-AuditLedger-Consistency"))
        }
    }
}
