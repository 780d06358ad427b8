import AuditCore
import AuditMaintenance
import AuditTesting
import Foundation
import Logging
import Prometheus
import Testing

@Suite struct MaintenanceMetricsTests {
    @Test("Maintenance reports runs, removals, months by state and active holds", arguments: StoreKind.available)
    func reports(_ kind: StoreKind) async throws {
        try await withHarness(kind) { harness in
            let now = AuditTimestamp.now()
            let expired = now.utcDate.month.adding(months: -3)
            let held = now.utcDate.month.adding(months: -4)
            let events = try (0..<3).map {
                try EventFactory.event(
                    correlationID: "rr-expired", at: expired.firstDay.startOfDay.adding(seconds: Int64(60 + $0)),
                    fields: ["retention_days": .number("1")])
            }
            let kept = try EventFactory.event(
                correlationID: "rr-held", at: held.firstDay.startOfDay.adding(seconds: 60), fields: ["retention_days": .number("1")])
            _ = try await harness.store.write([EventBatch(events: events + [kept])])
            _ = try await harness.store.placeHold(correlationID: "rr-held", reason: "litigation", placedBy: "alice", at: now)

            let registry = PrometheusCollectorRegistry()
            let archive = NSTemporaryDirectory() + "auditledger-metrics-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: archive) }
            let service = MaintenanceService(
                store: harness.store, configuration: .init(archiveDirectory: archive, clock: { now }, signer: TestSigning.key),
                logger: Logger(label: "test"),
                metrics: MaintenanceMetrics(factory: PrometheusMetricsFactory(registry: registry))
            )
            #expect(try await service.runOnce(triggeredBy: "test")?.retention?.removed.count == 1)
            // While another runner holds the lock, a run is skipped and counted as such.
            let inner = try await harness.store.withMaintenanceLock { try await service.runOnce(triggeredBy: "inner") == nil }
            #expect(inner == true)

            let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
            let lines = Set(text.split(separator: "\n").map(String.init))
            for expected in [
                #"auditledger_maintenance_runs_total{outcome="ok"} 1"#,
                #"auditledger_maintenance_runs_total{outcome="skipped"} 1"#,
                "auditledger_retention_months_removed_total 1",
                "auditledger_retention_rows_archived_total 3",
                "auditledger_retention_failures_total 0",
                #"auditledger_months{state="held"} 1.0"#,
                #"auditledger_months{state="eligible"} 0.0"#,
                "auditledger_legal_holds_active 1.0",
                "auditledger_maintenance_last_success_seconds \(Double(now.microsecondsSinceEpoch) / 1_000_000)",
            ] {
                #expect(lines.contains(expected), "\(expected) in:\n\(text)")
            }
        }
    }
}
