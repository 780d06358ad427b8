import AuditCore
import AuditIngest
import AuditPostgres
import AuditTesting
import Foundation
import Logging
import PostgresNIO
import Testing

/// How PostgreSQL's failures reach the write pipeline: a database that cannot answer is
/// `unavailable` (acknowledged events wait in the spool), only a refusal of the data is final.
@Suite(.enabled(if: TestEnvironment.runsPostgresTests, TestEnvironment.postgresSkipComment))
struct PostgresFailureTests {
    /// Runs `body` with a second, running store on the harness's database (new connections,
    /// so that database-level settings changed since apply to it).
    static func withFreshStore<Value: Sendable>(
        _ harness: PostgresHarness, _ body: @Sendable (PostgresStore) async throws -> Value
    ) async throws -> Value {
        var configuration = try PostgresStoreConfiguration(url: harness.database.url)
        configuration.client.options.maximumConnections = 2
        // Wide bounds: a loaded CI machine can take seconds to hand out a connection (seen with 4 s),
        // which is not what these tests are about.
        configuration.operationTimeout = .seconds(15)
        configuration.connectionLeaseTimeout = .seconds(10)
        let store = PostgresStore(configuration: configuration, logger: Logger(label: "test.postgres.fresh"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }

    @Test(
        "A read-only database (SQLSTATE 25006, a standby after failover) cannot answer: spooled events stay, none quarantined, stored once it is writable"
    )
    func readOnlyDatabase() async throws {
        let directory = NSTemporaryDirectory() + "auditledger-readonly-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await PostgresHarness.run { harness in
            try await harness.execute("ALTER DATABASE \(unescaped: harness.database.name) SET default_transaction_read_only = on")
            let batch = EventBatch(events: [try EventFactory.event(correlationID: "rr-readonly", at: .now(), eventID: UUID())])
            let spool = try await Spool.open(configuration: SpoolConfiguration(directory: directory), logger: Logger(label: "test.spool"))
            _ = try await spool.append([SpoolRecord(batch: batch, requestID: "req-ro", receivedAt: .now())])
            try await Self.withFreshStore(harness) { store in
                do throws(AuditError) {
                    _ = try await store.write([batch])
                    Issue.record("a read-only database must not take the write")
                } catch {
                    #expect(error.code == .unavailable, "\(error)")
                    #expect(error.diagnostic == "SQLSTATE 25006", "\(error)")
                    #expect(!error.refusesData)
                }
                let replayer = SpoolReplayer(spool: spool, store: store, logger: Logger(label: "test.replayer"))
                for _ in 0..<3 {
                    await #expect(throws: AuditError.self) { try await replayer.replayOnce() }
                }
                #expect(spool.status.events == 1)
                let quarantined = try await store.quarantineCounts().records
                #expect(quarantined == 0)
            }
            try await harness.execute("ALTER DATABASE \(unescaped: harness.database.name) SET default_transaction_read_only = off")
            try await Self.withFreshStore(harness) { store in
                let replayer = SpoolReplayer(spool: spool, store: store, logger: Logger(label: "test.replayer"))
                let replayed = try await replayer.replayOnce()
                #expect(replayed == 1)
            }
            #expect(spool.isEmpty)
            #expect(try await harness.rowCount(eventID: batch.events[0].id) == 1)
            #expect(try await harness.store.quarantineCounts().records == 0)
        }
    }

    @Test("An unmigrated database (42P01) cannot answer: unavailable, never a refusal")
    func unmigratedDatabase() async throws {
        let database = try await PostgresTestDatabase.create()
        var configuration = try PostgresStoreConfiguration(url: database.url, operationTimeout: .seconds(30))
        // Generous, so that a slow first connection on a loaded machine cannot stand in for 42P01.
        configuration.connectionLeaseTimeout = .seconds(15)
        let store = PostgresStore(configuration: configuration, logger: Logger(label: "test.unmigrated"))
        let event = try EventFactory.event(correlationID: "rr-unmigrated", at: .now())
        let failure = await writeFailure(of: event, to: store)
        await database.drop()
        #expect(failure?.code == .unavailable, "\(String(describing: failure))")
        #expect(failure?.refusesData == false)
        #expect(failure?.diagnostic?.hasPrefix("SQLSTATE 42") == true, "\(String(describing: failure))")
    }

    @Test("A role without the privilege to insert (42501) cannot answer: unavailable, never a refusal")
    func missingPrivilege() async throws {
        try await PostgresStoreTests.withOwnerAndAppRole { database, owner, app, appURL in
            try await owner.ensurePartitions(for: [AuditTimestamp.now().utcDate.month])
            let role = try #require(URLComponents(string: appURL)?.user)
            _ = try await database.withClient { admin in try await admin.query("REVOKE INSERT ON audit_events FROM \(unescaped: role)") }
            let event = try EventFactory.event(correlationID: "rr-no-privilege", at: .now())
            do throws(AuditError) {
                _ = try await app.write([EventBatch(events: [event])])
                Issue.record("a role without INSERT must not store")
            } catch {
                #expect(error.code == .unavailable, "\(error)")
                #expect(!error.refusesData)
                #expect(error.diagnostic == "SQLSTATE 42501", "\(error)")
            }
        }
    }

    @Test("A month removed behind the store's back (23514, no partition) is unavailable, then created again by the next write")
    func monthRemovedBehindTheStoresBack() async throws {
        try await PostgresHarness.run { harness in
            let month = AuditTimestamp.now().utcDate.month.adding(months: -2)
            let first = try EventFactory.event(correlationID: "rr-gone", at: month.firstDay.startOfDay.adding(seconds: 60))
            try await harness.writeSucceeding([first])
            try await harness.execute("ALTER TABLE audit_events DETACH PARTITION \(unescaped: month.partitionName)")
            try await harness.execute("DROP TABLE \(unescaped: month.partitionName)")
            let second = try EventFactory.event(correlationID: "rr-gone", at: month.firstDay.startOfDay.adding(seconds: 120))
            do throws(AuditError) {
                _ = try await harness.store.write([EventBatch(events: [second])])
                Issue.record("the store still believes the month exists: the first write must fail")
            } catch {
                #expect(error.code == .unavailable, "\(error)")
                #expect(!error.refusesData)
                #expect(error.diagnostic == "SQLSTATE 23514", "\(error)")
            }
            try await harness.writeSucceeding([second])
            #expect(try await harness.rowCount(eventID: second.id) == 1)
        }
    }

    @Test("A rule of the database the rows break is a refusal naming the constraint, never its message")
    func constraintRefusal() async throws {
        try await PostgresHarness.run { harness in
            try await harness.rejectInserts(ofEventType: "refused.type")
            let event = try EventFactory.event(type: "refused.type", correlationID: "rr-refused", at: .now())
            do throws(AuditError) {
                _ = try await harness.store.write([EventBatch(events: [event])])
                Issue.record("the write must be refused")
            } catch {
                #expect(error.code == .refusedByStore)
                #expect(error.refusesData)
                #expect(error.detail.contains("test_reject_insert"))
                #expect(!"\(error)".contains("rejected by the test"), "the driver's message stays out of logs: \(error)")
            }
        }
    }

    @Test(
        "The numbers PostgreSQL writes out are exactly as long as the validator reckons",
        arguments: [
            "0", "-0", "0.000", "1e5", "1E+5", "1.50", "15e-3", "-12.5", "1e-5", "12345678901234567890", "0.1000000000000000055511151231257827",
            "1.5e1", "100e-2", "1e999", "-1e998", "1e-999", "123.456e-2", "0.0001e4",
        ])
    func storedNumberLengths(_ literal: String) async throws {
        try await PostgresHarness.run { harness in
            let lengths = try await harness.values(
                "SELECT length((\(#"{"n":"# + literal + "}")::jsonb->>'n'))::int8", as: Int.self)
            let validator = EventValidator(policy: ValidationPolicy(maximumNumberLength: 100_000))
            #expect(lengths.first == validator.storedLength(ofNumber: literal), "\(literal)")
        }
    }
}

/// Needs no PostgreSQL: a loopback port where nothing listens.
@Suite struct PostgresUnreachableTests {
    @Test(
        "A write to a database that refuses connections fails as unavailable within about the lease timeout, not the operation timeout",
        .timeLimit(.minutes(4)))
    func failsFast() async throws {
        var configuration = try PostgresStoreConfiguration(url: "postgres://auditor:secret@127.0.0.1:1/audit?sslmode=disable")
        // Far apart, so that a loaded machine cannot blur them: lease 1 s, operation 180 s (a
        // local run of the parallel suites took 21.8 s to give up, so the bound is 60 s).
        configuration.operationTimeout = .seconds(180)
        let store = PostgresStore(configuration: configuration, logger: Logger(label: "test.unreachable"))
        let event = try EventFactory.event(correlationID: "rr-unreachable", at: .now())
        let started = ContinuousClock.now
        let outcome = await writeFailure(of: event, to: store)
        let elapsed = ContinuousClock.now - started
        #expect(outcome?.code == .unavailable)
        #expect(elapsed < .seconds(60), "gave up after \(elapsed); the lease timeout is 1 s, the operation timeout 180 s")
    }
}

/// Runs `store` (its connection pool) while writing `event` once; the error, or `nil` if stored.
func writeFailure(of event: AuditEvent, to store: PostgresStore) async -> AuditError? {
    await withTaskGroup(of: Void.self) { group in
        group.addTask { try? await store.run() }
        defer { group.cancelAll() }
        do throws(AuditError) {
            _ = try await store.write([EventBatch(events: [event])])
            return nil
        } catch {
            return error
        }
    }
}
