/// A JSON Schema, in the subset AuditLedger checks `event_data` with (docs/event-types.md):
/// `type` (one name or a list: `object`, `array`, `string`, `number`, `integer`, `boolean`,
/// `null`), `required`, `properties`, `additionalProperties` (`false` refuses members not in
/// `properties`; `true` or absent allows them), `items`, `enum`, `minimum`, `maximum`,
/// `minLength`, `maxLength`, and `description` and `title`, which are only documentation. Any
/// other keyword is refused when a schema is loaded, so that no rule is silently not checked.
public final class EventSchema: Sendable {
    /// The keywords the subset has.
    public static let keywords: Set<String> = [
        "type", "required", "properties", "additionalProperties", "items", "enum", "minimum", "maximum", "minLength", "maxLength",
        "description", "title",
    ]

    public let types: [String]?
    public let required: [String]
    /// Member schemas, in the order written.
    public let properties: [(name: String, schema: EventSchema)]
    public let allowsOtherProperties: Bool
    public let items: EventSchema?
    public let enumValues: [JSONValue]?
    public let minimum: Double?
    public let maximum: Double?
    public let minLength: Int?
    public let maxLength: Int?
    public let description: String?

    /// Reads a schema; `path` names where it is, for the error.
    /// - Throws: `validation-error` naming the keyword that is not in the subset, or malformed.
    public init(json: JSONValue, path: String = "schema") throws(AuditError) {
        guard case .object(let object) = json else { throw Self.invalid(path, "must be a JSON object (a schema)") }
        for member in object.members where !Self.keywords.contains(member.key) {
            throw Self.invalid(
                "\(path).\(member.key)", "is not a keyword AuditLedger checks (it checks \(Self.keywords.sorted().joined(separator: ", ")))")
        }
        switch object["type"] {
        case nil: types = nil
        case .string(let name)?: types = [try Self.typeName(name, path: "\(path).type")]
        case .array(let names)?:
            types = try names.map { (name: JSONValue) throws(AuditError) -> String in
                guard case .string(let text) = name else { throw Self.invalid("\(path).type", "must hold type names") }
                return try Self.typeName(text, path: "\(path).type")
            }
        default: throw Self.invalid("\(path).type", "must be a type name or a list of them")
        }
        switch object["required"] {
        case nil: required = []
        case .array(let names)?:
            required = try names.map { (name: JSONValue) throws(AuditError) -> String in
                guard case .string(let text) = name else { throw Self.invalid("\(path).required", "must be a list of member names") }
                return text
            }
        default: throw Self.invalid("\(path).required", "must be a list of member names")
        }
        switch object["properties"] {
        case nil: properties = []
        case .object(let members)?:
            var read: [(name: String, schema: EventSchema)] = []
            for member in members.members { read.append((member.key, try EventSchema(json: member.value, path: "\(path).properties.\(member.key)"))) }
            properties = read
        default: throw Self.invalid("\(path).properties", "must be an object of schemas")
        }
        switch object["additionalProperties"] {
        case nil, .bool(true)?: allowsOtherProperties = true
        case .bool(false)?: allowsOtherProperties = false
        default: throw Self.invalid("\(path).additionalProperties", "must be true or false (schemas for other members are not in the subset)")
        }
        items = try object["items"].map { (value: JSONValue) throws(AuditError) -> EventSchema in try EventSchema(json: value, path: "\(path).items")
        }
        switch object["enum"] {
        case nil: enumValues = nil
        case .array(let values)?: enumValues = values
        default: throw Self.invalid("\(path).enum", "must be a list of values")
        }
        minimum = try Self.number(object["minimum"], path: "\(path).minimum")
        maximum = try Self.number(object["maximum"], path: "\(path).maximum")
        minLength = try Self.count(object["minLength"], path: "\(path).minLength")
        maxLength = try Self.count(object["maxLength"], path: "\(path).maxLength")
        if case .string(let text)? = object["description"] { description = text } else { description = nil }
    }

    static let typeNames: Set<String> = ["object", "array", "string", "number", "integer", "boolean", "null"]

    private static func typeName(_ name: String, path: String) throws(AuditError) -> String {
        guard typeNames.contains(name) else { throw invalid(path, "\(name) is not a JSON Schema type") }
        return name
    }

    private static func number(_ value: JSONValue?, path: String) throws(AuditError) -> Double? {
        guard let value else { return nil }
        guard case .number(let text) = value, let number = Double(text) else { throw invalid(path, "must be a number") }
        return number
    }

    private static func count(_ value: JSONValue?, path: String) throws(AuditError) -> Int? {
        guard let value else { return nil }
        guard case .number(let text) = value, let count = Int(text), count >= 0 else { throw invalid(path, "must be a whole number, 0 or more") }
        return count
    }

    static func invalid(_ path: String, _ message: String) -> AuditError {
        AuditError.validation(field: path, message)
    }
}
