/// One path of ``Redaction/paths``: which values of `event_data` it names.
///
/// Two spellings:
/// - **Dotted**: member names from `event_data`'s top separated by `.`; `*` is any member or
///   array element, and a name of digits also names that array element (`spec.env.*.value`).
/// - **JSONPath** (RFC 9535's selectors, the subset that names values): `$` then `.name`,
///   `['name']` or `["name"]` (any name, dots included; `\'`, `\"` and `\\` escaped), `[N]` (array
///   element N), `.*` or `[*]` (every member or element), and `..` before any of these to look at
///   every depth (`$..password`, `$.spec..env[*].value`).
struct RedactionPath: Sendable, Hashable {
    enum Step: Sendable, Hashable {
        /// A member of that name; with `orIndex`, also the array element of that number (dotted paths).
        case member(String, orIndex: Bool)
        case index(Int)
        case wildcard
        /// The next step, applied at this level and at every level below it.
        case descendants
    }

    let steps: [Step]

    /// `nil` (with `problem` set) when `text` is not a path.
    init?(_ text: String, problem: inout String?) {
        guard text.hasPrefix("$") else {
            let segments = text.split(separator: ".", omittingEmptySubsequences: false)
            guard !text.isEmpty, !segments.contains(where: \.isEmpty) else {
                problem = "has an empty segment"
                return nil
            }
            steps = segments.map { $0 == "*" ? .wildcard : .member(String($0), orIndex: Int($0) != nil) }
            return
        }
        var parser = Parser(Array(text.unicodeScalars).dropFirst())
        do {
            steps = try parser.steps()
        } catch {
            problem = error.description
            return nil
        }
        guard !steps.isEmpty else {
            problem = "names all of event_data; name the members to redact"
            return nil
        }
    }

    private struct Parser {
        var rest: ArraySlice<Unicode.Scalar>

        init(_ scalars: ArraySlice<Unicode.Scalar>) { rest = scalars }

        struct Failure: Error, CustomStringConvertible {
            var description: String
        }

        mutating func steps() throws(Failure) -> [Step] {
            var steps: [Step] = []
            while let next = rest.first {
                if next == "." {
                    rest.removeFirst()
                    if rest.first == "." {
                        rest.removeFirst()
                        steps.append(.descendants)
                        if rest.first == "[" { continue }
                    }
                    if rest.first == "*" {
                        rest.removeFirst()
                        steps.append(.wildcard)
                        continue
                    }
                    var name = ""
                    while let scalar = rest.first, scalar != ".", scalar != "[" {
                        name.unicodeScalars.append(scalar)
                        rest.removeFirst()
                    }
                    guard !name.isEmpty else { throw Failure(description: "has a `.` with no member name after it") }
                    steps.append(.member(name, orIndex: false))
                } else if next == "[" {
                    rest.removeFirst()
                    steps.append(try bracket())
                } else {
                    throw Failure(description: "has `\(next)` where `.` or `[` was expected")
                }
            }
            if steps.last == .descendants { throw Failure(description: "ends with `..`") }
            return steps
        }

        /// After `[`: `*]`, `N]`, `'name']` or `"name"]`.
        private mutating func bracket() throws(Failure) -> Step {
            guard let first = rest.first else { throw Failure(description: "ends inside `[`") }
            if first == "*" {
                rest.removeFirst()
                try expect("]")
                return .wildcard
            }
            if first == "'" || first == "\"" {
                rest.removeFirst()
                var name = ""
                while true {
                    guard let scalar = rest.popFirst() else { throw Failure(description: "has an unterminated quoted name") }
                    if scalar == first { break }
                    if scalar == "\\" {
                        guard let escaped = rest.popFirst(), escaped == "'" || escaped == "\"" || escaped == "\\" else {
                            throw Failure(description: "has an escape other than \\', \\\" or \\\\ in a quoted name")
                        }
                        name.unicodeScalars.append(escaped)
                    } else {
                        name.unicodeScalars.append(scalar)
                    }
                }
                try expect("]")
                return .member(name, orIndex: false)
            }
            var digits = ""
            while let scalar = rest.first, scalar.properties.numericType == .decimal, scalar.isASCII {
                digits.unicodeScalars.append(scalar)
                rest.removeFirst()
            }
            guard let index = Int(digits), digits.count <= 9 else { throw Failure(description: "has `[` without `*`, a number or a quoted name") }
            try expect("]")
            return .index(index)
        }

        private mutating func expect(_ scalar: Unicode.Scalar) throws(Failure) {
            guard rest.first == scalar else { throw Failure(description: "misses `\(scalar)`") }
            rest.removeFirst()
        }
    }
}
