import Testing

@testable import AuditCore

@Suite struct TimeTests {
    @Test(arguments: [
        ("2025-12-13T02:00:00Z", Int64(1_765_591_200_000_000)),
        ("2025-12-13t02:00:00z", Int64(1_765_591_200_000_000)),
        ("2025-12-13T04:00:00+02:00", Int64(1_765_591_200_000_000)),
        ("2025-12-12T21:30:00-04:30", Int64(1_765_591_200_000_000)),
        ("2025-12-13T02:00:00.5Z", Int64(1_765_591_200_500_000)),
        ("2025-12-13T02:00:00.123456789Z", Int64(1_765_591_200_123_456)),
        ("1969-12-31T23:59:59.999999Z", Int64(-1)),
        ("2024-02-29T00:00:00Z", Int64(1_709_164_800_000_000)),
    ])
    func parsesRFC3339(_ text: String, _ micros: Int64) throws {
        #expect(AuditTimestamp(rfc3339: text)?.microsecondsSinceEpoch == micros)
    }

    @Test(arguments: [
        "2025-12-13T02:00:00", "2025-12-13 02:00:00Z", "2025-12-13T24:00:00Z", "2025-12-13T02:60:00Z", "2025-12-13T02:00:60Z",
        "2025-02-29T00:00:00Z", "2025-13-01T00:00:00Z", "2025-12-13T02:00:00+2:00", "2025-12-13T02:00:00+24:00", "2025-12-13T02:00:00.Z",
        "2025-12-13", "not a time", "2025-12-13T02:00:00Zjunk", "0000-01-01T00:00:00Z",
    ])
    func refusesOtherText(_ text: String) {
        #expect(AuditTimestamp(rfc3339: text) == nil)
    }

    @Test func formatsInUTCWithTrimmedFraction() {
        #expect(AuditTimestamp(microsecondsSinceEpoch: 1_765_591_200_000_000).description == "2025-12-13T02:00:00Z")
        #expect(AuditTimestamp(microsecondsSinceEpoch: 1_765_591_200_500_000).description == "2025-12-13T02:00:00.5Z")
        #expect(AuditTimestamp(microsecondsSinceEpoch: 1_765_591_200_000_001).description == "2025-12-13T02:00:00.000001Z")
        #expect(AuditTimestamp(microsecondsSinceEpoch: -1).description == "1969-12-31T23:59:59.999999Z")
    }

    @Test func utcDateIsThePartitionDay() {
        #expect(AuditTimestamp(rfc3339: "2025-12-31T23:30:00-02:00")?.utcDate.description == "2026-01-01")
        #expect(AuditTimestamp(microsecondsSinceEpoch: -1).utcDate.description == "1969-12-31")
        #expect(AuditTimestamp(microsecondsSinceEpoch: 0).utcDate.description == "1970-01-01")
    }

    @Test func datesRoundTripThroughComponents() {
        for days in stride(from: Int32(-800_000), through: 2_900_000, by: 997) {
            let date = EventDate(daysSinceEpoch: days)
            let (year, month, day) = date.components
            guard (1...9999).contains(year) else { continue }
            #expect(EventDate(year: year, month: month, day: day) == date)
            #expect(EventDate(date.description) == date)
        }
        #expect(EventDate(year: 2024, month: 2, day: 29) != nil)
        #expect(EventDate(year: 2100, month: 2, day: 29) == nil)
        #expect(EventDate(year: 2000, month: 2, day: 29) != nil)
        #expect(EventDate("2025-1-01") == nil)
    }

    @Test func monthsCrossYearBoundaries() throws {
        let november = try #require(PartitionMonth(year: 2025, month: 11))
        #expect(november.adding(months: 3).description == "2026-02")
        #expect(november.adding(months: -11).description == "2024-12")
        #expect(
            november.through(november.adding(months: 3)).map(\.partitionName) == [
                "audit_events_2025_11", "audit_events_2025_12", "audit_events_2026_01", "audit_events_2026_02",
            ])
        #expect(november.endDay.description == "2025-12-01")
        #expect(PartitionMonth(year: 2025, month: 13) == nil)
    }
}
