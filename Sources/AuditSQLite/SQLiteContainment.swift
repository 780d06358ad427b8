import AuditCore
import GRDB
import Synchronization

/// PostgreSQL's `jsonb @>` for SQLite, decided by the core's own rule
/// (``AuditCore/JSONValue/contains(_:)``) in an SQL function, so both stores give the same
/// answer for every filter the API accepts: numbers by exact value (SQLite's own JSON functions
/// read them as 64-bit floats), names and strings by their bytes, any nesting the API allows.
///
/// Each row costs one parse of its `event_data` when it gets that far: first, `instr` checks
/// that the row's text holds the filter's longest names and strings exactly as the store wrote
/// them (the embedded store writes `event_data` itself, in one compact form), which most rows
/// fail without being parsed. A filter naming a string at an indexed path
/// (``SQLiteStoreConfiguration/indexedEventDataPaths``) reads only the rows with that string
/// there; any other filter reads the months in the query's window in full.
enum SQLiteContainment {
    static let functionName = "auditledger_json_contains"
    /// Substring checks per filter: the longest texts the filter names.
    static let maximumNeedles = 4

    /// `auditledger_json_contains(json_text, filter_text)`: 1 when the JSON object `json_text`
    /// contains `filter_text`, else 0 (also for text that is not JSON). Register it on every
    /// connection; it keeps the last filter parsed, so a query parses its filter once.
    static func function() -> DatabaseFunction {
        let lastFilter = Mutex<(text: String, value: JSONValue)?>(nil)
        return DatabaseFunction(functionName, argumentCount: 2, pure: true) { arguments in
            guard case .string(var stored) = arguments[0].storage, case .string(let filterText) = arguments[1].storage else { return 0 }
            let filter: JSONValue? = lastFilter.withLock { cached in
                if let cached, cached.text == filterText { return cached.value }
                guard let parsed = try? JSONParser.parse(filterText) else { return nil }
                cached = (filterText, parsed)
                return parsed
            }
            guard let filter else { return 0 }
            let value = stored.withUTF8 { buffer in try? JSONParser.parse(UnsafeRawBufferPointer(buffer)) }
            return (value?.contains(filter) ?? false) ? 1 : 0
        }
    }

    /// A condition that `column` contains any of `filters` (usually one), with its arguments.
    ///
    /// A filter holding a string at one of the `indexed` paths (through members only) first
    /// asks for that string there — the expression of the month's index on the path, so that
    /// SQLite reads only those rows; a containing row has exactly that string there.
    static func condition(
        column: String, containsAnyOf filters: [JSONObject], indexed: [EventDataPath] = []
    ) -> (sql: String, arguments: [any DatabaseValueConvertible]) {
        var arguments: [any DatabaseValueConvertible] = []
        let alternatives = filters.map { filter in
            var terms: [String] = []
            if column == "event_data", let (path, text) = indexed.lazy.compactMap({ path in path.string(in: filter).map { (path, $0) } }).first {
                terms.append("\(path.sqliteIndexExpression) = ?")
                arguments.append(text)
            }
            let needles = Self.needles(in: .object(filter)).sorted { $0.utf8.count > $1.utf8.count }.prefix(maximumNeedles)
            terms += needles.map { needle in
                arguments.append(needle)
                return "instr(\(column), ?) > 0"
            }
            arguments.append(JSONValue.object(filter).compactText)
            terms.append("\(functionName)(\(column), ?) = 1")
            return "(" + terms.joined(separator: " AND ") + ")"
        }
        return ("(" + alternatives.joined(separator: " OR ") + ")", arguments)
    }

    /// Texts every containing row must hold verbatim: `"name":` for each member name and
    /// `"text"` for each string, written as the store writes JSON (compact, minimal escapes).
    static func needles(in value: JSONValue) -> [String] {
        switch value {
        case .object(let object):
            return object.members.flatMap { member -> [String] in
                var writer = JSONWriter()
                writer.writeString(member.key)
                writer.writeByte(UInt8(ascii: ":"))
                if case .string = member.value {
                    writer.write(member.value)
                    return [writer.string]
                }
                return [writer.string] + needles(in: member.value)
            }
        case .array(let elements):
            return elements.flatMap { needles(in: $0) }
        case .string:
            var writer = JSONWriter()
            writer.write(value)
            return [writer.string]
        default:
            return []
        }
    }
}
