public import AuditCore
public import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Events as rows of `COPY audit_events (…) FROM STDIN` in PostgreSQL's text format: one line
/// per event, columns separated by tabs, `\N` for `NULL`, and backslash, tab, newline and
/// carriage return escaped in every value.
///
/// The benchmark's raw `COPY` baseline and the test harness's second writer use it. The store's
/// own writer does not: PostgresNIO 1.33's COPY can wait for ever when the server goes away in
/// the middle of it (see ``PostgresStore/write(_:)``).
public enum CopyRows {
    /// The columns each row holds, in order (``PostgresEventColumns/all``). `insert_seq` is left to its default.
    public static let columns = PostgresEventColumns.all.map(\.name)

    /// Appends `event` as one row, newline included.
    ///
    /// Timestamps are written as ISO 8601 with an explicit `Z` and microseconds, which
    /// PostgreSQL reads the same whatever the session's `DateStyle` and `TimeZone`.
    public static func append(_ row: StoredAuditEvent, to buffer: inout ByteBuffer) {
        let fields = PostgresEventColumns.all.map { $0.copyText(row) }
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            guard let field else {
                buffer.writeStaticString("\\N")
                continue
            }
            appendEscaped(field, to: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    private static func appendEscaped(_ field: String, to buffer: inout ByteBuffer) {
        var field = field
        field.withUTF8 { bytes in
            var start = 0
            for (index, byte) in bytes.enumerated() {
                let escape: StaticString
                switch byte {
                case UInt8(ascii: "\\"): escape = "\\\\"
                case UInt8(ascii: "\t"): escape = "\\t"
                case UInt8(ascii: "\n"): escape = "\\n"
                case UInt8(ascii: "\r"): escape = "\\r"
                default: continue
                }
                buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<index])))
                buffer.writeStaticString(escape)
                start = index + 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start...])))
        }
    }
}
