/// A calendar day in UTC (proleptic Gregorian), stored as days since 1970-01-01.
///
/// `event_date` is the UTC date of `event_timestamp` and the partition key.
public struct EventDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int32

    public init(daysSinceEpoch: Int32) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// Creates a date from its components; `nil` when they do not name a real day.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...EventDate.daysIn(year: year, month: month)).contains(day) else {
            return nil
        }
        self.daysSinceEpoch = Int32(EventDate.days(year: year, month: month, day: day))
    }

    /// Year, month (1–12) and day (1–31).
    public var components: (year: Int, month: Int, day: Int) {
        // Civil-from-days (H. Hinnant's algorithm), valid for the whole proleptic Gregorian calendar.
        let z = Int(daysSinceEpoch) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// The month this day belongs to.
    public var month: PartitionMonth {
        let (year, month, _) = components
        return PartitionMonth(year: year, month: month)!
    }

    /// The first instant of this day.
    public var startOfDay: AuditTimestamp {
        AuditTimestamp(microsecondsSinceEpoch: Int64(daysSinceEpoch) * AuditTimestamp.microsecondsPerDay)
    }

    /// The day `count` days later (or earlier, for a negative count).
    public func adding(days count: Int) -> EventDate {
        EventDate(daysSinceEpoch: daysSinceEpoch + Int32(count))
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (year, month, day) = components
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 10, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"),
            let year = parseDigits(utf8[0..<4]), let month = parseDigits(utf8[5..<7]), let day = parseDigits(utf8[8..<10])
        else {
            return nil
        }
        self.init(year: year, month: month, day: day)
    }

    public static func < (lhs: EventDate, rhs: EventDate) -> Bool {
        lhs.daysSinceEpoch < rhs.daysSinceEpoch
    }

    static func days(year: Int, month: Int, day: Int) -> Int {
        // Days-from-civil (H. Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// Zero-pads a non-negative number to `width` digits.
func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// Appends `value`'s decimal digits to `bytes`, zero-padded to `width`, as ``pad(_:_:)`` writes them.
func appendPadded(_ value: Int, _ width: Int, to bytes: inout [UInt8]) {
    guard value >= 0 else {
        bytes.append(contentsOf: pad(value, width).utf8)
        return
    }
    var divisor = 1
    var count = 1
    while value / divisor >= 10 {
        divisor *= 10
        count += 1
    }
    for _ in count..<max(count, width) { bytes.append(UInt8(ascii: "0")) }
    var rest = value
    while divisor > 0 {
        bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
        rest %= divisor
        divisor /= 10
    }
}

/// Parses a run of ASCII digits; `nil` if any byte is not a digit.
func parseDigits(_ bytes: some Collection<UInt8>) -> Int? {
    var value = 0
    for byte in bytes {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        value = value * 10 + Int(byte - UInt8(ascii: "0"))
    }
    return bytes.isEmpty ? nil : value
}
