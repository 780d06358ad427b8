import AuditCore
import AuditMaintenance
import AuditTesting
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Testing

/// The background verifier's cycles, on both stores: quiet on an intact log (also after a
/// retention removal and a restore), naming a change behind the store once, with its metrics.
@Suite struct LogVerifierTests {
    static func logEverything(_ harness: any StoreHarness) async throws {
        while try await harness.store.appendPendingToLog(limit: 1000, now: .now()).appended > 0 {}
    }

    @Test("A cycle verifies what was logged since the last; a change behind the store is named once and counted", arguments: StoreKind.available)
    func cycles(_ kind: StoreKind) async throws {
        try await withHarness(kind) { harness in
            let key = NoteSignerKey.generate(name: "verifier.example/log")
            let registry = PrometheusCollectorRegistry()
            let verifier = LogVerifier(
                store: harness.store, trustedKeys: [key.verifier], metricsFactory: PrometheusMetricsFactory(registry: registry),
                logger: Logger(label: "test.verifier"))
            var state = LogVerifier.State(trustedKeys: [key.verifier])
            let now = AuditTimestamp.now()
            let events = try (0..<30).map { try EventFactory.event(correlationID: "rr-bg-\($0 % 2)", at: now.adding(seconds: Int64(-$0))) }
            try await harness.writeSucceeding(Array(events[..<20]))
            try await Self.logEverything(harness)
            _ = try await harness.store.signCheckpoint(with: key, now: now)
            #expect(await verifier.cycle(&state).isEmpty && state.treeSize == 20)
            try await harness.writeSucceeding(Array(events[20...]))
            try await Self.logEverything(harness)
            _ = try await harness.store.signCheckpoint(with: key, now: now)
            #expect(await verifier.cycle(&state).isEmpty && state.treeSize == 30)

            try await harness.tamper(.update(eventID: events[4].id, column: "event_outcome", expression: "'failure'"))
            let found = await verifier.cycle(&state)
            #expect(found.map(\.subject) == [.event(events[4].id, position: 4)], "\(found)")
            #expect(await verifier.cycle(&state).isEmpty, "reported once")

            let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
            let lines = Set(text.split(separator: "\n").map(String.init))
            for expected in [
                "auditledger_verifier_tree_size 30.0", "auditledger_verifier_problems_total 1", #"auditledger_verifier_runs_total{outcome="ok"} 2"#,
                #"auditledger_verifier_runs_total{outcome="problems"} 2"#,
            ] {
                #expect(lines.contains(expected), "\(expected) in \(text)")
            }
        }
    }

    @Test("No false alarm after retention removes a month, legal holds come and go, and the month is restored", arguments: StoreKind.available)
    func noFalseAlarms(_ kind: StoreKind) async throws {
        try await withHarness(kind) { harness in
            let key = NoteSignerKey.generate(name: "verifier.example/log")
            let now = AuditTimestamp.now()
            let expired = now.utcDate.month.adding(months: -3)
            let old = try (0..<3).map {
                try EventFactory.event(
                    correlationID: "rr-old", at: expired.firstDay.startOfDay.adding(seconds: Int64(60 + $0)), fields: ["retention_days": .number("1")]
                )
            }
            let recent = try (0..<4).map { try EventFactory.event(correlationID: "rr-recent", at: now.adding(seconds: Int64(-$0))) }
            try await harness.writeSucceeding(old + recent)
            try await Self.logEverything(harness)
            _ = try await harness.store.signCheckpoint(with: key, now: now)
            _ = try await harness.store.placeHold(correlationID: "rr-recent", reason: "case", placedBy: "alice", at: now)
            _ = try await harness.store.releaseHolds(correlationID: "rr-recent", reason: "closed", releasedBy: "alice", at: now)

            let archive = NSTemporaryDirectory() + "auditledger-verify-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: archive) }
            let service = MaintenanceService(
                store: harness.store, configuration: .init(archiveDirectory: archive, clock: { now }, signer: key), logger: Logger(label: "test"))
            let removal = try #require(try await service.runOnce(triggeredBy: "test")?.retention?.removed.first)
            _ = try await harness.store.signCheckpoint(with: key, now: now)
            let after = try await harness.store.verifyLog(trustedKeys: [key.verifier])
            #expect(after.isValid, "\(after.problems)")
            #expect(after.removedByRetention == 3 && after.eventsChecked == 4 && after.treeSize == 7)

            let restorer = ArchiveRestorer(store: harness.store, triggeredBy: "test", logger: Logger(label: "test"))
            try await restorer.restore(removal.archivePath, now: now)
            let restored = try await harness.store.verifyLog(trustedKeys: [key.verifier])
            #expect(restored.isValid, "\(restored.problems)")
            #expect(restored.eventsChecked == 7)
        }
    }

    @Test("Graceful shutdown interrupts a cycle in progress: the service ends at once and counts no run", arguments: StoreKind.available)
    func shutdownInterruptsACycle(_ kind: StoreKind) async throws {
        try await withHarness(kind) { harness in
            let key = NoteSignerKey.generate(name: "verifier.example/log")
            let now = AuditTimestamp.now()
            // Enough events that a first cycle (every event recomputed) takes a while.
            for first in stride(from: 0, to: 3_000, by: 1000) {
                let events = try (first..<first + 1000).map {
                    try EventFactory.event(correlationID: "rr-long-\($0 % 500)", at: now.adding(microseconds: -Int64($0) * 1000))
                }
                try await harness.writeSucceeding(events)
            }
            try await Self.logEverything(harness)
            _ = try await harness.store.signCheckpoint(with: key, now: now)
            let timing = LogVerifier(store: harness.store, trustedKeys: [key.verifier], logger: Logger(label: "test.verifier"))
            var fresh = LogVerifier.State(trustedKeys: [key.verifier])
            let started = ContinuousClock.now
            #expect(await timing.cycle(&fresh).isEmpty)
            let cycleTime = ContinuousClock.now - started

            let registry = PrometheusCollectorRegistry()
            let verifier = LogVerifier(
                store: harness.store, trustedKeys: [key.verifier], metricsFactory: PrometheusMetricsFactory(registry: registry),
                logger: Logger(label: "test.verifier"))
            let group = ServiceGroup(configuration: .init(services: [verifier], logger: Logger(label: "test.group")))
            let shutdownTime = try await withThrowingTaskGroup(of: Duration?.self) { tasks in
                tasks.addTask {
                    try await group.run()
                    return nil
                }
                try await Task.sleep(for: cycleTime / 10)
                let asked = ContinuousClock.now
                await group.triggerGracefulShutdown()
                _ = try await tasks.next()
                return ContinuousClock.now - asked
            }
            #expect(shutdownTime < cycleTime / 2, "a full cycle took \(cycleTime); the service took \(shutdownTime) to stop")
            let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
            #expect(!text.contains(#"auditledger_verifier_runs_total{outcome="ok"} 1"#), "the interrupted cycle is not counted as a run: \(text)")
            #expect(!text.contains("auditledger_verifier_last_success_seconds 1"), "nor as a success")
        }
    }
}
