/// `event_data`: the JSON object an event carries, held as compact JSON text.
///
/// The text is what a store writes and what the API returns, so reading an event does not
/// re-encode its payload. Numbers keep every digit; PostgreSQL may reorder members and
/// normalise escapes, which changes no value.
public struct EventData: Sendable, Hashable, CustomStringConvertible {
    /// Compact JSON text of an object.
    public let json: String

    /// Encodes `object` compactly, members in their original order.
    public init(_ object: JSONObject) {
        self.json = JSONValue.object(object).compactText
    }

    /// Wraps JSON text a store returns; it must be a JSON object.
    public init(storedJSON json: String) {
        self.json = json
    }

    /// Parses the text back into an object.
    public func object() throws(JSONSyntaxError) -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(json) else {
            throw JSONSyntaxError(offset: 0, reason: "event_data is not a JSON object")
        }
        return object
    }

    /// Canonical bytes (members sorted, compact): equal for equal payloads whatever their member order.
    public func canonicalBytes() throws(JSONSyntaxError) -> [UInt8] {
        JSONValue.object(try object()).canonicalBytes
    }

    public var description: String { json }
}
