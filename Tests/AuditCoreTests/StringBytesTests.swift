import AuditCore
import Testing

/// The byte comparisons JSON member names and values go through.
@Suite struct StringBytesTests {
    static let long = String(repeating: "event_data.member.", count: 8)

    @Test("Same bytes: equal text is equal, canonically equivalent text is not, whatever the length")
    func sameBytes() {
        #expect("a".hasSameBytes(as: "a"))
        #expect("".hasSameBytes(as: ""))
        #expect(Self.long.hasSameBytes(as: String(decoding: Array(Self.long.utf8), as: UTF8.self)))
        #expect(!"\u{E9}".hasSameBytes(as: "e\u{301}"), "é and e + U+0301: two names, though Swift's == says equal")
        #expect("\u{E9}" == "e\u{301}")
        #expect(!"a".hasSameBytes(as: "b"))
        #expect(!"ab".hasSameBytes(as: "a"))
        #expect(!(Self.long + "x").hasSameBytes(as: Self.long + "y"))
        // A string made from a substring, and one built up character by character.
        let built = String(Self.long.dropFirst(6).prefix(20))
        #expect(built.hasSameBytes(as: String(Self.long.utf8.dropFirst(6).prefix(20))!))
    }

    @Test("Byte order: a prefix first, then by the first differing byte, not by Unicode collation")
    func byteOrder() {
        #expect("a".precedesByBytes("b"))
        #expect(!"b".precedesByBytes("a"))
        #expect("a".precedesByBytes("ab"))
        #expect(!"ab".precedesByBytes("a"))
        #expect(!"a".precedesByBytes("a"))
        #expect("".precedesByBytes("a"))
        #expect("Z".precedesByBytes("a"), "0x5A before 0x61")
        #expect("e\u{301}".precedesByBytes("\u{E9}"), "0x65 before 0xC3")
        #expect("z".precedesByBytes("\u{E9}"))
        #expect((Self.long + "a").precedesByBytes(Self.long + "b"))
        let names = ["b", "é", "a", "ab", "Z", "e\u{301}", ""]
        #expect(names.sorted { $0.precedesByBytes($1) } == names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }
}
