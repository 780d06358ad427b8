public import AuditCore
import Foundation
public import Logging

/// Brings a removed month back from its archive, for an investigation.
///
/// The archive is verified first (SHA-256 against its manifest, then row count and first and
/// last event), and its SHA-256 must also be the one the lifecycle log recorded when retention
/// removed the month, when the log has that record: a manifest rewritten to match an altered
/// archive is refused too. The restore is recorded in the lifecycle log; retention then keeps
/// the month for ``MonthReport/restoredMonthDays`` days. With a ``recorder``, also as an audit
/// event (`auditledger.partition.restored`).
public struct ArchiveRestorer: Sendable {
    /// Who or what asked (`cli:<user>`), recorded in the log.
    public var triggeredBy: String
    /// Where a restore is recorded as an audit event; `nil` (the default): only the lifecycle log.
    public var recorder: (any SelfAuditRecorder)?
    let store: any AuditLifecycleStore
    let logger: Logger

    public init(store: any AuditLifecycleStore, triggeredBy: String, recorder: (any SelfAuditRecorder)? = nil, logger: Logger) {
        self.store = store
        self.triggeredBy = triggeredBy
        self.recorder = recorder
        self.logger = logger
    }

    /// Verifies and restores the archive that `path` names (its manifest, or its `.ndjson.gz`).
    /// - Parameter verified: told once the archive passed every check, before the store is touched.
    /// - Returns: the archive's manifest.
    /// - Throws: `conflict` for an archive that fails a check (nothing is restored), `notFound`
    ///   for missing files, and the store's errors (a month that still holds events: `conflict`).
    @discardableResult
    public func restore(
        _ path: String, now: AuditTimestamp, verified: (ArchiveManifest) -> Void = { _ in }
    ) async throws(AuditError) -> ArchiveManifest {
        let archive = try ArchiveReader.verify(path, loadEvents: true)
        let manifest = archive.manifest
        let recorded = try await store.lifecycleLog(limit: 10_000_000).filter {
            $0.kind == .retention && $0.outcome == "ok" && $0.month == manifest.month
        }
        if !recorded.isEmpty, !recorded.contains(where: { $0.archiveSHA256 == manifest.sha256 }) {
            throw AuditError(
                .conflict,
                detail: """
                    the lifecycle log recorded \(manifest.month) archived with SHA-256 \
                    \(recorded.compactMap(\.archiveSHA256).joined(separator: ", ")), not \(manifest.sha256): refusing this archive
                    """
            )
        }
        try await checkAgainstLog(archive.events, month: manifest.month, archivedHere: !recorded.isEmpty)
        verified(manifest)
        let started = ContinuousClock.now
        try await store.restoreMonth(manifest.month, events: archive.events)
        logger.notice(
            "month restored from its archive",
            metadata: ["audit.month": "\(manifest.month)", "audit.rows": "\(manifest.rowCount)", "audit.archive": "\(archive.archivePath)"]
        )
        try await store.record(
            LifecycleRecord(
                kind: .restore, startedAt: now, durationMilliseconds: RetentionRunner.milliseconds(since: started), month: manifest.month,
                rows: manifest.rowCount, archivePath: archive.archivePath, archiveSHA256: manifest.sha256, triggeredBy: triggeredBy,
                outcome: "ok", detail: "restored from its archive; kept \(MonthReport.restoredMonthDays) days"
            )
        )
        await recorder?.record(
            .restored(
                manifest.month, rows: manifest.rowCount, archiveFile: manifest.archiveFile, sha256: manifest.sha256, triggeredBy: triggeredBy,
                at: AuditTimestamp.now()))
        return manifest
    }

    /// Every archived event the log holds must be what the log holds (its leaf hash); when this
    /// store's lifecycle log recorded the month's removal, every archived event must be in the
    /// log. Events of another store's archive that this log never had are logged as restored.
    /// - Throws: `conflict` naming the first event that fails (nothing is restored).
    func checkAgainstLog(_ events: [StoredAuditEvent], month: PartitionMonth, archivedHere: Bool) async throws(AuditError) {
        for start in stride(from: 0, to: events.count, by: 10_000) {
            let chunk = events[start..<min(start + 10_000, events.count)]
            var logged: [UUID: LogEntry] = [:]
            for entry in try await store.logEntries(eventIDs: chunk.map(\.event.id)) { logged[entry.eventID] = entry }
            if archivedHere, logged.count < chunk.count {
                // Events archived before the sequencer reached them wait in its queue: log them first.
                try await store.drainLogQueue()
                for entry in try await store.logEntries(eventIDs: chunk.map(\.event.id)) { logged[entry.eventID] = entry }
            }
            for stored in chunk {
                let id = stored.event.id.uuidString.lowercased()
                guard let entry = logged[stored.event.id] else {
                    if archivedHere {
                        throw AuditError(
                            .conflict,
                            detail:
                                "event \(id) of the archive of \(month) is not in the log, though this store archived the month: refusing this archive"
                        )
                    }
                    continue
                }
                guard try StoredAuditEvent.digest(of: stored.event).leafHash == entry.leafHash else {
                    throw AuditError(
                        .conflict,
                        detail:
                            "event \(id) of the archive of \(month) is not what the log holds at position \(entry.position): refusing this archive")
                }
            }
        }
    }
}
