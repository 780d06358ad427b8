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
