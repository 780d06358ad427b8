extension JSONValue {
    /// Whether this value contains `wanted`, as PostgreSQL's `jsonb @>` decides: an object
    /// contains an object when every wanted member is present (names compared by their bytes)
    /// with a value that contains the wanted one; an array contains an array when each wanted
    /// element is contained by some element of the same kind (a scalar equals one, a container
    /// is contained by one); scalars contain only an equal scalar (numbers by value, strings by
    /// their bytes). Types must match below the top level: `{"a":["x"]}` does not contain
    /// `{"a":"x"}`.
    ///
    /// Both stores answer `event_data` filters with this rule: PostgreSQL with `@>` itself,
    /// SQLite with this function, so they give the same answer for every filter.
    public func contains(_ wanted: JSONValue) -> Bool {
        switch (self, wanted) {
        case (.object(let have), .object(let want)):
            return want.members.allSatisfy { member in
                have[member.key]?.contains(member.value) ?? false
            }
        case (.array(let have), .array(let want)):
            return want.allSatisfy { element in
                have.contains { candidate in candidate.containsAsElement(element) }
            }
        case (.null, .null):
            return true
        case (.bool(let have), .bool(let want)):
            return have == want
        case (.string(let have), .string(let want)):
            return have.hasSameBytes(as: want)
        case (.number(let have), .number(let want)):
            return have.hasSameBytes(as: want) || JSONNumber.canonical(have) == JSONNumber.canonical(want)
        default:
            return false
        }
    }

    /// Containment of one wanted array element by one element of the stored array.
    private func containsAsElement(_ wanted: JSONValue) -> Bool {
        switch (self, wanted) {
        case (.object, .object), (.array, .array): contains(wanted)
        case (.object, _), (.array, _), (_, .object), (_, .array): false
        default: contains(wanted)
        }
    }
}
