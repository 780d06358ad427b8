#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An instant with microsecond precision (PostgreSQL `timestamptz` precision), as microseconds
/// since 1970-01-01T00:00:00Z.
///
/// Integer microseconds keep ordering and range filters exact in every store; no value passes
/// through a binary floating point type.
public struct AuditTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    static let microsecondsPerSecond: Int64 = 1_000_000
    static let microsecondsPerDay: Int64 = 86_400 * 1_000_000

    /// Microseconds since the Unix epoch (negative before it).
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    /// The current time from the system clock.
    public static func now() -> AuditTimestamp {
        AuditTimestamp(microsecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down)))
    }

    /// The UTC calendar day of this instant (`event_date`).
    public var utcDate: EventDate {
        let days =
            microsecondsSinceEpoch >= 0
            ? microsecondsSinceEpoch / Self.microsecondsPerDay
            : (microsecondsSinceEpoch - Self.microsecondsPerDay + 1) / Self.microsecondsPerDay
        return EventDate(daysSinceEpoch: Int32(days))
    }

    /// This instant moved by `seconds` (negative moves back).
    public func adding(seconds: Int64) -> AuditTimestamp {
        AuditTimestamp(microsecondsSinceEpoch: microsecondsSinceEpoch + seconds * Self.microsecondsPerSecond)
    }

    /// RFC 3339 in UTC with the fraction trimmed of trailing zeros, like Go's `time.RFC3339Nano`
    /// (what Kubernaut's clients parse): `2025-12-13T02:00:00.5Z`, `2025-12-13T02:00:00Z`.
    public var description: String {
        let date = utcDate
        let (year, month, day) = date.components
        let micros = microsecondsSinceEpoch - date.startOfDay.microsecondsSinceEpoch
        let secondOfDay = Int(micros / Self.microsecondsPerSecond)
        var fraction = Int(micros % Self.microsecondsPerSecond)
        // Written as bytes, not interpolated: every event hash and answer writes timestamps.
        var text: [UInt8] = []
        text.reserveCapacity(32)
        appendPadded(year, 4, to: &text)
        text.append(UInt8(ascii: "-"))
        appendPadded(month, 2, to: &text)
        text.append(UInt8(ascii: "-"))
        appendPadded(day, 2, to: &text)
        text.append(UInt8(ascii: "T"))
        appendPadded(secondOfDay / 3600, 2, to: &text)
        text.append(UInt8(ascii: ":"))
        appendPadded(secondOfDay / 60 % 60, 2, to: &text)
        text.append(UInt8(ascii: ":"))
        appendPadded(secondOfDay % 60, 2, to: &text)
        if fraction > 0 {
            var digits = 6
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            text.append(UInt8(ascii: "."))
            appendPadded(fraction, digits, to: &text)
        }
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    public static func < (lhs: AuditTimestamp, rhs: AuditTimestamp) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }
}

extension AuditTimestamp {
    /// Parses an RFC 3339 date-time with a required offset: `2025-12-13T02:00:00Z`,
    /// `2025-12-13T04:00:00.123456789+02:00`. Digits past microseconds are truncated.
    /// Returns `nil` for anything else (a missing offset, an impossible date, second 60).
    public init?(rfc3339 text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] | 0x20 == UInt8(ascii: "t"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = parseDigits(bytes[0..<4]), let month = parseDigits(bytes[5..<7]), let day = parseDigits(bytes[8..<10]),
            let hour = parseDigits(bytes[11..<13]), let minute = parseDigits(bytes[14..<16]), let second = parseDigits(bytes[17..<19]),
            hour < 24, minute < 60, second < 60,
            let date = EventDate(year: year, month: month, day: day)
        else {
            return nil
        }
        var index = 19
        var fractionMicros: Int64 = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            var scale: Int64 = 100_000
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                fractionMicros += Int64(bytes[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds: Int64 = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard bytes.count == index + 6, bytes[index + 3] == UInt8(ascii: ":"),
                let offsetHours = parseDigits(bytes[(index + 1)..<(index + 3)]),
                let offsetMinutes = parseDigits(bytes[(index + 4)..<(index + 6)]),
                offsetHours < 24, offsetMinutes < 60
            else {
                return nil
            }
            offsetSeconds = Int64(offsetHours * 3600 + offsetMinutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == bytes.count else { return nil }
        let localSeconds = Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.init(microsecondsSinceEpoch: (localSeconds - offsetSeconds) * Self.microsecondsPerSecond + fractionMicros)
    }
}
