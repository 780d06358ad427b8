/// A calendar month: the unit of partitioning and of retention.
///
/// PostgreSQL keeps one partition per month, named `audit_events_YYYY_MM`, covering
/// `[first day, first day of the next month)`.
public struct PartitionMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    /// 1–12.
    public let month: Int

    /// Creates a month; `nil` outside years 1–9999 or months 1–12.
    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// The first day of the month.
    public var firstDay: EventDate { EventDate(year: year, month: month, day: 1)! }

    /// The first day of the following month (the exclusive upper bound of the partition).
    public var endDay: EventDate { next.firstDay }

    /// The following month.
    public var next: PartitionMonth { adding(months: 1) }

    /// The month `count` months later (or earlier, for a negative count).
    public func adding(months count: Int) -> PartitionMonth {
        let index = year * 12 + (month - 1) + count
        return PartitionMonth(year: index / 12, month: index % 12 + 1)!
    }

    /// The months from `self` through `last`, inclusive.
    public func through(_ last: PartitionMonth) -> [PartitionMonth] {
        var months: [PartitionMonth] = []
        var current = self
        while current <= last {
            months.append(current)
            current = current.next
        }
        return months
    }

    /// The PostgreSQL partition table name, `audit_events_YYYY_MM`.
    public var partitionName: String { "audit_events_\(pad(year, 4))_\(pad(month, 2))" }

    /// `YYYY-MM`.
    public var description: String { "\(pad(year, 4))-\(pad(month, 2))" }

    public static func < (lhs: PartitionMonth, rhs: PartitionMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }
}
