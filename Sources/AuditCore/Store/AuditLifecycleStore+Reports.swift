extension AuditLifecycleStore {
    /// Every month judged by ``MonthReport/judge(_:now:restored:)``, with the restores the
    /// lifecycle log records. Reads every row of the months that have ended.
    public func monthReports(now: AuditTimestamp) async throws(AuditError) -> [MonthReport] {
        let facts = try await monthFacts()
        let restored = LifecycleRecord.restoredMonths(try await lifecycleLog(limit: Self.wholeLog))
        return MonthReport.judge(facts, now: now, restored: restored)
    }

    /// The months retention removed that no restore brought back (from the lifecycle log).
    public func removedMonths() async throws(AuditError) -> Set<PartitionMonth> {
        LifecycleRecord.removedMonths(try await lifecycleLog(limit: Self.wholeLog))
    }

    /// ``LifecycleRecord/removedMonthRows(_:)`` of the whole lifecycle log.
    public func removedMonthRows() async throws(AuditError) -> [PartitionMonth: Int64] {
        LifecycleRecord.removedMonthRows(try await lifecycleLog(limit: Self.wholeLog))
    }

    /// Enough entries for the whole log: an hourly maintenance run for seven years is about
    /// 61,000.
    static var wholeLog: Int { 10_000_000 }
}
