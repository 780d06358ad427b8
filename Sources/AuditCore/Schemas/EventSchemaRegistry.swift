/// Schemas of `event_data` by `event_type`, each with the mode it is checked in: the built-in
/// schemas of the seeds' events (``builtIn``), replaced or joined by files of an operator's
/// (``adding(file:source:)``), their modes set per type (``setting(_:for:)``).
///
/// An event whose type has no schema, or whose schema is ``Mode/off``, is not checked. In
/// ``Mode/warn`` (the default of every built-in, so that nothing Kubernaut accepts is refused)
/// a breach is counted and the event stored; in ``Mode/enforce`` it is `400`, each breach named
/// by its path (`event_data.results.workflows[0].scoring: missing required field`).
public struct EventSchemaRegistry: Sendable {
    /// How an event type's schema is applied.
    public enum Mode: String, Sendable, CaseIterable {
        case off, warn, enforce
    }

    /// One event type's schema.
    public struct Entry: Sendable {
        public var eventType: String
        public var mode: Mode
        public var schema: EventSchema
        /// What the type is, for docs/event-types.md.
        public var description: String
        /// `built-in`, or the file it was read from.
        public var source: String
    }

    /// The entries, by event type.
    public internal(set) var entries: [String: Entry]

    public init(entries: [Entry] = []) {
        self.entries = Dictionary(entries.map { ($0.eventType, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// What `event` breaks, and in which mode; `nil` when its type has no schema checked or it
    /// breaks nothing.
    public func check(_ event: AuditEvent) -> (mode: Mode, problems: [AuditError.FieldError])? {
        guard let entry = entries[event.eventType], entry.mode != .off, let data = try? event.eventData.object() else { return nil }
        return check(eventType: event.eventType, data: .object(data))
    }

    /// What `data`, the `event_data` of an event of `eventType`, breaks, and in which mode —
    /// for a caller that has it parsed already (the write routes: the request's own).
    public func check(eventType: String, data: JSONValue) -> (mode: Mode, problems: [AuditError.FieldError])? {
        guard let entry = entries[eventType], entry.mode != .off else { return nil }
        let problems = entry.schema.problems(in: data)
        return problems.isEmpty ? nil : (entry.mode, problems)
    }

    /// The registry with the schema a file holds: `{"event_type": …, "mode": "off|warn|enforce",
    /// "description": …, "schema": {…}}` (`mode` default `warn`), replacing a schema of the same type.
    /// - Throws: `validation-error` naming the member of the file that is wrong.
    public func adding(file json: JSONValue, source: String) throws(AuditError) -> EventSchemaRegistry {
        guard case .object(let object) = json else { throw AuditError.validation(field: source, "must be a JSON object") }
        guard case .string(let eventType)? = object["event_type"], !eventType.isEmpty else {
            throw AuditError.validation(field: "\(source): event_type", "is required (the event type the schema is for)")
        }
        var mode = Mode.warn
        if let value = object["mode"] {
            guard case .string(let text) = value, let read = Mode(rawValue: text) else {
                throw AuditError.validation(field: "\(source): mode", "must be off, warn or enforce")
            }
            mode = read
        }
        guard let schemaJSON = object["schema"] else { throw AuditError.validation(field: "\(source): schema", "is required") }
        let schema = try EventSchema(json: schemaJSON, path: "\(source): schema")
        var description = schema.description ?? ""
        if case .string(let text)? = object["description"] { description = text }
        var copy = self
        copy.entries[eventType] = Entry(eventType: eventType, mode: mode, schema: schema, description: description, source: source)
        return copy
    }

    /// The registry with `mode` for `eventType` (`*`: every type it has a schema for).
    /// - Throws: `validation-error` when it has no schema for `eventType`.
    public func setting(_ mode: Mode, for eventType: String) throws(AuditError) -> EventSchemaRegistry {
        var copy = self
        if eventType == "*" {
            for key in copy.entries.keys { copy.entries[key]?.mode = mode }
            return copy
        }
        guard copy.entries[eventType] != nil else {
            throw AuditError.validation(
                field: "event-schema-mode", "no schema for \(eventType) (known: \(entries.keys.sorted().joined(separator: ", ")))")
        }
        copy.entries[eventType]?.mode = mode
        return copy
    }
}
