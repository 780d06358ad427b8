/// One entry of the lifecycle log: a maintenance run, a month removed by retention, a month
/// restored from its archive. Stores keep these append-only.
public struct LifecycleRecord: Sendable, Hashable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable {
        /// A maintenance run (months ahead created, retention considered).
        case maintenance
        /// A month archived, verified and removed.
        case retention
        /// A month brought back from its archive.
        case restore
    }

    public var kind: Kind
    public var startedAt: AuditTimestamp
    public var durationMilliseconds: Int64
    /// The month concerned (retention, restore).
    public var month: PartitionMonth?
    /// Rows archived, removed or restored.
    public var rows: Int64?
    public var archivePath: String?
    public var archiveSHA256: String?
    /// Who or what triggered it: `maintenance`, `cli:<user>`, …
    public var triggeredBy: String
    /// `ok`, `failed`, `skipped`.
    public var outcome: String
    /// What it did, in words (months created, reasons, errors).
    public var detail: String

    public init(
        kind: Kind,
        startedAt: AuditTimestamp,
        durationMilliseconds: Int64,
        month: PartitionMonth? = nil,
        rows: Int64? = nil,
        archivePath: String? = nil,
        archiveSHA256: String? = nil,
        triggeredBy: String,
        outcome: String,
        detail: String
    ) {
        self.kind = kind
        self.startedAt = startedAt
        self.durationMilliseconds = durationMilliseconds
        self.month = month
        self.rows = rows
        self.archivePath = archivePath
        self.archiveSHA256 = archiveSHA256
        self.triggeredBy = triggeredBy
        self.outcome = outcome
        self.detail = detail
    }
}

extension LifecycleRecord {
    /// The months that retention removed and no later restore brought back.
    /// - Parameter records: the log newest first, as ``AuditLifecycleStore/lifecycleLog(limit:)``
    ///   returns it.
    public static func removedMonths(_ records: [LifecycleRecord]) -> Set<PartitionMonth> {
        Set(removedMonthRows(records).keys)
    }

    /// The months that retention removed and no later restore brought back, each with the
    /// number of events its last removal archived.
    public static func removedMonthRows(_ records: [LifecycleRecord]) -> [PartitionMonth: Int64] {
        var removed: [PartitionMonth: Int64] = [:]
        for record in records.reversed() where record.outcome == "ok" {
            guard let month = record.month else { continue }
            switch record.kind {
            case .retention: removed[month] = record.rows ?? 0
            case .restore: removed[month] = nil
            case .maintenance: break
            }
        }
        return removed
    }
}

extension LifecycleRecord {
    /// The months brought back from their archives and not removed since, with when the last
    /// restore happened.
    /// - Parameter records: the log newest first, as ``AuditLifecycleStore/lifecycleLog(limit:)``
    ///   returns it.
    public static func restoredMonths(_ records: [LifecycleRecord]) -> [PartitionMonth: AuditTimestamp] {
        var restored: [PartitionMonth: AuditTimestamp] = [:]
        for record in records.reversed() where record.outcome == "ok" {
            guard let month = record.month else { continue }
            switch record.kind {
            case .restore: restored[month] = record.startedAt
            case .retention: restored[month] = nil
            case .maintenance: break
            }
        }
        return restored
    }
}
