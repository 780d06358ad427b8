/// Kubernaut's `detail_key`/`detail_value` filter: the top-level member `key` of `event_data`
/// equals `value`.
///
/// The value is text in the URL, so it matches a string member equal to it, and also — when
/// it reads as a JSON number or `true`/`false` — a number of the same value or that boolean
/// (`detail_value=3` finds `{"attempt": 3}` and `{"attempt": "3"}`). Objects, arrays and `null`
/// never match. Stores answer it as containment of any of ``alternatives``.
public struct EventDataMember: Sendable, Hashable {
    public let key: String
    public let value: String

    /// `nil` when `key` is not ASCII letters, digits and underscores (Kubernaut's pattern,
    /// `^[a-zA-Z0-9_]+$`); no length limit beyond the request's own.
    public init?(key: String, value: String) {
        guard !key.isEmpty,
            key.utf8.allSatisfy({ byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
            })
        else { return nil }
        self.key = key
        self.value = value
    }

    /// One-member objects, any of which `event_data` must contain.
    public var alternatives: [JSONObject] {
        var values: [JSONValue] = [.string(value)]
        if case .number(let literal)? = try? JSONParser.parse(value) { values.append(.number(literal)) }
        if value == "true" || value == "false" { values.append(.bool(value == "true")) }
        return values.map { JSONObject([.init(key: key, value: $0)]) }
    }
}
