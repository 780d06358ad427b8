public import AuditCore
import CoreMetrics
public import Logging
public import ServiceLifecycle

/// How far the standby is behind the primary, measured every ``StandbyReads/lagInterval``
/// and exported:
///
/// | Name | Kind | Meaning |
/// | --- | --- | --- |
/// | `auditledger_standby_replay_lag_bytes` | gauge | Write-ahead log the primary has written and the standby has not replayed. |
/// | `auditledger_standby_replay_lag_seconds` | gauge | 0 when the standby has replayed everything; else the time since the last commit it replayed (by the primary's clock). |
/// | `auditledger_standby_up` | gauge | 1 when both answered the last measurement and the standby is in recovery, else 0. |
///
/// The lag gauges read NaN until the first measurement and whenever the last one failed: a lag
/// that could not be measured is not reported as none.
public final class StandbyLagMonitor: Service, Sendable {
    /// One measurement.
    public struct Lag: Sendable, Hashable {
        /// Write-ahead log bytes the standby has not replayed.
        public var bytes: UInt64
        /// 0 when ``bytes`` is 0; else the time since the last commit the standby replayed.
        public var seconds: Double

        public init(bytes: UInt64, seconds: Double) {
            self.bytes = bytes
            self.seconds = seconds
        }
    }

    private let settings: StandbyReads
    private let clock: @Sendable () -> AuditTimestamp
    private let logger: Logger
    private let bytes: Gauge
    private let seconds: Gauge
    private let up: Gauge

    /// - Parameter clock: the time the lag in seconds is measured at; default the system clock.
    public init(settings: StandbyReads, metrics: AuditMetrics, clock: @escaping @Sendable () -> AuditTimestamp = { .now() }, logger: Logger) {
        self.settings = settings
        self.clock = clock
        self.logger = logger
        bytes = Gauge(label: "auditledger_standby_replay_lag_bytes", factory: metrics.factory)
        seconds = Gauge(label: "auditledger_standby_replay_lag_seconds", factory: metrics.factory)
        up = Gauge(label: "auditledger_standby_up", factory: metrics.factory)
        unmeasured()
    }

    /// Measures until graceful shutdown.
    public func run() async throws {
        var failing = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let lag = await measure()
            if lag == nil && !failing {
                logger.warning("the standby's replication lag could not be measured; reads fall back to the primary when it cannot answer")
            }
            if lag != nil && failing { logger.notice("the standby's replication lag is measured again") }
            failing = lag == nil
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.lagInterval) }
        }
    }

    /// Reads both positions (the primary's first, so the lag is never understated) and records
    /// the gauges; `nil` when either could not answer or the standby is not in recovery.
    @discardableResult
    public func measure() async -> Lag? {
        guard let primary = try? await settings.primary.replicationPosition(), let written = primary.walBytes,
            let standby = try? await settings.standby.replicationPosition(), standby.isStandby
        else {
            unmeasured()
            return nil
        }
        let replayed = standby.walBytes ?? 0
        let behind = written > replayed ? written - replayed : 0
        var lag = Lag(bytes: behind, seconds: 0)
        if behind > 0, let last = standby.lastReplayedCommit {
            lag.seconds = max(Double(clock().microsecondsSinceEpoch - last.microsecondsSinceEpoch) / 1_000_000, 0)
        }
        bytes.record(Int64(clamping: lag.bytes))
        seconds.record(lag.seconds)
        up.record(1)
        return lag
    }

    private func unmeasured() {
        bytes.record(Double.nan)
        seconds.record(Double.nan)
        up.record(0)
    }
}
