import AuditCore
import Foundation
import Testing

/// The byte-level writers of the hot path give exactly the text of the plain implementations
/// they replaced.
@Suite struct TextWritingTests {
    @Test("Strings are escaped minimally, whatever mixes of plain runs and escapes they hold")
    func escapes() throws {
        let cases: [(String, String)] = [
            ("", #""""#), ("plain", #""plain""#), ("\"", #""\"""#), ("\\", #""\\""#), ("a\"b\\c", #""a\"b\\c""#),
            ("\n\r\t\u{8}\u{c}", #""\n\r\t\b\f""#), ("\u{1}x\u{1f}", #""\u0001x\u001f""#), ("end\n", #""end\n""#),
            ("\u{7f}é🚀/", "\"\u{7f}é🚀/\""), (String(repeating: "ab\"", count: 100), "\"" + String(repeating: #"ab\""#, count: 100) + "\""),
        ]
        for (value, expected) in cases {
            var writer = JSONWriter()
            writer.writeString(value)
            #expect(writer.string == expected)
            #expect(try JSONParser.parse(writer.bytes) == .string(value))
        }
    }

    @Test("A UUID's lowercase text is uuidString.lowercased()")
    func uuidText() {
        var ids = [UUID(uuidString: "00000000-0000-0000-0000-000000000000")!, UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!]
        ids += (0..<200).map { _ in UUID() }
        for id in ids {
            #expect(id.lowercaseText == id.uuidString.lowercased())
            #expect(UUID(hyphenatedHex: id.uuidString) == id && UUID(hyphenatedHex: id.lowercaseText) == id)
        }
        let refused = [
            "", "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4", "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4bb", "6f1c2a3b4d5e-4f60-8a7b-9c0d1e2f3a4b-",
            "6f1c2a3g-4d5e-4f60-8a7b-9c0d1e2f3a4b", "6f1c2a3b-4d5e-4f60-8a7b_9c0d1e2f3a4b", "{6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4}",
            "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4é",
        ]
        for text in refused {
            #expect(UUID(hyphenatedHex: text) == nil, "\(text)")
            #expect(UUID(uuidString: text) == nil, "Foundation refuses \(text) too")
        }
    }

    @Test("A timestamp's text is RFC 3339 in UTC, the fraction trimmed, across days, years and the epoch")
    func timestampText() {
        let cases: [(Int64, String)] = [
            (0, "1970-01-01T00:00:00Z"), (1, "1970-01-01T00:00:00.000001Z"), (-1, "1969-12-31T23:59:59.999999Z"),
            (1_765_591_200_500_000, "2025-12-13T02:00:00.5Z"), (1_765_591_200_123_400, "2025-12-13T02:00:00.1234Z"),
            (253_402_300_799_999_999, "9999-12-31T23:59:59.999999Z"), (951_782_400_000_000, "2000-02-29T00:00:00Z"),
        ]
        for (micros, expected) in cases {
            let timestamp = AuditTimestamp(microsecondsSinceEpoch: micros)
            #expect(timestamp.description == expected)
            #expect(AuditTimestamp(rfc3339: expected) == timestamp)
        }
    }
}
