import AuditCore
import AuditIngest
import AuditSQLite
import AuditServer
import AuditTesting
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// The server's own audit events while the store cannot take them and there is no spool: kept
/// and recorded once it can, in order, none lost and none twice.
@Suite struct SelfAuditOutageTests {
    /// A writer over the harness's store, with no spool, and a trail through it logging to `logs`.
    static func trail(
        over harness: SQLiteHarness, configuration: ServerAuditTrail.Configuration
    ) -> (BatchWriter, ServerAuditTrail, LogRecords) {
        let writer = BatchWriter(store: harness.store, logger: Logger(label: "test.writer"))
        let logs = LogRecords()
        let trail = ServerAuditTrail(
            configuration: configuration, writer: writer, validation: ValidationPolicy(), tokens: nil, clock: { .now() },
            logger: Logger(label: "test.trail") { _ in RecordingLogHandler(records: logs) })
        return (writer, trail, logs)
    }

    @Test("Without a spool, events the store cannot take are kept and recorded once it takes them again, in order")
    func keptThroughAnOutage() async throws {
        try await SQLiteHarness.run(configure: { $0.busyTimeoutSeconds = 0.2 }) { harness in
            let (writer, trail, logs) = Self.trail(over: harness, configuration: .init(enabled: true, interval: .milliseconds(200)))
            let group = ServiceGroup(configuration: .init(services: [writer, trail], logger: Logger(label: "test.group")))
            @Sendable func event(_ number: Int) -> SelfAuditEvent {
                SelfAuditEvent(
                    eventType: "auditledger.test.outage", action: "test", actorType: "service", actorID: "auditledger", resourceType: "test",
                    resourceID: "outage-\(number)", data: JSONObject([.init(key: "n", value: .number(String(number)))]), timestamp: .now())
            }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await harness.withWritesBlocked {
                    await trail.record(event(1))
                    await trail.record(event(2))
                    #expect(trail.unrecordedCount == 2, "the store cannot take them: both kept; logged: \(logs.all.map(\.message))")
                }
                var stored: [StoredAuditEvent] = []
                let deadline = ContinuousClock.now + .seconds(30)
                while stored.count < 2, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                    var query = EventQuery()
                    query.filters.eventType = "auditledger.test.outage"
                    query.order = .ascending
                    stored = try await harness.store.events(matching: query).events
                }
                #expect(stored.map(\.event.resourceID) == ["outage-1", "outage-2"], "both recorded once, oldest first")
                #expect(trail.unrecordedCount == 0)
                await trail.record(event(3))
                #expect(trail.unrecordedCount == 0, "with the store back, an event is recorded at once")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    @Test("At most maximumUnrecorded events are kept; the newest beyond it are dropped and logged")
    func keptWithinTheBound() async throws {
        try await SQLiteHarness.run(configure: { $0.busyTimeoutSeconds = 0.1 }) { harness in
            let (writer, trail, logs) = Self.trail(
                over: harness, configuration: .init(enabled: true, interval: .seconds(3600), maximumUnrecorded: 2))
            let group = ServiceGroup(configuration: .init(services: [writer], logger: Logger(label: "test.group")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await harness.withWritesBlocked {
                    for number in 1...3 {
                        await trail.record(
                            SelfAuditEvent(
                                eventType: "auditledger.test.bound", action: "test", actorType: "service", actorID: "auditledger",
                                resourceType: "test", resourceID: "bound-\(number)", data: JSONObject([]), timestamp: .now()))
                    }
                }
                #expect(trail.unrecordedCount == 2)
                #expect(logs.all.contains { $0.message.contains("more are waiting for the store than are kept") })
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}
