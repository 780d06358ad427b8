/// `event_data`: the JSON object an event carries, held as compact JSON text.
///
/// The text is what a store writes and what the API returns, so reading an event does not
/// re-encode its payload. Numbers keep every digit; PostgreSQL may reorder members and
/// normalise escapes, which changes no value.
public struct EventData: Sendable, Hashable, CustomStringConvertible {
    /// Compact JSON text of an object.
    public let json: String
    /// ``canonicalBytes()``, kept when known from the object this was made from, so that
    /// hashing a new event does not parse its payload again. Not part of equality.
    private let canonical: [UInt8]?

    /// Encodes `object` compactly, members in their original order (and keeps its canonical bytes).
    public init(_ object: JSONObject) {
        let value = JSONValue.object(object)
        self.json = value.compactText
        self.canonical = value.canonicalBytes
    }

    /// Wraps JSON text a store returns; it must be a JSON object.
    public init(storedJSON json: String) {
        self.json = json
        self.canonical = nil
    }

    public static func == (lhs: EventData, rhs: EventData) -> Bool { lhs.json == rhs.json }

    public func hash(into hasher: inout Hasher) { hasher.combine(json) }

    /// Parses the text back into an object.
    public func object() throws(JSONSyntaxError) -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(json) else {
            throw JSONSyntaxError(offset: 0, reason: "event_data is not a JSON object")
        }
        return object
    }

    /// Canonical bytes (members sorted, compact): equal for equal payloads whatever their member order.
    public func canonicalBytes() throws(JSONSyntaxError) -> [UInt8] {
        if let canonical { return canonical }
        return JSONValue.object(try object()).canonicalBytes
    }

    public var description: String { json }
}
