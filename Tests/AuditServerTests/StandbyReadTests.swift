import AuditCore
import AuditPostgres
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Prometheus
import Testing

/// Reads from a real streaming-replication standby (`WITH_POSTGRES_STANDBY=on
/// scripts/with-postgres`, which scripts/test runs for this suite): which database answers,
/// read-your-writes against a standby whose replay is paused, and the lag metric.
@Suite(.enabled(if: TestEnvironment.runsStandbyTests, "needs a standby: WITH_POSTGRES_STANDBY=on scripts/with-postgres"), .serialized)
struct StandbyReadTests {
    @Test("A standby answers queries; paused, it lags, and read-your-writes is answered by the primary until it has replayed the writes")
    func readYourWritesAgainstALaggingStandby() async throws {
        try await Self.withStandby(readYourWritesWait: .milliseconds(800)) { client, harness, _ in
            let now = AuditTimestamp.now()
            try await Self.write(3, correlation: "rr-standby-1", at: now, into: harness)
            // Caught up (replay running): read-your-writes is answered by the standby itself.
            let caughtUp = try await client.get("/api/v1/audit/events?correlation_id=rr-standby-1", headers: Self.readYourWrites)
            #expect(caughtUp.status == .ok)
            #expect(caughtUp.headers[Self.readFrom] == "standby")
            #expect(try Self.total(caughtUp) == 3)

            try await Self.pgctl("standby-pause")
            do {
                try await Self.write(2, correlation: "rr-standby-2", at: now.adding(microseconds: 10), into: harness)
                let lagging = try await client.get("/api/v1/audit/events?correlation_id=rr-standby-2")
                #expect(lagging.headers[Self.readFrom] == "standby")
                #expect(try Self.total(lagging) == 0, "the paused standby has not replayed the new events")
                let started = ContinuousClock.now
                let own = try await client.get("/api/v1/audit/events?correlation_id=rr-standby-2", headers: Self.readYourWrites)
                #expect(ContinuousClock.now - started >= .milliseconds(800), "it waited for the standby first")
                #expect(own.headers[Self.readFrom] == "primary")
                #expect(try Self.total(own) == 2)
                let timeline = try await client.get("/api/v1/audit/correlations/rr-standby-2/timeline", headers: Self.readYourWrites)
                #expect(timeline.status == .ok && timeline.headers[Self.readFrom] == "primary")
                #expect(try timeline.object["total_events"] == .number("2"))
                let missing = try await client.get("/api/v1/audit/correlations/rr-standby-2/timeline")
                #expect(missing.status == .notFound && missing.headers[Self.readFrom] == nil, "the standby answered: not there yet")
                let since = (now.adding(microseconds: -3_600_000_000)).description
                let stats = try await client.get("/api/v1/audit/stats?correlation_id=rr-standby-2&since=\(since)", headers: Self.readYourWrites)
                #expect(stats.status == .ok && stats.headers[Self.readFrom] == "primary")
                #expect(try stats.object["total_events"] == .number("2"))
            } catch {
                try? await Self.pgctl("standby-resume")
                throw error
            }
            try await Self.pgctl("standby-resume")
            var resumed = try await client.get("/api/v1/audit/events?correlation_id=rr-standby-2", headers: Self.readYourWrites)
            for _ in 0..<20 where resumed.headers[Self.readFrom] != "standby" {
                resumed = try await client.get("/api/v1/audit/events?correlation_id=rr-standby-2", headers: Self.readYourWrites)
            }
            #expect(resumed.headers[Self.readFrom] == "standby", "replay resumed: the standby answers again")
            #expect(try Self.total(resumed) == 2)
        }
    }

    @Test("The lag metric: bytes behind while replay is paused, 0 once it has caught up")
    func lagMetric() async throws {
        try await Self.withStandby { _, harness, reads in
            let metrics = AuditMetrics()
            let monitor = StandbyLagMonitor(settings: reads, metrics: metrics, logger: Logger(label: "test.lag"))
            try await Self.pgctl("standby-pause")
            let paused: StandbyLagMonitor.Lag?
            do {
                try await Self.write(20, correlation: "rr-lag", at: .now(), into: harness)
                paused = await monitor.measure()
            } catch {
                try? await Self.pgctl("standby-resume")
                throw error
            }
            try await Self.pgctl("standby-resume")
            let lag = try #require(paused, "both answered")
            #expect(lag.bytes > 0)
            #expect(lag.seconds >= 0)
            #expect(Self.gauge("auditledger_standby_replay_lag_bytes", in: metrics) == Double(lag.bytes))
            #expect(Self.gauge("auditledger_standby_up", in: metrics) == 1)
            var caughtUp = await monitor.measure()
            for _ in 0..<100 where caughtUp?.bytes != 0 {
                try await Task.sleep(for: .milliseconds(100))
                caughtUp = await monitor.measure()
            }
            #expect(caughtUp == StandbyLagMonitor.Lag(bytes: 0, seconds: 0))
            #expect(Self.gauge("auditledger_standby_replay_lag_bytes", in: metrics) == 0)
        }
    }

    // MARK: - Helpers

    static let readFrom = HTTPField.Name("X-AuditLedger-Read-From")!
    static let readYourWrites: HTTPFields = [HTTPField.Name("X-AuditLedger-Consistency")!: "read-your-writes"]

    /// A prepared store on a fresh database, a store on the standby's copy of that database
    /// (once replayed), and the application reading the standby.
    static func withStandby(
        readYourWritesWait: Duration = .seconds(2),
        _ body: @Sendable @escaping (any TestClientProtocol, PostgresHarness, StandbyReads) async throws -> Void
    ) async throws {
        let base = try #require(TestEnvironment.standbyURL, "AUDITLEDGER_TEST_STANDBY_URL is not set")
        try await PostgresHarness.run { harness in
            var components = try #require(URLComponents(string: base))
            components.path = "/\(harness.database.name)"
            var configuration = try PostgresStoreConfiguration(url: try #require(components.string))
            configuration.operationTimeout = .seconds(10)
            configuration.client.options.maximumConnections = 4
            let standby = PostgresStore(configuration: configuration, logger: Logger(label: "test.standby"))
            let reads = StandbyReads(standby: standby, primary: harness.postgres, readYourWritesWait: readYourWritesWait)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await standby.run() }
                defer { group.cancelAll() }
                // The database and its schema reach the standby by replay.
                let target = try await harness.postgres.replicationPosition()
                var position = try? await standby.replicationPosition()
                for _ in 0..<200 where position.map({ !$0.hasReplayed(target) }) ?? true {
                    try await Task.sleep(for: .milliseconds(50))
                    position = try? await standby.replicationPosition()
                }
                #expect(position?.isStandby == true && position?.hasReplayed(target) == true, "the standby has the test's database")
                let app = buildAuditApplication(
                    store: harness.store, standbyReads: reads, configuration: AuditServerConfiguration(validation: EventFactory.importPolicy),
                    logger: Logger(label: "test.http"))
                try await app.test(.router) { client in try await body(client, harness, reads) }
            }
        }
    }

    static func write(_ count: Int, correlation: String, at time: AuditTimestamp, into harness: PostgresHarness) async throws {
        let events = try (0..<count).map { try EventFactory.event(correlationID: correlation, at: time.adding(microseconds: Int64($0))) }
        _ = try await harness.postgres.write([EventBatch(events: events)])[0].get()
    }

    static func total(_ response: TestResponse) throws -> Int? {
        guard case .number(let text)? = try response.object.object("pagination")?["total"] else { return nil }
        return Int(text)
    }

    static func pgctl(_ command: String) async throws {
        let script = try #require(ProcessInfo.processInfo.environment["AUDITLEDGER_TEST_PGCTL"], "AUDITLEDGER_TEST_PGCTL is not set")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = [command]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(command) failed")
    }

    static func gauge(_ name: String, in metrics: AuditMetrics) -> Double? {
        var buffer: [UInt8] = []
        metrics.registry.emit(into: &buffer)
        for line in String(decoding: buffer, as: UTF8.self).split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }
}
