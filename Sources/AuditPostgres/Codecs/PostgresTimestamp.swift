import AuditCore
import NIOCore
import PostgresNIO

/// `timestamptz` in PostgreSQL's binary form (microseconds since 2000-01-01), exact to the
/// microsecond. PostgresNIO's `Date` codec passes through a `Double` and can be off by one.
struct PostgresTimestamp: PostgresNonThrowingEncodable, PostgresArrayEncodable, PostgresDecodable, PostgresArrayDecodable {
    /// 2000-01-01T00:00:00Z in microseconds since the Unix epoch.
    static let postgresEpochOffset: Int64 = 946_684_800 * 1_000_000

    var value: AuditTimestamp

    init(_ value: AuditTimestamp) {
        self.value = value
    }

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }
    static var psqlArrayType: PostgresDataType { .timestamptzArray }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(value.microsecondsSinceEpoch - Self.postgresEpochOffset)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer,
        type: PostgresDataType,
        format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .timestamptz || type == .timestamp, format == .binary, buffer.readableBytes == 8,
            let micros = buffer.readInteger(as: Int64.self)
        else {
            throw PostgresDecodingError.Code.typeMismatch
        }
        self.value = AuditTimestamp(microsecondsSinceEpoch: micros + Self.postgresEpochOffset)
    }
}

/// `date` in PostgreSQL's binary form (days since 2000-01-01).
struct PostgresDay: PostgresNonThrowingEncodable, PostgresArrayEncodable, PostgresDecodable, PostgresArrayDecodable {
    /// 2000-01-01 in days since 1970-01-01.
    static let postgresEpochOffset: Int32 = 10_957

    var value: EventDate

    init(_ value: EventDate) {
        self.value = value
    }

    static var psqlType: PostgresDataType { .date }
    static var psqlFormat: PostgresFormat { .binary }
    static var psqlArrayType: PostgresDataType { .dateArray }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(value.daysSinceEpoch - Self.postgresEpochOffset)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer,
        type: PostgresDataType,
        format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .date, format == .binary, buffer.readableBytes == 4, let days = buffer.readInteger(as: Int32.self) else {
            throw PostgresDecodingError.Code.typeMismatch
        }
        self.value = EventDate(daysSinceEpoch: days + Self.postgresEpochOffset)
    }
}
