extension EventSchema {
    /// What in `value` breaks this schema, each named by its path under `path`
    /// (`event_data.results.workflows[0].scoring`), at most `limit`.
    public func problems(in value: JSONValue, at path: String = "event_data", limit: Int = 20) -> [AuditError.FieldError] {
        var found: [AuditError.FieldError] = []
        check(value, at: path, into: &found, limit: limit)
        return found
    }

    private func check(_ value: JSONValue, at path: String, into found: inout [AuditError.FieldError], limit: Int) {
        guard found.count < limit else { return }
        func fail(_ message: String) { found.append(AuditError.FieldError(field: path, message: message)) }
        if let types, !types.contains(where: { Self.matches(value, type: $0) }) {
            fail("must be \(types.joined(separator: " or ")), not \(value.typeName)")
            return
        }
        if let enumValues, !enumValues.contains(where: { $0.canonicalBytes == value.canonicalBytes }) {
            fail("must be one of \(enumValues.map(\.compactText).joined(separator: ", "))")
        }
        switch value {
        case .object(let object):
            for name in required where object[name] == nil || object[name] == .null {
                found.append(AuditError.FieldError(field: "\(path).\(name)", message: "missing required field"))
            }
            for (name, schema) in properties {
                if let member = object[name], member != .null { schema.check(member, at: "\(path).\(name)", into: &found, limit: limit) }
            }
            if !allowsOtherProperties {
                let known = Set(properties.map { ExactKey($0.name) })
                for member in object.members where !known.contains(ExactKey(member.key)) {
                    found.append(AuditError.FieldError(field: "\(path).\(member.key)", message: "is not a member this event type has"))
                }
            }
        case .array(let elements):
            if let items {
                for (index, element) in elements.enumerated() { items.check(element, at: "\(path)[\(index)]", into: &found, limit: limit) }
            }
        case .string(let text):
            let length = text.unicodeScalars.count
            if let minLength, length < minLength { fail("must be at least \(minLength) characters") }
            if let maxLength, length > maxLength { fail("must be at most \(maxLength) characters") }
        case .number(let text):
            if let number = Double(text) {
                if let minimum, number < minimum { fail("must be at least \(Self.format(minimum))") }
                if let maximum, number > maximum { fail("must be at most \(Self.format(maximum))") }
            }
        default:
            break
        }
        if found.count > limit { found.removeLast(found.count - limit) }
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number): true
        case ("integer", .number(let text)): FieldReader.integer(text) != nil || (Double(text).map { $0.rounded() == $0 } ?? false)
        default: false
        }
    }

    static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
