public import AuditCore
import Foundation
public import Logging

/// Retention: archive, verify, then remove the months whose every event is past its retention.
///
/// For each eligible month (newest first, so a month whose events are parents goes after the
/// months of their children): write the archive and manifest, read the archive back and check
/// its hash and row count, then ask the store to remove the month if it still holds exactly that
/// many rows and no held event. Every removal (and failure) is recorded in the lifecycle log
/// and, with a ``recorder``, as an audit event (`auditledger.retention.removed` / `.failed`).
public struct RetentionRunner: Sendable {
    /// Where archives are written.
    public var archiveDirectory: String
    /// Who or what asked (`maintenance`, `cli:<user>`), recorded in the log.
    public var triggeredBy: String
    /// Where removals and failures are recorded as audit events; `nil` (the default): only the lifecycle log.
    public var recorder: (any SelfAuditRecorder)?
    /// Signs each archive's statement, and a checkpoint when none covers the month yet
    /// (``ArchiveWriter/archive(_:of:signer:now:progress:)``); `nil` (the default): the
    /// statement is left unsigned and a checkpoint of the server must cover the month.
    public var signer: NoteSignerKey?
    let store: any AuditLifecycleStore
    let logger: Logger

    public init(
        store: any AuditLifecycleStore, archiveDirectory: String, triggeredBy: String, recorder: (any SelfAuditRecorder)? = nil,
        signer: NoteSignerKey? = nil, logger: Logger
    ) {
        self.signer = signer
        self.store = store
        self.archiveDirectory = archiveDirectory
        self.triggeredBy = triggeredBy
        self.recorder = recorder
        self.logger = logger
    }

    /// What a run did, or (dry run) would do.
    public struct Outcome: Sendable {
        /// Every month, with its state at the start of the run.
        public var reports: [MonthReport]
        /// Months archived and removed, with their archives.
        public var removed: [ArchiveWriter.Written]
        /// Months whose removal failed, with the reason.
        public var failed: [(month: PartitionMonth, error: AuditError)]
    }

    /// The months and what retention thinks of each, without changing anything.
    public func plan(now: AuditTimestamp) async throws(AuditError) -> [MonthReport] {
        try await store.monthReports(now: now)
    }

    /// Removes every eligible month. With `dryRun`, only reports.
    /// - Parameter progress: told the month being archived (its report has its row count) and
    ///   the events written so far.
    public func run(now: AuditTimestamp, dryRun: Bool, progress: (MonthReport, Int64) -> Void = { _, _ in }) async throws(AuditError) -> Outcome {
        let reports = try await plan(now: now)
        var outcome = Outcome(reports: reports, removed: [], failed: [])
        guard !dryRun else { return outcome }
        let writer = ArchiveWriter(directory: archiveDirectory)
        for report in reports.filter({ $0.state == .eligible }).sorted(by: { $0.month > $1.month }) {
            let started = ContinuousClock.now
            do {
                let written = try await writer.archive(report.month, of: store, signer: signer, now: now) { progress(report, $0) }
                _ = try ArchiveReader.verify(written.manifestPath, loadEvents: false)
                try await store.removeMonth(report.month, expectedRows: written.manifest.rowCount)
                outcome.removed.append(written)
                logger.notice(
                    "month archived and removed",
                    metadata: [
                        "audit.month": "\(report.month)", "audit.rows": "\(written.manifest.rowCount)", "audit.archive": "\(written.archivePath)",
                        "audit.sha256": "\(written.manifest.sha256)",
                    ]
                )
                try await store.record(
                    LifecycleRecord(
                        kind: .retention, startedAt: now, durationMilliseconds: Self.milliseconds(since: started), month: report.month,
                        rows: written.manifest.rowCount, archivePath: written.archivePath, archiveSHA256: written.manifest.sha256,
                        triggeredBy: triggeredBy, outcome: "ok", detail: "\(report.reason); \(Self.describe(written.manifest.log))"
                    )
                )
                await recorder?.record(
                    .retentionRemoved(
                        report.month, rows: written.manifest.rowCount, archiveFile: written.manifest.archiveFile, sha256: written.manifest.sha256,
                        reason: report.reason, log: written.manifest.log, triggeredBy: triggeredBy, at: AuditTimestamp.now()))
            } catch {
                outcome.failed.append((report.month, error))
                logger.error("month not removed", metadata: ["audit.month": "\(report.month)", "error": "\(error)"])
                try? await store.record(
                    LifecycleRecord(
                        kind: .retention, startedAt: now, durationMilliseconds: Self.milliseconds(since: started), month: report.month,
                        triggeredBy: triggeredBy, outcome: "failed", detail: error.detail
                    )
                )
                await recorder?.record(.retentionFailed(report.month, detail: error.detail, triggeredBy: triggeredBy, at: AuditTimestamp.now()))
            }
        }
        return outcome
    }

    /// The log positions an archive's evidence covers, for the lifecycle log.
    static func describe(_ evidence: BundleEvidence?) -> String {
        guard let evidence, let first = evidence.positions.first, let last = evidence.positions.last else { return "no log positions" }
        let size = evidence.checkpointBody?.treeSize ?? 0
        return "log positions \(first)–\(last) (\(evidence.positions.count)), proved against the checkpoint of tree size \(size)"
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }
}
