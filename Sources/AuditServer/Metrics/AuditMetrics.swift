public import AuditIngest
public import CoreMetrics
public import Prometheus
import Synchronization

/// The metrics AuditLedger reports, exposed as Prometheus text at `GET /metrics`: the write
/// pipeline's (``AuditIngest/IngestMetrics``, which lists them), maintenance's, the connection
/// pool's, and the server's own:
///
/// | Name | Kind | Meaning |
/// | --- | --- | --- |
/// | `auditledger_requests_refused_total{reason}` | counter | Requests answered with an error, by problem type. |
/// | `auditledger_client_disconnects_total` | counter | Requests whose client hung up before the body arrived. |
/// | `auditledger_legal_holds_active` | gauge | Active legal holds (updated when one is placed or released, and by maintenance). |
/// | `auditledger_http_requests_total{route,method,status}` | counter | Requests answered, by route template. |
/// | `auditledger_http_request_duration_seconds{route,method}` | histogram | Time from a request's head to the end of its answer. |
/// | `auditledger_build_info{version}` | gauge | 1, labelled with the version. |
///
/// and the seeds' `audit_*` and `workflow_audit_*` (``AuditMetrics`` `+Seeds`); docs/metrics.md lists them all.
public final class AuditMetrics: Sendable {
    /// The registry the metrics are kept in; render it with `emit(into:)`.
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    /// The write pipeline's metrics, reported into ``registry``.
    public let ingest: IngestMetrics
    /// The event types `audit_event_types_total` names (at most ``maximumEventTypes``).
    let eventTypes = Mutex<Set<String>>([])

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
        self.ingest = IngestMetrics(factory: factory)
        ingest.createSeries()
        createSeedSeries()
    }

    /// Counts a request answered with an error of this problem type.
    func refused(_ slug: String) {
        CoreMetrics.Counter(label: "auditledger_requests_refused_total", dimensions: [("reason", slug)], factory: factory).increment()
    }

    /// Counts a client that hung up before its request arrived.
    func clientDisconnected() {
        CoreMetrics.Counter(label: "auditledger_client_disconnects_total", factory: factory).increment()
    }

    /// Publishes how many legal holds are active.
    func legalHoldsActive(_ count: Int) {
        CoreMetrics.Gauge(label: "auditledger_legal_holds_active", factory: factory).record(count)
    }

    /// A factory reporting into ``registry`` (for maintenance's metrics).
    public var metricsFactory: any MetricsFactory { factory }

    /// The Prometheus text exposition of every metric.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}

extension AuditMetrics {
    /// A request answered with `status` after `nanoseconds`, by route template and method.
    func request(route: String, method: String, status: Int, nanoseconds: Int64) {
        CoreMetrics.Counter(
            label: "auditledger_http_requests_total", dimensions: [("route", route), ("method", method), ("status", String(status))],
            factory: factory
        ).increment()
        CoreMetrics.Timer(label: "auditledger_http_request_duration_seconds", dimensions: [("route", route), ("method", method)], factory: factory)
            .recordNanoseconds(nanoseconds)
    }
}
