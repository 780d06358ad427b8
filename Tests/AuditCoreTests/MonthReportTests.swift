import Testing

@testable import AuditCore

@Suite struct MonthReportTests {
    static func month(_ year: Int, _ month: Int) -> PartitionMonth { PartitionMonth(year: year, month: month)! }
    static func at(_ text: String) -> AuditTimestamp { AuditTimestamp(rfc3339: text)! }

    @Test("A month is eligible only once it has ended, holds events, all past retention, none held")
    func judgesAlone() {
        let now = Self.at("2026-06-10T00:00:00Z")
        let reports = MonthReport.judge(
            [
                MonthFacts(month: Self.month(2026, 1), rows: 5, expiresAt: Self.at("2026-06-09T23:59:59Z")),
                MonthFacts(month: Self.month(2026, 2), rows: 5, expiresAt: Self.at("2026-06-10T00:00:01Z")),
                MonthFacts(month: Self.month(2026, 3), rows: 5, expiresAt: Self.at("2026-05-01T00:00:00Z"), heldEvents: 1),
                MonthFacts(month: Self.month(2026, 4), rows: 0),
                MonthFacts(month: Self.month(2026, 6), rows: 5, expiresAt: Self.at("2026-06-01T00:00:00Z")),
            ],
            now: now
        )
        #expect(reports.map(\.state) == [.eligible, .kept, .held, .kept, .kept])
        #expect(
            reports.map(\.reason) == [
                "every event is past its retention since 2026-06-09T23:59:59Z",
                "its last event leaves retention at 2026-06-10T00:00:01Z",
                "1 event(s) under legal hold",
                "empty",
                "the month has not ended",
            ])
    }

    @Test("A month whose events are parents of events in a kept month is blocked, along the whole chain")
    func blocksAlongChains() {
        let now = Self.at("2026-06-10T00:00:00Z")
        let expired = Self.at("2026-05-01T00:00:00Z")
        let reports = MonthReport.judge(
            [
                // January's events are parents in February; February's in March; March is held.
                MonthFacts(month: Self.month(2026, 1), rows: 2, expiresAt: expired, childrenInOtherMonths: [Self.month(2026, 2): 1]),
                MonthFacts(month: Self.month(2026, 2), rows: 2, expiresAt: expired, childrenInOtherMonths: [Self.month(2026, 3): 2]),
                MonthFacts(month: Self.month(2026, 3), rows: 2, expiresAt: expired, heldEvents: 1),
                // November's children are in December, which is eligible too: both go.
                MonthFacts(month: Self.month(2025, 11), rows: 2, expiresAt: expired, childrenInOtherMonths: [Self.month(2025, 12): 3]),
                MonthFacts(month: Self.month(2025, 12), rows: 2, expiresAt: expired),
            ],
            now: now
        )
        #expect(reports.map(\.state) == [.blocked, .blocked, .held, .eligible, .eligible])
        #expect(reports[0].reason == "1 event(s) of kept months (2026-02) name its events as parent")
        #expect(reports[1].referencedFromKeptMonths == 2)
    }

    @Test("Layout: gaps that retention did not make, and months missing ahead across a year boundary")
    func layout() {
        let now = Self.at("2026-11-21T12:00:00Z")
        let ahead = Self.month(2026, 11).through(Self.month(2027, 2))
        #expect(MonthReport.layoutFindings(months: ahead, now: now, monthsAhead: 3) == [])
        #expect(
            MonthReport.layoutFindings(months: [], now: now, monthsAhead: 1) == [
                "missing ahead: no storage yet for 2026-11, 2026-12 (run `auditledger partitions ensure`)"
            ])
        let withHole = [Self.month(2026, 7), Self.month(2026, 10)] + ahead.filter { $0 != Self.month(2027, 1) }
        #expect(
            MonthReport.layoutFindings(months: withHole, now: now, monthsAhead: 3) == [
                "gap: no storage for 2026-08, 2026-09, 2027-01 between 2026-07 and 2027-02",
                "missing ahead: no storage yet for 2027-01 (run `auditledger partitions ensure`)",
            ])
        #expect(
            MonthReport.layoutFindings(months: withHole, removed: [Self.month(2026, 8), Self.month(2026, 9)], now: now, monthsAhead: 3) == [
                "gap: no storage for 2027-01 between 2026-07 and 2027-02",
                "missing ahead: no storage yet for 2027-01 (run `auditledger partitions ensure`)",
            ])
    }

    @Test("Removed months: retention removes, a later restore brings back, failures count for nothing")
    func removedMonths() {
        func record(_ kind: LifecycleRecord.Kind, _ month: PartitionMonth?, _ outcome: String = "ok") -> LifecycleRecord {
            LifecycleRecord(
                kind: kind, startedAt: Self.at("2026-01-01T00:00:00Z"), durationMilliseconds: 1, month: month, triggeredBy: "test", outcome: outcome,
                detail: "")
        }
        // Oldest first here; the log hands them newest first.
        let log = [
            record(.retention, Self.month(2020, 1)), record(.retention, Self.month(2020, 2)), record(.maintenance, nil),
            record(.restore, Self.month(2020, 2)), record(.retention, Self.month(2020, 3), "failed"),
            record(.restore, Self.month(2020, 1)), record(.retention, Self.month(2020, 1)),
        ]
        #expect(LifecycleRecord.removedMonths(log.reversed()) == [Self.month(2020, 1)])
    }
}
