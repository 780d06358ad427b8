public import CoreMetrics

/// What the spool reports through swift-metrics.
///
/// | Name | Kind | Meaning |
/// | --- | --- | --- |
/// | `auditledger_spool_events` | gauge | Events accepted (`202`) and not yet stored. |
/// | `auditledger_spool_bytes` | gauge | Bytes the spool's files take on disk. |
/// | `auditledger_spool_events_appended_total` | counter | Events written to the spool. |
/// | `auditledger_spool_events_replayed_total` | counter | Spooled events that reached the store (or were set aside as rejected). |
/// | `auditledger_spool_records_rejected_total` | counter | Spooled requests the store refused on replay (kept in `rejected/`). |
/// | `auditledger_spool_corrupt_regions_total` | counter | Damaged spool bytes found (kept in `corrupt/`). |
public struct SpoolMetrics: Sendable {
    let factory: any MetricsFactory

    /// Reports through `factory` (default: the bootstrapped `MetricsSystem.factory`).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    func depth(events: Int, bytes: Int64) {
        CoreMetrics.Gauge(label: "auditledger_spool_events", factory: factory).record(events)
        CoreMetrics.Gauge(label: "auditledger_spool_bytes", factory: factory).record(bytes)
    }

    func appended(events: Int) {
        CoreMetrics.Counter(label: "auditledger_spool_events_appended_total", factory: factory).increment(by: events)
    }

    func replayed(events: Int) {
        CoreMetrics.Counter(label: "auditledger_spool_events_replayed_total", factory: factory).increment(by: events)
    }

    func rejectedRecord() {
        CoreMetrics.Counter(label: "auditledger_spool_records_rejected_total", factory: factory).increment()
    }

    func corruptRegion() {
        CoreMetrics.Counter(label: "auditledger_spool_corrupt_regions_total", factory: factory).increment()
    }
}
