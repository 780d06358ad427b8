public import CoreMetrics

/// The client's metrics (swift-metrics; whichever backend the process bootstraps), named as
/// the seeds name their audit client's:
///
/// | Metric | Type | Meaning |
/// | --- | --- | --- |
/// | `audit_client_requests_total{status}` | counter | Requests sent, by the server's status (`201`, `400`, `503`, …) or `network` when there was no answer. |
/// | `audit_client_request_duration_seconds` | timer | Time from sending a request to its answer. |
/// | `audit_client_failures_total{error_type}` | counter | Failed requests: `network`, `server_error`, `rate_limited`, `unauthorized`, `refused`, `too_large`, `unexpected`. |
/// | `audit_client_events_recorded_total` | counter | Events ``AuditLedgerClient/record(_:)`` kept. |
/// | `audit_client_events_sent_total` | counter | Events the server acknowledged (`201`, or `202` when it spooled them). |
/// | `audit_client_events_set_aside_total{reason}` | counter | Events given up on: `refused` by the server, `dropped` for want of room, `invalid` when recorded. |
/// | `audit_client_pending_events` | gauge | Events waiting to be sent. |
public struct ClientMetrics: Sendable {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    func request(status: String, seconds: Double) {
        Counter(label: "audit_client_requests_total", dimensions: [("status", status)], factory: factory).increment()
        Timer(label: "audit_client_request_duration_seconds", factory: factory).recordNanoseconds(Int64(seconds * 1_000_000_000))
    }

    func failure(_ kind: String) {
        Counter(label: "audit_client_failures_total", dimensions: [("error_type", kind)], factory: factory).increment()
    }

    func recorded() {
        Counter(label: "audit_client_events_recorded_total", factory: factory).increment()
    }

    func sent(_ count: Int) {
        Counter(label: "audit_client_events_sent_total", factory: factory).increment(by: count)
    }

    func setAside(_ reason: String) {
        Counter(label: "audit_client_events_set_aside_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    func pending(_ count: Int) {
        Gauge(label: "audit_client_pending_events", factory: factory).record(count)
    }
}
