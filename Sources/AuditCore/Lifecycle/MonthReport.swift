/// Where a month stands in its life: kept, removable, or protected.
public enum MonthState: String, Sendable, Hashable {
    /// Some event in it is still within its retention (or the month is current or ahead).
    case kept
    /// Every event is past its retention and none is held: retention may archive and remove it.
    case eligible
    /// Past retention, but an event in it is under legal hold.
    case held
    /// Past retention and not held, but events of a kept month name events of this one as
    /// their parent; it goes when they do.
    case blocked
}

/// One month of storage as retention and operators see it.
public struct MonthReport: Sendable, Hashable {
    public var month: PartitionMonth
    /// Rows stored (PostgreSQL: the planner's estimate until the month has been analysed; SQLite: exact).
    public var rows: Int64
    /// Bytes on disk, heap, indexes and TOAST (PostgreSQL); `nil` where the store cannot tell.
    public var bytes: Int64?
    /// `event_timestamp` of the oldest and newest event, `nil` for an empty month.
    public var oldest: AuditTimestamp?
    public var newest: AuditTimestamp?
    /// When the last event in it passes its retention (`nil` for an empty month).
    public var expiresAt: AuditTimestamp?
    /// Events under an active legal hold.
    public var heldEvents: Int64
    /// Events of other, kept months whose parent is in this month.
    public var referencedFromKeptMonths: Int64
    public var state: MonthState
    /// Why it is in that state, in words.
    public var reason: String

    public init(
        month: PartitionMonth,
        rows: Int64,
        bytes: Int64?,
        oldest: AuditTimestamp?,
        newest: AuditTimestamp?,
        expiresAt: AuditTimestamp?,
        heldEvents: Int64,
        referencedFromKeptMonths: Int64,
        state: MonthState,
        reason: String
    ) {
        self.month = month
        self.rows = rows
        self.bytes = bytes
        self.oldest = oldest
        self.newest = newest
        self.expiresAt = expiresAt
        self.heldEvents = heldEvents
        self.referencedFromKeptMonths = referencedFromKeptMonths
        self.state = state
        self.reason = reason
    }
}

/// What a store measured about a month, from which ``MonthReport/judge(_:now:)`` decides its state.
public struct MonthFacts: Sendable, Hashable {
    public var month: PartitionMonth
    public var rows: Int64
    public var bytes: Int64?
    public var oldest: AuditTimestamp?
    public var newest: AuditTimestamp?
    /// Latest `event_timestamp + effective retention` over the month's events (`nil` when
    /// not computed: months that have not ended, or are empty).
    public var expiresAt: AuditTimestamp?
    public var heldEvents: Int64
    /// Events of other months whose parent is in this month, by the month they are in.
    public var childrenInOtherMonths: [PartitionMonth: Int64]

    public init(
        month: PartitionMonth,
        rows: Int64,
        bytes: Int64? = nil,
        oldest: AuditTimestamp? = nil,
        newest: AuditTimestamp? = nil,
        expiresAt: AuditTimestamp? = nil,
        heldEvents: Int64 = 0,
        childrenInOtherMonths: [PartitionMonth: Int64] = [:]
    ) {
        self.month = month
        self.rows = rows
        self.bytes = bytes
        self.oldest = oldest
        self.newest = newest
        self.expiresAt = expiresAt
        self.heldEvents = heldEvents
        self.childrenInOtherMonths = childrenInOtherMonths
    }
}

extension MonthReport {
    /// Decides every month's state: the same rule for every store.
    ///
    /// A month is removable (`eligible`) when it has ended, it is not empty, every event in it
    /// is past its retention (`max(retention_days, the category's policy)` after its
    /// `event_timestamp`), no event in it is held, and every event elsewhere that names one of
    /// its events as parent is in a month removed with it (otherwise `blocked`). Empty months
    /// are kept: they hold no evidence, and removing them would leave gaps. A month restored
    /// from its archive is kept for ``restoredMonthDays`` after the restore, for the
    /// investigation it was restored for (a legal hold keeps it longer).
    /// - Parameter restored: months restored and when (see ``LifecycleRecord/restoredMonths(_:)``).
    public static func judge(
        _ months: [MonthFacts],
        now: AuditTimestamp,
        restored: [PartitionMonth: AuditTimestamp] = [:]
    ) -> [MonthReport] {
        var reports: [PartitionMonth: MonthReport] = [:]
        for facts in months {
            reports[facts.month] = judgeAlone(facts, now: now, restoredAt: restored[facts.month])
        }
        // A month whose events are parents of events in a month that stays must stay too,
        // and so on along the chain: repeat until nothing changes.
        var changed = true
        while changed {
            changed = false
            for facts in months where reports[facts.month]?.state == .eligible {
                let keeping = facts.childrenInOtherMonths.filter { child, count in count > 0 && reports[child]?.state != .eligible }
                guard !keeping.isEmpty else { continue }
                let count = keeping.values.reduce(0, +)
                let names = keeping.keys.sorted().map(\.description).joined(separator: ", ")
                reports[facts.month]?.state = .blocked
                reports[facts.month]?.reason = "\(count) event(s) of kept months (\(names)) name its events as parent"
                reports[facts.month]?.referencedFromKeptMonths = count
                changed = true
            }
        }
        return months.compactMap { reports[$0.month] }
    }

    /// Days a restored month is kept after its restore before retention considers it again: 30.
    public static let restoredMonthDays: Int64 = 30

    private static func judgeAlone(_ facts: MonthFacts, now: AuditTimestamp, restoredAt: AuditTimestamp?) -> MonthReport {
        func report(_ state: MonthState, _ reason: String) -> MonthReport {
            MonthReport(
                month: facts.month, rows: facts.rows, bytes: facts.bytes, oldest: facts.oldest, newest: facts.newest,
                expiresAt: facts.expiresAt, heldEvents: facts.heldEvents, referencedFromKeptMonths: 0, state: state, reason: reason
            )
        }
        guard facts.month.endDay.startOfDay <= now else { return report(.kept, "the month has not ended") }
        guard facts.rows > 0, let expiry = facts.expiresAt else { return report(.kept, "empty") }
        guard expiry <= now else { return report(.kept, "its last event leaves retention at \(expiry)") }
        if let restoredAt {
            let until = restoredAt.adding(seconds: restoredMonthDays * 86_400)
            if now < until { return report(.kept, "restored from its archive at \(restoredAt); kept until \(until)") }
        }
        if facts.heldEvents > 0 { return report(.held, "\(facts.heldEvents) event(s) under legal hold") }
        return report(.eligible, "every event is past its retention since \(expiry)")
    }
}

extension MonthReport {
    /// Layout problems visible from the list of months alone: months missing between the
    /// oldest and the newest (gaps) that retention did not remove, and months missing from the
    /// current one to `monthsAhead` after it.
    /// - Parameter removed: months retention removed (see ``LifecycleRecord/removedMonths(_:)``);
    ///   a hole they leave is expected, not a gap.
    public static func layoutFindings(
        months: [PartitionMonth],
        removed: Set<PartitionMonth> = [],
        now: AuditTimestamp,
        monthsAhead: Int
    ) -> [String] {
        var findings: [String] = []
        let present = Set(months)
        if let first = months.min(), let last = months.max() {
            let gaps = first.through(last).filter { !present.contains($0) && !removed.contains($0) }
            if !gaps.isEmpty {
                findings.append("gap: no storage for \(gaps.map(\.description).joined(separator: ", ")) between \(first) and \(last)")
            }
        }
        let current = now.utcDate.month
        let missing = current.through(current.adding(months: monthsAhead)).filter { !present.contains($0) }
        if !missing.isEmpty {
            findings.append(
                "missing ahead: no storage yet for \(missing.map(\.description).joined(separator: ", ")) (run `auditledger partitions ensure`)")
        }
        return findings
    }
}
