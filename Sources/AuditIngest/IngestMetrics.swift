import AuditCore
public import CoreMetrics

/// What the write pipeline reports through swift-metrics: the writer, the spool, the replayer
/// and the quarantine. Each counter counts what happened, once: an event stored by a replay is
/// counted as replayed, never as quarantined too.
///
/// | Name | Kind | Meaning |
/// | --- | --- | --- |
/// | `auditledger_events_stored_total` | counter | Events the writer committed as new rows (answered `201`). |
/// | `auditledger_events_already_stored_total` | counter | Events received again and not stored twice (retries). |
/// | `auditledger_events_spooled_total` | counter | Events answered `202`: written to the spool because the store could not take them (or older events still waited there). |
/// | `auditledger_writer_queued_events` | gauge | Events waiting for the writer (back-pressure at `--max-queued-events`). |
/// | `auditledger_group_commit_events` | histogram | Events per group-commit transaction. |
/// | `auditledger_group_commit_duration_seconds` | histogram | Time per group-commit transaction. |
/// | `auditledger_spool_events` | gauge | Events accepted (`202`) and not yet stored. |
/// | `auditledger_spool_bytes` | gauge | Bytes the spool's files take on disk. |
/// | `auditledger_spool_events_appended_total` | counter | Events written to the spool. |
/// | `auditledger_spool_events_replayed_total` | counter | Spooled events the replayer stored (new, or found already stored). |
/// | `auditledger_spool_events_quarantined_total` | counter | Spooled events the store refused, moved to the quarantine table. |
/// | `auditledger_spool_replay_failures_total{reason}` | counter | Replay attempts that failed because the store could not answer (retried). |
/// | `auditledger_spool_replay_blocked` | gauge | 1 while replay is stopped at a record that does not decode. |
/// | `auditledger_spool_corrupt_regions_total` | counter | Damaged spool bytes found (kept in `corrupt/`). |
/// | `auditledger_quarantine_records` | gauge | Quarantine records not resolved. |
/// | `auditledger_quarantine_events` | gauge | Events in those records. |
/// | `auditledger_log_size` | gauge | Events in the log (its next position), as the sequencer last saw it. |
/// | `auditledger_log_sequencer_failures_total` | counter | Sequencer steps that failed because the store could not answer (retried). |
/// | `auditledger_checkpoint_tree_size` | gauge | Tree size of the newest signed checkpoint this server stored or found. |
/// | `auditledger_checkpoint_failures_total` | counter | Checkpoint steps that failed (retried at the next interval). |
/// | `auditledger_checkpoint_witness_failures_total` | counter | Checkpoints a witness (file or URL) did not take. |
public struct IngestMetrics: Sendable {
    let factory: any MetricsFactory

    /// Reports through `factory` (default: the bootstrapped `MetricsSystem.factory`).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    private func counter(_ label: String, by amount: Int) {
        guard amount > 0 else { return }
        CoreMetrics.Counter(label: label, factory: factory).increment(by: amount)
    }

    private func gauge(_ label: String, _ value: Int64) {
        CoreMetrics.Gauge(label: label, factory: factory).record(value)
    }

    func stored(new: Int, already: Int) {
        counter("auditledger_events_stored_total", by: new)
        counter("auditledger_events_already_stored_total", by: already)
    }

    func spooled(events: Int) { counter("auditledger_events_spooled_total", by: events) }

    func queued(events: Int) { gauge("auditledger_writer_queued_events", Int64(events)) }

    func groupCommitted(events: Int, duration: Duration) {
        CoreMetrics.Recorder(label: "auditledger_group_commit_events", factory: factory).record(events)
        CoreMetrics.Timer(label: "auditledger_group_commit_duration_seconds", factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    func spoolDepth(events: Int, bytes: Int64, blocked: Bool) {
        gauge("auditledger_spool_events", Int64(events))
        gauge("auditledger_spool_bytes", bytes)
        gauge("auditledger_spool_replay_blocked", blocked ? 1 : 0)
    }

    func appended(events: Int) { counter("auditledger_spool_events_appended_total", by: events) }

    func replayed(events: Int) { counter("auditledger_spool_events_replayed_total", by: events) }

    func quarantined(events: Int) { counter("auditledger_spool_events_quarantined_total", by: events) }

    /// Creates every counter at zero, so that `rate()` and `increase()` over them work from the
    /// first scrape, before anything happened (a replay failure counts under the reason a store
    /// outage gives, `service-unavailable`).
    public func createSeries() {
        for label in [
            "auditledger_events_stored_total", "auditledger_events_already_stored_total", "auditledger_events_spooled_total",
            "auditledger_spool_events_appended_total", "auditledger_spool_events_replayed_total", "auditledger_spool_events_quarantined_total",
            "auditledger_spool_corrupt_regions_total", "auditledger_log_sequencer_failures_total", "auditledger_checkpoint_failures_total",
            "auditledger_checkpoint_witness_failures_total",
        ] {
            _ = CoreMetrics.Counter(label: label, factory: factory)
        }
        _ = CoreMetrics.Counter(label: "auditledger_spool_replay_failures_total", dimensions: [("reason", "service-unavailable")], factory: factory)
    }

    func replayFailed(reason: String) {
        CoreMetrics.Counter(label: "auditledger_spool_replay_failures_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    func corruptRegion() { counter("auditledger_spool_corrupt_regions_total", by: 1) }

    func logged(size: Int64) { gauge("auditledger_log_size", size) }

    func sequencerFailed() { counter("auditledger_log_sequencer_failures_total", by: 1) }

    func checkpointed(size: Int64) { gauge("auditledger_checkpoint_tree_size", size) }

    func checkpointFailed() { counter("auditledger_checkpoint_failures_total", by: 1) }

    func witnessFailed() { counter("auditledger_checkpoint_witness_failures_total", by: 1) }

    /// Publishes what the store's quarantine holds.
    public func quarantine(records: Int, events: Int) {
        gauge("auditledger_quarantine_records", Int64(records))
        gauge("auditledger_quarantine_events", Int64(events))
    }
}
