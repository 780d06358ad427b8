import AuditCore
import PostgresNIO

/// One column of `audit_events`: its name, how a `SELECT` reads it, how a multi-row
/// `INSERT … SELECT * FROM unnest(…)` binds it, its `COPY` text form, and how a row's cell goes
/// back into an event. ``PostgresEventColumns/all`` lists them; nothing else names the columns
/// (apart from the migrations that create them).
struct PostgresEventColumn: Sendable {
    /// The column's name.
    let name: String
    /// What a `SELECT` reads (`host(actor_ip)`, `event_data::text`); `nil` for a column derived
    /// from another and never read back (`event_date`).
    let selection: String?
    /// Appended to the column's bound array inside `unnest(…)`, e.g. `::inet[]`.
    let arrayCast: String
    /// Appends the column's values of `rows` to `bindings` as one array.
    let bind: @Sendable ([StoredAuditEvent], inout PostgresBindings) -> Void
    /// The value in `COPY`'s text format, before escaping; `nil` is `NULL`.
    let copyText: @Sendable (StoredAuditEvent) -> String?
    /// Reads the column's cell (selected with ``selection``) into `row`.
    let decode: @Sendable (inout RowCells, inout StoredAuditEvent) throws -> Void

    /// A column of any element type PostgresNIO can put into an array; `selection` defaults to
    /// the name, and a column that is not `readBack` is written but never selected.
    static func make<Element: PostgresArrayEncodable & PostgresNonThrowingEncodable & Sendable>(
        _ name: String,
        selection: String? = nil,
        readBack: Bool = true,
        arrayCast: String = "",
        value: @escaping @Sendable (StoredAuditEvent) -> Element?,
        copyText: @escaping @Sendable (StoredAuditEvent) -> String?,
        decode: @escaping @Sendable (inout RowCells, inout StoredAuditEvent) throws -> Void
    ) -> Self {
        Self(
            name: name,
            selection: readBack ? (selection ?? name) : nil,
            arrayCast: arrayCast,
            bind: { rows, bindings in bindings.append(ColumnArray(rows.map(value))) },
            copyText: copyText,
            decode: decode
        )
    }

    /// A `NOT NULL` text column.
    static func text(_ name: String, _ field: any WritableKeyPath<AuditEvent, String> & Sendable) -> Self {
        make(
            name, value: { $0.event[keyPath: field] }, copyText: { $0.event[keyPath: field] },
            decode: { cells, row in row.event[keyPath: field] = try cells.next(String.self) })
    }

    /// A nullable text column.
    static func optionalText(_ name: String, _ field: any WritableKeyPath<AuditEvent, String?> & Sendable) -> Self {
        make(
            name, value: { $0.event[keyPath: field] }, copyText: { $0.event[keyPath: field] },
            decode: { cells, row in row.event[keyPath: field] = try cells.next(String?.self) })
    }
}

/// Reads the cells of a row in order.
struct RowCells {
    private var iterator: PostgresRow.Iterator

    init(_ row: PostgresRow) {
        self.iterator = row.makeIterator()
    }

    mutating func next<Value: PostgresDecodable>(_ type: Value.Type) throws -> Value {
        guard let cell = iterator.next() else { throw PostgresDecodingError.Code.missingData }
        return try cell.decode(Value.self)
    }

    mutating func nextOutcome() throws -> EventOutcome {
        let text = try next(String.self)
        guard let outcome = EventOutcome(rawValue: text) else { throw PostgresDecodingError.Code.typeMismatch }
        return outcome
    }
}
