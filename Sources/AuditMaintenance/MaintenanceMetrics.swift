import AuditCore
public import CoreMetrics

/// What maintenance reports through swift-metrics (Prometheus text at `GET /metrics` under
/// `serve`).
///
/// | Name | Kind | Meaning |
/// | --- | --- | --- |
/// | `auditledger_maintenance_runs_total{outcome}` | counter | Runs, by `ok`, `failed`, or `skipped` (another runner held the lock). |
/// | `auditledger_maintenance_last_success_seconds` | gauge | Unix time of the last run that succeeded. |
/// | `auditledger_maintenance_duration_seconds` | histogram | Time per run. |
/// | `auditledger_retention_months_removed_total` | counter | Months archived, verified and removed. |
/// | `auditledger_retention_rows_archived_total` | counter | Events in those months. |
/// | `auditledger_retention_failures_total` | counter | Months whose removal failed (they stay; see the lifecycle log). |
/// | `auditledger_months{state}` | gauge | Months by retention state (`kept`, `eligible`, `held`, `blocked`), as of the last retention run. |
/// | `auditledger_legal_holds_active` | gauge | Active legal holds, as of the last run. |
/// | `auditledger_months_ready_ahead` | gauge | Months after the current one known to exist (made sure of by this server's last run that got that far). |
public struct MaintenanceMetrics: Sendable {
    let factory: any MetricsFactory

    /// Reports through `factory` (default: the bootstrapped `MetricsSystem.factory`).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    func run(_ outcome: String, at now: AuditTimestamp, duration: Duration) {
        CoreMetrics.Counter(label: "auditledger_maintenance_runs_total", dimensions: [("outcome", outcome)], factory: factory).increment()
        guard outcome != "skipped" else { return }
        CoreMetrics.Timer(label: "auditledger_maintenance_duration_seconds", factory: factory).recordNanoseconds(
            duration.nanoseconds)
        if outcome == "ok" {
            CoreMetrics.Gauge(label: "auditledger_maintenance_last_success_seconds", factory: factory)
                .record(Double(now.microsecondsSinceEpoch) / 1_000_000)
        }
    }

    func retention(_ outcome: RetentionRunner.Outcome) {
        CoreMetrics.Counter(label: "auditledger_retention_months_removed_total", factory: factory).increment(by: outcome.removed.count)
        CoreMetrics.Counter(label: "auditledger_retention_rows_archived_total", factory: factory)
            .increment(by: Int(outcome.removed.reduce(0) { $0 + $1.manifest.rowCount }))
        CoreMetrics.Counter(label: "auditledger_retention_failures_total", factory: factory).increment(by: outcome.failed.count)
        let removed = Set(outcome.removed.map(\.manifest.month))
        let remaining = outcome.reports.filter { !removed.contains($0.month) }
        for state in [MonthState.kept, .eligible, .held, .blocked] {
            CoreMetrics.Gauge(label: "auditledger_months", dimensions: [("state", state.rawValue)], factory: factory)
                .record(remaining.filter { $0.state == state }.count)
        }
    }

    func monthsReadyAhead(_ count: Int) {
        CoreMetrics.Gauge(label: "auditledger_months_ready_ahead", factory: factory).record(count)
    }

    func activeHolds(_ count: Int) {
        CoreMetrics.Gauge(label: "auditledger_legal_holds_active", factory: factory).record(count)
    }
}
