import AuditCore

/// Query strings and path segments decoded the way Kubernaut's clients encode them.
///
/// Go's `url.Values.Encode` (Kubernaut's generated clients) and HTML forms write a space as
/// `+`; `url.ParseQuery` reads `+` as a space and `%XX` as a byte, and refuses a `;` separator
/// or a broken `%` escape. So does this decoder, which also refuses bytes that are not UTF-8.
enum FormQuery {
    /// The `name=value` pairs of a raw (still percent-encoded) query string, in order.
    /// - Throws: `invalid-request` naming the parameter whose encoding is broken.
    static func decode(_ raw: String?) throws(AuditError) -> [(name: String, value: String)] {
        guard let raw, !raw.isEmpty else { return [] }
        var pairs: [(name: String, value: String)] = []
        for part in raw.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = part.firstIndex(of: UInt8(ascii: "="))
            let rawName = part[..<(equals ?? part.endIndex)]
            let rawValue = equals.map { part[part.index(after: $0)...] } ?? part[part.endIndex...]
            let shownName = String(decoding: rawName.prefix(64), as: UTF8.self)
            guard !part.contains(UInt8(ascii: ";")) else {
                throw malformed("the query parameter \(shownName) contains ';'; separate parameters with '&' and encode ';' as %3B")
            }
            guard let name = unescape(rawName, plusIsSpace: true), let value = unescape(rawValue, plusIsSpace: true) else {
                throw malformed("the query parameter \(shownName) is not valid percent-encoded UTF-8")
            }
            pairs.append((name, value))
        }
        return pairs
    }

    /// A path segment with its `%XX` escapes decoded (`+` stays a plus, as in any URL path).
    /// `nil` when an escape is broken or the bytes are not UTF-8.
    static func decodePathSegment(_ segment: String) -> String? {
        unescape(segment.utf8[...], plusIsSpace: false)
    }

    private static func unescape(_ text: some Collection<UInt8>, plusIsSpace: Bool) -> String? {
        let bytes = Array(text)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "%"):
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else { return nil }
                output.append(high << 4 | low)
                index += 3
            case UInt8(ascii: "+") where plusIsSpace:
                output.append(UInt8(ascii: " "))
                index += 1
            default:
                output.append(byte)
                index += 1
            }
        }
        return String(validating: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func malformed(_ detail: String) -> AuditError {
        AuditError(.malformedRequest, detail: detail)
    }
}
