import Crypto

/// Secrets taken out of `event_data` before an event is stored (and before anything is derived
/// from it, such as a content-derived id): a member whose name matches a key pattern, or that a
/// path names, has its value replaced — whatever its type — by `"[REDACTED]"` or by
/// `"hmac-sha256:<hex>"`, an HMAC-SHA256 under a server key, so that equal secrets can still be
/// matched (query `event_data={"password":"hmac-sha256:…"}`) without being stored.
///
/// A key pattern matches a member name word by word: names are split into lowercase words at
/// `_`, `-`, `.`, spaces and lower-to-upper case changes, and the pattern's words must appear in
/// a row. `token` matches `token`, `access_token`, `refreshToken` and `X-Auth-Token`, not
/// `total_tokens` or `tokenizer`; `api_key` matches `apiKey` and `API_KEY`.
public struct Redaction: Sendable, Hashable {
    /// What replaces a redacted value.
    public enum Replacement: Sendable, Hashable {
        /// The string `[REDACTED]`.
        case marker
        /// `hmac-sha256:` and the lowercase hex HMAC-SHA256 of the value under `key`: of a
        /// string its UTF-8 bytes, of anything else its canonical JSON.
        case hmac(key: [UInt8])
    }

    /// The key patterns used unless others are configured.
    public static let defaultKeyPatterns = [
        "password", "passwd", "secret", "token", "authorization", "api_key", "apikey", "private_key", "client_secret",
    ]

    /// The string a redacted value becomes with ``Replacement/marker``.
    public static let marker = "[REDACTED]"

    /// Key patterns (see the type's documentation). Default ``defaultKeyPatterns``.
    public var keyPatterns: [String]
    /// Paths naming values to redact, dotted (`spec.env.*.value`) or JSONPath (`$..password`,
    /// `$.spec['env'][*].value`); see ``problem(withPath:)`` for what is accepted. A path that
    /// is not accepted names nothing: check paths with ``problem(withPath:)`` first (`serve`
    /// refuses to start with one). Default none.
    public var paths: [String]
    public var replacement: Replacement

    /// Creates a redaction; every parameter defaults to the value documented on its property.
    public init(keyPatterns: [String] = Redaction.defaultKeyPatterns, paths: [String] = [], replacement: Replacement = .marker) {
        self.keyPatterns = keyPatterns
        self.paths = paths
        self.replacement = replacement
        patternWords = keyPatterns.map(Self.words).filter { !$0.isEmpty }
        firstWords = patternWords.map { Array($0[0].utf8) }
        pathSteps = paths.compactMap { path in
            var problem: String?
            return RedactionPath(path, problem: &problem)?.steps
        }
    }

    /// Why `path` is not a redaction path, or `nil` when it is. Dotted: member names separated
    /// by `.`, none empty, `*` for any member or element, digits also naming an array element.
    /// JSONPath: `$` followed by `.name`, `['name']`, `["name"]`, `[N]`, `.*`, `[*]`, each of
    /// them possibly after `..` (every depth).
    public static func problem(withPath path: String) -> String? {
        var problem: String?
        return RedactionPath(path, problem: &problem) == nil ? problem ?? "is not a path" : nil
    }

    /// Nothing is redacted.
    public static let none = Redaction(keyPatterns: [], paths: [])

    private let patternWords: [[String]]
    /// Each pattern's first word as bytes: a name can only match a pattern if it contains that
    /// word, ignoring ASCII case — checked first, without allocating, since most names match
    /// nothing.
    private let firstWords: [[UInt8]]
    private let pathSteps: [[RedactionPath.Step]]

    /// Whether anything can be redacted at all.
    public var isActive: Bool { !patternWords.isEmpty || !pathSteps.isEmpty }

    /// `object` with its secrets replaced, and how many values were replaced.
    public func apply(to object: JSONObject) -> (object: JSONObject, redacted: Int) {
        guard isActive else { return (object, 0) }
        var count = 0
        var result = redactKeys(in: .object(object), count: &count)
        for steps in pathSteps { result = redactPath(steps[...], in: result, count: &count) }
        guard case .object(let redacted) = result else { return (object, 0) }
        return (redacted, count)
    }

    /// The replacement for `value`.
    public func replacing(_ value: JSONValue) -> JSONValue {
        switch replacement {
        case .marker:
            return .string(Self.marker)
        case .hmac(let key):
            let bytes: [UInt8]
            if case .string(let text) = value { bytes = Array(text.utf8) } else { bytes = value.canonicalBytes }
            let code = HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: key))
            return .string("hmac-sha256:" + Hex.lowercase(code))
        }
    }

    /// Whether the member name `key` matches a key pattern.
    public func matches(key: String) -> Bool {
        guard mayMatch(key) else { return false }
        let words = Self.words(key)
        return patternWords.contains { pattern in
            guard pattern.count <= words.count else { return false }
            return (0...(words.count - pattern.count)).contains { start in Array(words[start..<start + pattern.count]) == pattern }
        }
    }

    /// Whether `key` contains some pattern's first word, ASCII case ignored.
    private func mayMatch(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { bytes in
            firstWords.contains { word in
                guard word.count <= bytes.count else { return false }
                var start = 0
                while start + word.count <= bytes.count {
                    var index = 0
                    while index < word.count {
                        var byte = bytes[start + index]
                        if byte >= 0x41 && byte <= 0x5A { byte += 0x20 }
                        if byte != word[index] { break }
                        index += 1
                    }
                    if index == word.count { return true }
                    start += 1
                }
                return false
            }
        }
    }

    private func redactKeys(in value: JSONValue, count: inout Int) -> JSONValue {
        redactedKeys(in: value, count: &count) ?? value
    }

    /// `value` with the members whose names match replaced, or `nil` when nothing matched: a
    /// payload without a secret (nearly every one) is read, not copied.
    private func redactedKeys(in value: JSONValue, count: inout Int) -> JSONValue? {
        switch value {
        case .object(let object):
            var copy: JSONObject?
            for index in object.members.indices {
                let member = object.members[index]
                let replacement: JSONValue?
                if matches(key: member.key) {
                    guard member.value != .null else { continue }
                    replacement = replacing(member.value)
                    count += 1
                } else {
                    replacement = redactedKeys(in: member.value, count: &count)
                }
                guard let replacement else { continue }
                if copy == nil { copy = object }
                copy!.members[index].value = replacement
            }
            return copy.map(JSONValue.object)
        case .array(let values):
            var copy: [JSONValue]?
            for index in values.indices {
                guard let replacement = redactedKeys(in: values[index], count: &count) else { continue }
                if copy == nil { copy = values }
                copy![index] = replacement
            }
            return copy.map(JSONValue.array)
        default:
            return nil
        }
    }

    private func redactPath(_ steps: ArraySlice<RedactionPath.Step>, in value: JSONValue, count: inout Int) -> JSONValue {
        guard let step = steps.first else {
            // Null has nothing to hide; a value a key pattern replaced already stays as it is.
            if value == .null { return value }
            if case .string(let text) = value, text == Self.marker || text.hasPrefix("hmac-sha256:") { return value }
            count += 1
            return replacing(value)
        }
        let rest = steps.dropFirst()
        if step == .descendants {
            // What follows, here and at every depth below.
            switch redactPath(rest, in: value, count: &count) {
            case .object(var object):
                for index in object.members.indices {
                    object.members[index].value = redactPath(steps, in: object.members[index].value, count: &count)
                }
                return .object(object)
            case .array(let values):
                return .array(values.map { redactPath(steps, in: $0, count: &count) })
            case let other:
                return other
            }
        }
        switch value {
        case .object(var object):
            for index in object.members.indices {
                let selected =
                    switch step {
                    case .wildcard: true
                    case .member(let name, _): object.members[index].key == name
                    case .index, .descendants: false
                    }
                if selected { object.members[index].value = redactPath(rest, in: object.members[index].value, count: &count) }
            }
            return .object(object)
        case .array(let values):
            return .array(
                values.enumerated().map { index, element in
                    let selected =
                        switch step {
                        case .wildcard: true
                        case .index(let wanted): wanted == index
                        case .member(let name, let orIndex): orIndex && Int(name) == index
                        case .descendants: false
                        }
                    return selected ? redactPath(rest, in: element, count: &count) : element
                })
        default:
            return value
        }
    }

    /// `refreshToken` → `refresh token`, `X-Auth-Token` → `x auth token`, `API_KEY` → `api key`.
    static func words(_ name: String) -> [String] {
        if let words = asciiWords(name) { return words }
        var words: [String] = []
        var current = ""
        var previousWasLower = false
        for character in name {
            if character == "_" || character == "-" || character == "." || character == " " {
                if !current.isEmpty { words.append(current) }
                current = ""
                previousWasLower = false
                continue
            }
            if character.isUppercase, previousWasLower, !current.isEmpty {
                words.append(current)
                current = ""
            }
            current += character.lowercased()
            previousWasLower = character.isLowercase || character.isNumber
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// ``words(_:)`` of an ASCII name, byte by byte (the same rules without Unicode's character
    /// properties); `nil` when the name is not ASCII.
    private static func asciiWords(_ name: String) -> [String]? {
        var words: [String] = []
        var current: [UInt8] = []
        var previousWasLower = false
        for byte in name.utf8 {
            guard byte < 0x80 else { return nil }
            if byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: " ") {
                if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
                current.removeAll(keepingCapacity: true)
                previousWasLower = false
                continue
            }
            let isUpper = (0x41...0x5A).contains(byte)
            if isUpper, previousWasLower, !current.isEmpty {
                words.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            }
            current.append(isUpper ? byte + 0x20 : byte)
            previousWasLower = (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
        }
        if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
        return words
    }

    public static func == (lhs: Redaction, rhs: Redaction) -> Bool {
        lhs.keyPatterns == rhs.keyPatterns && lhs.paths == rhs.paths && lhs.replacement == rhs.replacement
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(keyPatterns)
        hasher.combine(paths)
        hasher.combine(replacement)
    }
}
