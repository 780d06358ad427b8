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
            // Through the storage: `rows.map` hands `value` a retained copy of each row.
            bind: { rows, bindings in bindings.append(ColumnArray(rows.withUnsafeBufferPointer { $0.map(value) })) },
            copyText: copyText,
            decode: decode
        )
    }

    /// A `NOT NULL` text column.
    static func text(_ name: String, _ field: any WritableKeyPath<AuditEvent, String> & Sendable) -> Self {
        let path = StoredField(field)
        return Self(
            name: name, selection: name, arrayCast: "",
            bind: { rows, bindings in bindings.append(ColumnArray(path.values(in: rows) { Optional($0) })) },
            copyText: { $0.event[keyPath: field] },
            decode: { cells, row in row.event[keyPath: field] = try cells.next(String.self) })
    }

    /// A nullable text column.
    static func optionalText(_ name: String, _ field: any WritableKeyPath<AuditEvent, String?> & Sendable) -> Self {
        let path = StoredField(field)
        return Self(
            name: name, selection: name, arrayCast: "",
            bind: { rows, bindings in bindings.append(ColumnArray(path.values(in: rows) { $0 })) },
            copyText: { $0.event[keyPath: field] },
            decode: { cells, row in row.event[keyPath: field] = try cells.next(String?.self) })
    }
}

/// A field of ``AuditCore/AuditEvent`` read from stored rows in place.
///
/// A key path applied to a row (`row.event[keyPath: field]`, or the composed path on the row)
/// first copies the whole row — every string of the event retained and released, per cell:
/// measured as the heaviest part of building a batch's binds. A stored property's offset (as
/// every field of the event is) reads the one field where it lies; a computed one would fall
/// back to the key path.
private struct StoredField<Value>: @unchecked Sendable {
    /// Immutable once made, as every key path (hence `@unchecked`).
    private let path: KeyPath<StoredAuditEvent, Value>
    /// The field's offset within a row, when it is a stored property.
    private let offset: Int?

    init(_ field: any WritableKeyPath<AuditEvent, Value> & Sendable) {
        self.path = (\StoredAuditEvent.event).appending(path: field as KeyPath<AuditEvent, Value>)
        self.offset = MemoryLayout<StoredAuditEvent>.offset(of: path)
    }

    /// The field of every row, in order, through `transform`.
    func values<Element>(in rows: [StoredAuditEvent], _ transform: (Value) -> Element) -> [Element] {
        rows.withUnsafeBufferPointer { buffer in
            guard let offset, let base = buffer.baseAddress else { return buffer.map { transform($0[keyPath: path]) } }
            let stride = MemoryLayout<StoredAuditEvent>.stride
            let raw = UnsafeRawPointer(base)
            return buffer.indices.map { index in
                transform(raw.advanced(by: index * stride + offset).assumingMemoryBound(to: Value.self).pointee)
            }
        }
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
