extension EventValidator {
    /// Reads `event_data`: a JSON object within the size and nesting limits whose
    /// `event_type` member, when present, equals the event's `event_type`. Returns the object
    /// and its compact text (encoded once, here).
    ///
    /// Sizes count the data as the stores return it: PostgreSQL keeps `jsonb` numbers as
    /// `numeric` and writes every digit out (`1e1000` comes back as a 1 followed by 1000
    /// zeros), so a number is refused when that text would be longer than
    /// ``ValidationPolicy/maximumNumberLength``, and `event_data` when it would exceed
    /// ``ValidationPolicy/maximumEventDataBytes`` with its numbers written out.
    /// `eventData` with ``ValidationPolicy/redaction`` applied.
    func redacted(_ eventData: (object: JSONObject, data: EventData)) -> (object: JSONObject, data: EventData) {
        let (object, count) = policy.redaction.apply(to: eventData.object)
        return count == 0 ? eventData : (object, EventData(object))
    }

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
        var numbers = NumberCheck(maximumLength: policy.maximumNumberLength)
        var path: [JSONPathComponent] = [.key("event_data")]
        numbers.visit(value, path: &path)
        if let (path, length) = numbers.tooLong {
            let size = length.map { "\($0) characters long" } ?? "too large or too precise to store"
            reader.fail(
                JSONPathComponent.render(path),
                "is a number PostgreSQL would store written out in full, \(size); at most \(policy.maximumNumberLength) characters are allowed"
            )
            return nil
        }
        let data = EventData(object)
        let size = data.json.utf8.count
        if size > policy.maximumEventDataBytes {
            reader.fail("event_data", "is \(size) bytes as compact JSON; the limit is \(policy.maximumEventDataBytes)")
            return nil
        }
        if size + numbers.expansion > policy.maximumEventDataBytes {
            reader.fail(
                "event_data",
                "would be \(size + numbers.expansion) bytes as stored, with its numbers written out in full; the limit is \(policy.maximumEventDataBytes)"
            )
            return nil
        }
        if let inner = object["event_type"], let eventType {
            guard case .string(let innerType) = inner, innerType.hasSameBytes(as: eventType) else {
                reader.fail("event_data.event_type", "must equal event_type (\(eventType)) when present")
                return nil
            }
        }
        return (object, data)
    }
}

extension EventValidator {
    /// How long PostgreSQL's text for this number is once `jsonb` has stored it (every digit
    /// written out), or `nil` when `numeric` cannot hold it at all.
    public func storedLength(ofNumber literal: String) -> Int? {
        JSONNumber.storedLength(literal)
    }
}

/// Walks the numbers of a value: the first one whose stored form is too long, and how many
/// bytes writing them all out adds.
private struct NumberCheck {
    let maximumLength: Int
    /// Path and stored length (`nil`: beyond `numeric`) of the first number over the limit.
    var tooLong: ([JSONPathComponent], Int?)?
    var expansion = 0

    init(maximumLength: Int) {
        self.maximumLength = maximumLength
    }

    mutating func visit(_ value: JSONValue, path: inout [JSONPathComponent]) {
        guard tooLong == nil else { return }
        switch value {
        case .number(let literal):
            guard let length = JSONNumber.storedLength(literal), length <= maximumLength else {
                tooLong = (path, JSONNumber.storedLength(literal))
                return
            }
            expansion += max(0, length - literal.utf8.count)
        case .array(let values):
            for (index, element) in values.enumerated() {
                path.append(.index(index))
                visit(element, path: &path)
                path.removeLast()
            }
        case .object(let object):
            for member in object.members {
                path.append(.key(member.key))
                visit(member.value, path: &path)
                path.removeLast()
            }
        default:
            break
        }
    }
}
