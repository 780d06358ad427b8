/// A JSON value that keeps numbers exactly as written and object members in the order they were sent.
///
/// Audit payloads must come back unchanged, so numbers are never converted to a binary floating
/// point value: `12345678901234567890` and `0.1000000000000000055511151231257827` keep every digit.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number, as its literal text (already checked against the JSON number grammar).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON object: members in the order they were first sent.
///
/// A member name sent twice keeps its first position and its last value, which is what
/// PostgreSQL `jsonb` and Go's `encoding/json` (Kubernaut's clients) do with duplicates.
public struct JSONObject: Sendable, Hashable {
    /// One member of an object.
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// Members in order of first appearance; names are unique.
    public internal(set) var members: [Member]

    /// Creates an empty object.
    public init() {
        self.members = []
    }

    /// Creates an object from members; a repeated name keeps its first position and its last value.
    public init(_ members: [Member]) {
        self.members = []
        self.members.reserveCapacity(members.count)
        for member in members {
            self[member.key] = member.value
        }
    }

    /// Creates an object from members whose names are already known to be unique (the parser's path).
    init(uniqueMembers: [Member]) {
        self.members = uniqueMembers
    }

    /// The number of members.
    public var count: Int { members.count }

    /// The value of the member named `key`, or `nil`. Setting `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            members.first(where: { $0.key == key })?.value
        }
        set {
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue {
                    members[index].value = newValue
                } else {
                    members.remove(at: index)
                }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }
}

extension JSONValue {
    /// The name of this value's JSON type, for error messages ("object", "string", …).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The nesting depth of containers: a scalar is 0, `{}` is 1, `{"a":[1]}` is 2.
    public var containerDepth: Int {
        switch self {
        case .array(let values):
            1 + (values.map(\.containerDepth).max() ?? 0)
        case .object(let object):
            1 + (object.members.map(\.value.containerDepth).max() ?? 0)
        default:
            0
        }
    }

    /// Whether any string in this value (member names included) contains U+0000,
    /// which neither PostgreSQL `text` nor `jsonb` can store.
    public var containsNUL: Bool {
        switch self {
        case .string(let string):
            string.utf8.contains(0)
        case .array(let values):
            values.contains(where: \.containsNUL)
        case .object(let object):
            object.members.contains { $0.key.utf8.contains(0) || $0.value.containsNUL }
        default:
            false
        }
    }
}
