import AuditCore
import GRDB

/// PostgreSQL's `jsonb @>` for SQLite: SQL over `json_each`, with every key and value bound.
///
/// For each member of the wanted object there must be a member of the stored object with that
/// key whose value contains the wanted value: scalars of the same JSON type and equal (numbers
/// by value), objects recursively, arrays when each wanted element is contained in some stored
/// element. No index helps: the months in the query's window are read in full.
struct SQLiteContainment {
    private(set) var arguments: [(any DatabaseValueConvertible)?] = []
    private var aliases = 0

    /// A condition that `jsonColumn` (JSON text) contains `object`.
    mutating func condition(jsonColumn: String, contains object: JSONObject) -> String {
        members(of: jsonColumn, contain: object)
    }

    private mutating func members(of json: String, contain object: JSONObject) -> String {
        object.members.map { member in
            let alias = nextAlias()
            arguments.append(member.key)
            return "EXISTS (SELECT 1 FROM json_each(\(json)) AS \(alias) WHERE \(alias).key = ? AND \(contains(alias, member.value)))"
        }.joined(separator: " AND ")
    }

    /// A condition on the `json_each` row `alias` (its `type`, `atom` and `value`).
    private mutating func contains(_ alias: String, _ wanted: JSONValue) -> String {
        switch wanted {
        case .null:
            return "\(alias).type = 'null'"
        case .bool(let value):
            return "\(alias).type = '\(value ? "true" : "false")'"
        case .string(let value):
            arguments.append(value)
            return "(\(alias).type = 'text' AND \(alias).atom = ?)"
        case .number(let literal):
            arguments.append(Int64(literal).map { $0 as any DatabaseValueConvertible } ?? Double(literal) ?? 0)
            return "(\(alias).type IN ('integer', 'real') AND \(alias).atom = ?)"
        case .object(let object):
            guard !object.members.isEmpty else { return "\(alias).type = 'object'" }
            return "(\(alias).type = 'object' AND \(members(of: "\(alias).value", contain: object)))"
        case .array(let elements):
            let each = elements.map { element in
                let inner = nextAlias()
                return "EXISTS (SELECT 1 FROM json_each(\(alias).value) AS \(inner) WHERE \(contains(inner, element)))"
            }
            return "(\(alias).type = 'array'" + each.map { " AND " + $0 }.joined() + ")"
        }
    }

    private mutating func nextAlias() -> String {
        aliases += 1
        return "c\(aliases)"
    }
}
