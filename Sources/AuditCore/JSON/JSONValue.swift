/// A JSON value that keeps numbers exactly as written and object members in the order they were sent.
///
/// Audit payloads must come back unchanged, so numbers are never converted to a binary floating
/// point value: `12345678901234567890` and `0.1000000000000000055511151231257827` keep every digit.
///
/// Equality is exact: strings and member names compare by their Unicode scalars (UTF-8 bytes),
/// not by Swift's canonical equivalence, so `"é"` (U+00E9) and `"é"` (U+0065 U+0301) differ, as
/// they do in PostgreSQL and in every JSON parser that reads the bytes. Numbers compare as
/// written (`1.0` is not `1`); use ``canonicalBytes`` to compare values.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number, as its literal text (already checked against the JSON number grammar).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let left), .bool(let right)): left == right
        case (.number(let left), .number(let right)): left.hasSameBytes(as: right)
        case (.string(let left), .string(let right)): left.hasSameBytes(as: right)
        case (.array(let left), .array(let right)): left == right
        case (.object(let left), .object(let right)): left == right
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let flag): hasher.combine(flag)
        case .number(let literal): ExactKey(literal).hash(into: &hasher)
        case .string(let string): ExactKey(string).hash(into: &hasher)
        case .array(let values): hasher.combine(values)
        case .object(let object): hasher.combine(object)
        }
    }
}

/// A JSON object: members in the order they were first sent, names unique by their bytes.
public struct JSONObject: Sendable, Hashable {
    /// One member of an object.
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }

        public static func == (lhs: Member, rhs: Member) -> Bool {
            lhs.key.hasSameBytes(as: rhs.key) && lhs.value == rhs.value
        }

        public func hash(into hasher: inout Hasher) {
            ExactKey(key).hash(into: &hasher)
            hasher.combine(value)
        }
    }

    /// Members in order of first appearance; names are unique (compared by their UTF-8 bytes).
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

    /// The value of the member named exactly `key` (same Unicode scalars), or `nil`. Setting
    /// `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            members.first(where: { $0.key.hasSameBytes(as: key) })?.value
        }
        set {
            if let index = members.firstIndex(where: { $0.key.hasSameBytes(as: key) }) {
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

/// A string that compares and hashes by its UTF-8 bytes, for dictionaries and sets of JSON
/// member names (Swift's `String` would merge canonically equivalent names).
public struct ExactKey: Hashable, Sendable {
    public let string: String

    public init(_ string: String) {
        self.string = string
    }

    public static func == (lhs: ExactKey, rhs: ExactKey) -> Bool {
        lhs.string.hasSameBytes(as: rhs.string)
    }

    public func hash(into hasher: inout Hasher) {
        var copy = string
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
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
        var deepest = 0
        switch self {
        case .array(let values):
            for value in values { deepest = max(deepest, value.containerDepth) }
        case .object(let object):
            for member in object.members { deepest = max(deepest, member.value.containerDepth) }
        default:
            return 0
        }
        return 1 + deepest
    }

    /// Whether any string in this value (member names included) contains U+0000,
    /// which neither PostgreSQL `text` nor `jsonb` can store.
    public var containsNUL: Bool {
        func hasNUL(_ text: String) -> Bool {
            var text = text
            return text.withUTF8 { $0.contains(0) }
        }
        switch self {
        case .string(let string):
            return hasNUL(string)
        case .array(let values):
            return values.contains(where: \.containsNUL)
        case .object(let object):
            return object.members.contains { hasNUL($0.key) || $0.value.containsNUL }
        default:
            return false
        }
    }
}
