import Testing

@testable import AuditCore

@Suite struct JSONParserTests {
    @Test func keepsNumbersAsWritten() throws {
        let value = try JSONParser.parse(#"{"big":12345678901234567890,"precise":0.1000000000000000055511151231257827,"e":-1.5E+3,"zero":0}"#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object["big"] == .number("12345678901234567890"))
        #expect(object["precise"] == .number("0.1000000000000000055511151231257827"))
        #expect(object["e"] == .number("-1.5E+3"))
        #expect(object["zero"] == .number("0"))
    }

    @Test func decodesEscapesAndUnicode() throws {
        let value = try JSONParser.parse(#""a\"b\\c\/d\b\f\n\r\t \u00e9 \ud83d\ude80 ✓""#)
        #expect(value == .string("a\"b\\c/d\u{8}\u{c}\n\r\t é 🚀 ✓"))
    }

    @Test func keepsMemberOrder() throws {
        let value = try JSONParser.parse(#"{"b":1,"a":2,"c":3}"#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.members.map(\.key) == ["b", "a", "c"])
    }

    /// Two readers of an object with a repeated name may disagree on what it said, so it is refused, naming where.
    @Test(arguments: [
        (#"{"b":1,"a":2,"b":3}"#, [JSONPathComponent.key("b")]),
        (#"[{"x":{"y":[0,{"z":1,"z":2}]}}]"#, [.index(0), .key("x"), .key("y"), .index(1), .key("z")]),
        (#"{"é":1,"\u00e9":2}"#, [.key("é")]),
    ])
    func refusesARepeatedName(_ text: String, _ path: [JSONPathComponent]) {
        do {
            _ = try JSONParser.parse(text)
            Issue.record("a repeated name must be refused")
        } catch {
            #expect(error.isDuplicateKey)
            #expect(error.path == path)
        }
    }

    @Test func refusesARepeatedNameInALargeObject() throws {
        let members = (0..<40).map { "\"k\($0)\":\($0)" } + ["\"k17\":0"]
        do {
            _ = try JSONParser.parse("{" + members.joined(separator: ",") + "}")
            Issue.record("a repeated name must be refused")
        } catch {
            #expect(error.path == [.key("k17")])
        }
        #expect(try JSONParser.parse("{" + members.dropLast().joined(separator: ",") + "}").containerDepth == 1)
    }

    /// Swift's `String` equality is canonical equivalence: "é" (U+00E9) equals "e\u{301}". JSON
    /// names and strings must stay apart byte for byte.
    @Test func keepsCanonicallyEquivalentNamesApart() throws {
        let value = try JSONParser.parse(#"{"\u00e9":1,"e\u0301":2}"#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.count == 2)
        #expect(object["\u{e9}"] == .number("1"))
        #expect(object["e\u{301}"] == .number("2"))
        #expect(JSONValue.string("\u{e9}") != .string("e\u{301}"))
        #expect(Set([JSONValue.string("\u{e9}"), .string("e\u{301}")]).count == 2)
        #expect(value.compactText == "{\"\u{e9}\":1,\"e\u{301}\":2}")
        var built = JSONObject()
        built["\u{e9}"] = .number("1")
        built["e\u{301}"] = .number("2")
        #expect(built.count == 2)
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", #"{"a":1,}"#, "01", "-", "1.", ".5", "1e", "+1", "tru", "nul", #"{"a" 1}"#, #"{a:1}"#,
        "\"\u{1}\"", #""\x""#, #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\u12""#, "[1] 2", "NaN", "Infinity",
    ])
    func refusesInvalidJSON(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
        let allowed = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSONParser.parse(allowed).containerDepth == 64)
    }

    @Test func reportsWhereTheErrorIs() {
        do {
            _ = try JSONParser.parse(#"{"a": tru}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 6)
        }
    }

    @Test func writesCompactlyAndEscapesMinimally() throws {
        let text = #"{ "s" : "q\"\\\n\u0001é🚀" , "n" : [ 1 , 2.50 , null , true ] }"#
        let value = try JSONParser.parse(text)
        #expect(value.compactText == #"{"s":"q\"\\\n\u0001é🚀","n":[1,2.50,null,true]}"#)
        #expect(try JSONParser.parse(value.compactText) == value)
    }

    @Test func canonicalFormSortsMembersAndNormalisesNumbers() throws {
        let one = try JSONParser.parse(#"{"b":{"y":1.50,"x":6.02214076e23},"a":-0}"#)
        let other = try JSONParser.parse(#"{"a":0,"b":{"x":602214076000000000000000,"y":15e-1}}"#)
        #expect(one.canonicalBytes == other.canonicalBytes)
        #expect(String(decoding: one.canonicalBytes, as: UTF8.self) == #"{"a":0,"b":{"x":602214076e15,"y":15e-1}}"#)
        #expect(try JSONParser.parse(#"{"a":1}"#).canonicalBytes != JSONParser.parse(#"{"a":1.1}"#).canonicalBytes)
    }

    @Test(arguments: [
        ("0", "0"), ("-0", "0"), ("0.000", "0"), ("10", "1e1"), ("1.0", "1"), ("0.1", "1e-1"), ("-12.340", "-1234e-2"),
        ("1E+2", "1e2"), ("100e-2", "1"), ("12345678901234567890", "1234567890123456789e1"),
    ])
    func canonicalNumbers(_ literal: String, _ expected: String) {
        #expect(JSONNumber.canonical(literal) == expected)
    }

    @Test func measuresDepthAndFindsNUL() throws {
        #expect(try JSONParser.parse(#"{"a":[{"b":1}]}"#).containerDepth == 3)
        #expect(try JSONParser.parse("1").containerDepth == 0)
        #expect(try JSONParser.parse(#"{"a":["x\u0000"]}"#).containsNUL)
        #expect(try JSONParser.parse(#"{"\u0000":1}"#).containsNUL)
        #expect(try !JSONParser.parse(#"{"a":"b"}"#).containsNUL)
    }
}
