#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads typed members out of a request object, collecting every rule broken.
///
/// Conventions (Kubernaut's): `null` or a missing member is absent; an empty string in an
/// optional member is absent too; a required member must be present and non-empty.
struct FieldReader {
    /// Members by exact name (bytes), so that no name stands in for a canonically equivalent one.
    private let members: [ExactKey: JSONValue]
    private(set) var errors: [AuditError.FieldError] = []

    init(_ object: JSONObject) {
        var members: [ExactKey: JSONValue] = [:]
        members.reserveCapacity(object.count)
        for member in object.members {
            members[ExactKey(member.key)] = member.value
        }
        self.members = members
    }

    mutating func fail(_ field: String, _ message: String) {
        errors.append(AuditError.FieldError(field: field, message: message))
    }

    /// The member's value, or `nil` when missing or `null`.
    func value(_ name: String) -> JSONValue? {
        switch members[ExactKey(name)] {
        case .none, .null?: nil
        case let value?: value
        }
    }

    mutating func requiredString(_ name: String, maxLength: Int) -> String? {
        guard let value = value(name) else {
            fail(name, "is required")
            return nil
        }
        guard case .string(let string) = value else {
            fail(name, "must be a string, not \(value.typeName)")
            return nil
        }
        guard !string.isEmpty else {
            fail(name, "must not be empty")
            return nil
        }
        return checkedText(string, name: name, maxLength: maxLength)
    }

    mutating func optionalString(_ name: String, maxLength: Int?) -> String? {
        guard let value = value(name) else { return nil }
        guard case .string(let string) = value else {
            fail(name, "must be a string, not \(value.typeName)")
            return nil
        }
        guard !string.isEmpty else { return nil }
        return checkedText(string, name: name, maxLength: maxLength)
    }

    mutating func optionalUUID(_ name: String) -> UUID? {
        guard let string = optionalString(name, maxLength: nil) else { return nil }
        guard let uuid = UUID(hyphenatedHex: string) ?? UUID(uuidString: string) else {
            fail(name, "must be a UUID such as 0f6c1b7e-5d1a-4c52-9a0e-2f4b8f0c9d11")
            return nil
        }
        return uuid
    }

    mutating func optionalInteger(_ name: String, in range: ClosedRange<Int64>) -> Int64? {
        guard let value = value(name) else { return nil }
        guard case .number(let literal) = value, let integer = Self.integer(literal) else {
            fail(name, "must be an integer")
            return nil
        }
        guard range.contains(integer) else {
            fail(name, "must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return integer
    }

    mutating func optionalBool(_ name: String) -> Bool? {
        guard let value = value(name) else { return nil }
        guard case .bool(let flag) = value else {
            fail(name, "must be true or false, not \(value.typeName)")
            return nil
        }
        return flag
    }

    private mutating func checkedText(_ string: String, name: String, maxLength: Int?) -> String? {
        var text = string
        // One pass over the bytes: a NUL, and (only when the bytes could exceed the limit) the
        // code points, counted as the bytes that do not continue a UTF-8 sequence.
        let (hasNUL, scalars) = text.withUTF8 { bytes -> (Bool, Int) in
            var hasNUL = false
            var scalars = 0
            let counting = maxLength.map { bytes.count > $0 } ?? false
            for byte in bytes {
                if byte == 0 { hasNUL = true }
                if counting, byte & 0xC0 != 0x80 { scalars += 1 }
            }
            return (hasNUL, scalars)
        }
        if hasNUL {
            fail(name, "must not contain the character U+0000")
            return nil
        }
        // PostgreSQL varchar(n) counts characters (code points), so do the same.
        if let maxLength, scalars > maxLength {
            fail(name, "must be at most \(maxLength) characters")
            return nil
        }
        return string
    }

    /// Parses a JSON integer literal (no fraction, no exponent) that fits in `Int64`.
    static func integer(_ literal: String) -> Int64? {
        guard !literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
        return Int64(literal)
    }
}
