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
            // Nothing listens on port 1: every connection is refused.
            var configuration = try PostgresStoreConfiguration(url: "postgres://auditledger@127.0.0.1:1/absent?sslmode=disable")
            configuration.operationTimeout = .seconds(1)
            let standby = PostgresStore(configuration: configuration, logger: Logger(label: "test.standby"))
            let reads = StandbyReads(standby: standby, primary: harness.postgres, readYourWritesWait: .milliseconds(300))
            let events = try (0..<3).map {
                try EventFactory.event(correlationID: "rr-away", at: AuditTimestamp.now().adding(microseconds: Int64($0)))
            }
            _ = try await harness.postgres.write([EventBatch(events: events)])[0].get()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await standby.run() }
                defer { group.cancelAll() }
                let app = buildAuditApplication(
                    store: harness.store, standbyReads: reads, configuration: AuditServerConfiguration(validation: EventFactory.importPolicy),
                    logger: Logger(label: "test.http"))
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
