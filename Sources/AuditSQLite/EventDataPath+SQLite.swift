import AuditCore

extension EventDataPath {
    /// The path in SQLite's JSON path syntax: `$."results"."workflows"[0]."scoring"`. Names
    /// need no escaping inside the quotes: ``EventDataPath`` allows no quote or backslash.
    var sqlitePath: String {
        "$"
            + segments.map { segment in
                switch segment {
                case .member(let name): ".\"\(name)\""
                case .index(let index): "[\(index)]"
                }
            }.joined()
    }
}

extension EventDataPath {
    /// The expression a month's index on this path keys on; a query uses the index only when it
    /// writes the same expression. The path's characters are letters, digits, `_` and `-` only
    /// (``EventDataPath``), so it can be written into SQL as a literal.
    var sqliteIndexExpression: String {
        "json_extract(event_data, '\(sqlitePath)')"
    }

    /// The string `filter` holds at this path through members only, if any: a row containing
    /// `filter` has exactly this string there.
    func string(in filter: JSONObject) -> String? {
        var current = JSONValue.object(filter)
        for segment in segments {
            guard case .member(let name) = segment, case .object(let object) = current, let next = object[name] else { return nil }
            current = next
        }
        guard case .string(let text) = current else { return nil }
        return text
    }
}
