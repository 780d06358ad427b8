import Testing

@testable import AuditCore

/// PostgreSQL's `jsonb @>` rule, as the embedded store applies it (the conformance suite checks
/// the same filters against PostgreSQL itself).
@Suite struct JSONContainmentTests {
    let stored = try! JSONParser.parse(
        #"""
        {"a":1,"s":"x","t":true,"z":null,"big":12345678901234567890,"f":0.1000000000000000055511151231257827,
         "o":{"p":{"q":[1,2,{"r":"s"}]},"e":{}},"arr":["x",["y","z"],{"k":1,"l":2}],"é":"acute","e\u0301":"combining"}
        """#)

    @Test(arguments: [
        #"{"a":1}"#, #"{"a":1.0}"#, #"{"a":10e-1}"#, #"{"s":"x"}"#, #"{"t":true}"#, #"{"z":null}"#, #"{"big":12345678901234567890}"#,
        #"{"f":0.1000000000000000055511151231257827}"#, #"{"o":{}}"#, #"{"o":{"p":{}}}"#, #"{"o":{"p":{"q":[]}}}"#,
        #"{"o":{"p":{"q":[2,1]}}}"#, #"{"o":{"p":{"q":[{"r":"s"}]}}}"#, #"{"o":{"p":{"q":[{}]}}}"#, #"{"o":{"e":{}}}"#,
        #"{"arr":["x"]}"#, #"{"arr":[["z"]]}"#, #"{"arr":[{"l":2}]}"#, #"{"arr":[{}]}"#, #"{"arr":[[]]}"#, #"{"\u00e9":"acute"}"#,
        #"{"e\u0301":"combining"}"#, #"{"a":1,"s":"x","o":{"p":{"q":[1]}}}"#,
    ])
    func contains(_ filter: String) throws {
        #expect(stored.contains(try JSONParser.parse(filter)), "\(filter)")
    }

    @Test(arguments: [
        #"{"a":2}"#, #"{"a":"1"}"#, #"{"s":"X"}"#, #"{"t":false}"#, #"{"z":0}"#, #"{"big":12345678901234567891}"#, #"{"f":0.1}"#,
        #"{"missing":1}"#, #"{"o":{"p":{"q":[3]}}}"#, #"{"o":{"p":{"q":1}}}"#, #"{"arr":"x"}"#, #"{"arr":["y"]}"#, #"{"arr":[{"k":2}]}"#,
        #"{"arr":[{"k":1,"m":1}]}"#, #"{"o":[]}"#, #"{"s":{}}"#, #"{"\u00e9":"combining"}"#, #"{"e\u0301":"acute"}"#, #"{"é":1}"#,
        #"{"a":1,"s":"y"}"#,
    ])
    func doesNotContain(_ filter: String) throws {
        #expect(!stored.contains(try JSONParser.parse(filter)), "\(filter)")
    }
}
