public import CoreMetrics
public import Prometheus

/// The metrics AuditLedger reports, exposed as Prometheus text at `GET /metrics`.
///
/// | Name | Kind | Meaning |
/// | --- | --- | --- |
/// | `auditledger_events_stored_total` | counter | Events committed (new rows). |
/// | `auditledger_events_already_stored_total` | counter | Events received again and not stored twice (retries). |
/// | `auditledger_events_spooled_total` | counter | Events answered `202`: the store was unavailable (or the spool not yet drained). |
/// | `auditledger_requests_refused_total{reason}` | counter | Requests answered with an error, by problem type. |
/// | `auditledger_writer_queued_events` | gauge | Events waiting for the writer (back-pressure at `--max-queued-events`). |
/// | `auditledger_group_commit_events` | histogram | Events per group-commit transaction. |
/// | `auditledger_group_commit_duration_seconds` | histogram | Time per group-commit transaction. |
public final class AuditMetrics: Sendable {
    /// The registry the metrics are kept in; render it with `emit(into:)`.
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    let eventsStored: CoreMetrics.Counter
    let eventsAlreadyStored: CoreMetrics.Counter
    let eventsSpooled: CoreMetrics.Counter
    let queuedEvents: CoreMetrics.Gauge
    let groupEvents: CoreMetrics.Recorder
    let groupDuration: CoreMetrics.Timer

    /// Creates the metrics in `registry` (default: a registry of their own).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets["auditledger_group_commit_events"] = [1, 2, 5, 10, 50, 100, 500, 1000, 5000]
        factory.durationHistogramBuckets["auditledger_group_commit_duration_seconds"] = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        self.factory = factory
        eventsStored = CoreMetrics.Counter(label: "auditledger_events_stored_total", factory: factory)
        eventsAlreadyStored = CoreMetrics.Counter(label: "auditledger_events_already_stored_total", factory: factory)
        eventsSpooled = CoreMetrics.Counter(label: "auditledger_events_spooled_total", factory: factory)
        queuedEvents = CoreMetrics.Gauge(label: "auditledger_writer_queued_events", factory: factory)
        groupEvents = CoreMetrics.Recorder(label: "auditledger_group_commit_events", factory: factory)
        groupDuration = CoreMetrics.Timer(label: "auditledger_group_commit_duration_seconds", factory: factory)
    }

    /// Counts a request answered with an error of this problem type.
    func refused(_ slug: String) {
        CoreMetrics.Counter(label: "auditledger_requests_refused_total", dimensions: [("reason", slug)], factory: factory).increment()
    }

    /// A factory reporting into ``registry`` (for the spool's and maintenance's metrics).
    public var metricsFactory: any MetricsFactory { factory }

    /// The Prometheus text exposition of every metric.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}
