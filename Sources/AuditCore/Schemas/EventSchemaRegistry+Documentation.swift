extension EventSchemaRegistry {
    /// docs/event-types.md: every event type with a schema, its mode, and each member's rules
    /// (`auditledger schemas doc` prints it; a test keeps the committed file equal to it).
    public var markdown: String {
        var lines = [
            "# Event types",
            "",
            "Generated from the server's schema registry (`auditledger schemas doc > docs/event-types.md`);",
            "a test fails when this file and the registry differ.",
            "",
            "The server checks an event's `event_data` against the schema of its `event_type`, in the",
            "type's mode: `off` (not checked), `warn` (stored, and counted in",
            "`auditledger_event_schema_violations_total{event_type,mode}`) or `enforce` (`400`, each breach",
            "named by its path, e.g. `event_data.results.workflows[0].scoring: missing required field`).",
            "Every built-in schema is in `warn`, so that nothing Kubernaut accepts is refused;",
            "`serve --event-schema-mode TYPE=enforce` (or `*=enforce`) enforces, and `--event-schemas DIR`",
            "reads more schemas (or replacements) from `*.json` files: `{\"event_type\": …, \"mode\": …,",
            "\"description\": …, \"schema\": {…}}`.",
            "",
            "The schemas are JSON Schema in a subset: `type`, `required`, `properties`,",
            "`additionalProperties` (`true`/`false`), `items`, `enum`, `minimum`, `maximum`, `minLength`,",
            "`maxLength`, and `description`/`title` as documentation. A schema with any other keyword is",
            "refused when it is loaded, so that no rule is silently left unchecked. Members not listed",
            "are allowed unless `additionalProperties` is `false`; `null` counts as absent.",
            "",
            "| Event type | Mode | Source | What it records |",
            "| --- | --- | --- | --- |",
        ]
        let sorted = entries.values.sorted { $0.eventType < $1.eventType }
        for entry in sorted {
            lines.append("| `\(entry.eventType)` | \(entry.mode.rawValue) | \(entry.source) | \(entry.description) |")
        }
        for entry in sorted {
            lines += ["", "## `\(entry.eventType)`", "", entry.description, "", "| Member | Type | Required | Rules |", "| --- | --- | --- | --- |"]
            Self.rows(entry.schema, path: "event_data", required: true, into: &lines)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func rows(_ schema: EventSchema, path: String, required: Bool, into lines: inout [String]) {
        if path != "event_data" {
            lines.append("| `\(path)` | \(schema.types?.joined(separator: " or ") ?? "any") | \(required ? "yes" : "") | \(rules(schema)) |")
        }
        for (name, member) in schema.properties {
            rows(member, path: "\(path).\(name)", required: schema.required.contains(name), into: &lines)
        }
        for name in schema.required where !schema.properties.contains(where: { $0.name == name }) {
            lines.append("| `\(path).\(name)` | any | yes | |")
        }
        if let items = schema.items {
            rows(items, path: "\(path)[]", required: false, into: &lines)
        }
    }

    private static func rules(_ schema: EventSchema) -> String {
        var rules: [String] = []
        if let values = schema.enumValues { rules.append("one of " + values.map { "`\($0.compactText)`" }.joined(separator: ", ")) }
        if let minimum = schema.minimum { rules.append("≥ \(EventSchema.format(minimum))") }
        if let maximum = schema.maximum { rules.append("≤ \(EventSchema.format(maximum))") }
        if let minLength = schema.minLength { rules.append("at least \(minLength) characters") }
        if let maxLength = schema.maxLength { rules.append("at most \(maxLength) characters") }
        if !schema.allowsOtherProperties { rules.append("no other members") }
        return rules.joined(separator: "; ")
    }
}
