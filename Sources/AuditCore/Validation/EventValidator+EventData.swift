extension EventValidator {
    /// PostgreSQL `numeric` (what `jsonb` stores numbers as) holds at most this many digits
    /// before the decimal point.
    static let maximumIntegerDigits = 131_072
    /// … and at most this many after it.
    static let maximumFractionDigits = 16_383

    /// Reads `event_data`: a JSON object within the size and nesting limits whose
    /// `event_type` member, when present, equals the event's `event_type`. Returns the object
    /// and its compact text (encoded once, here).
    func readEventData(_ reader: inout FieldReader, eventType: String?) -> (object: JSONObject, data: EventData)? {
        guard let value = reader.value("event_data") else {
            reader.fail("event_data", "is required")
            return nil
        }
        guard case .object(let object) = value else {
            reader.fail("event_data", "must be a JSON object, not \(value.typeName)")
            return nil
        }
        let depth = value.containerDepth
        if depth > policy.maximumEventDataDepth {
            reader.fail("event_data", "nests \(depth) levels deep; the limit is \(policy.maximumEventDataDepth)")
            return nil
        }
        if value.containsNUL {
            reader.fail("event_data", "must not contain the character U+0000 (\\u0000)")
            return nil
        }
        if let number = Self.firstNumberOutOfRange(value) {
            reader.fail("event_data", "holds the number \(number.prefix(40)), which is too large or too precise to store")
            return nil
        }
        let data = EventData(object)
        let size = data.json.utf8.count
        if size > policy.maximumEventDataBytes {
            reader.fail("event_data", "is \(size) bytes as compact JSON; the limit is \(policy.maximumEventDataBytes)")
            return nil
        }
        if let inner = object["event_type"], let eventType {
            guard case .string(let innerType) = inner, innerType == eventType else {
                reader.fail("event_data.event_type", "must equal event_type (\(eventType)) when present")
                return nil
            }
        }
        return (object, data)
    }

    /// The first number literal PostgreSQL `numeric` cannot hold, if any.
    static func firstNumberOutOfRange(_ value: JSONValue) -> String? {
        switch value {
        case .number(let literal):
            return numberFits(literal) ? nil : literal
        case .array(let values):
            for element in values {
                if let found = firstNumberOutOfRange(element) { return found }
            }
            return nil
        case .object(let object):
            for member in object.members {
                if let found = firstNumberOutOfRange(member.value) { return found }
            }
            return nil
        default:
            return nil
        }
    }

    /// Whether a (grammatically valid) JSON number literal fits PostgreSQL `numeric`: at most
    /// ``maximumIntegerDigits`` digits before the decimal point and ``maximumFractionDigits`` after it.
    static func numberFits(_ literal: String) -> Bool {
        let utf8 = Array(literal.utf8)
        let exponentIndex = utf8.firstIndex(where: { $0 | 0x20 == UInt8(ascii: "e") }) ?? utf8.count
        var exponent = 0
        if exponentIndex < utf8.count {
            guard let parsed = Int(String(decoding: utf8[(exponentIndex + 1)...], as: UTF8.self)), abs(parsed) < 10_000_000 else {
                return false
            }
            exponent = parsed
        }
        let mantissa = utf8[..<exponentIndex].filter { $0 != UInt8(ascii: "-") }
        let pointIndex = mantissa.firstIndex(of: UInt8(ascii: ".")) ?? mantissa.endIndex
        let integerDigits = mantissa[..<pointIndex].drop { $0 == UInt8(ascii: "0") }.count
        let fractionDigits = pointIndex < mantissa.endIndex ? mantissa.distance(from: pointIndex, to: mantissa.endIndex) - 1 : 0
        return integerDigits + exponent <= maximumIntegerDigits && fractionDigits - exponent <= maximumFractionDigits
    }
}
