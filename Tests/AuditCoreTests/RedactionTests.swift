import AuditCore
import Testing

@Suite struct RedactionTests {
    func object(_ text: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(text) else { throw AuditError(.internalError, detail: "fixture") }
        return object
    }

    @Test("Key patterns match member names word by word, at any depth, whatever the value's type")
    func keyPatterns() throws {
        let redaction = Redaction()
        for key in [
            "password", "db_password", "PASSWORD", "passwd", "client_secret", "secretRef", "access_token", "refreshToken", "X-Auth-Token",
            "Authorization", "api_key", "apiKey", "API_KEY", "apikey", "private_key", "privateKey",
            // Names split byte by byte (ASCII) and by Unicode's character properties (any other).
            "apiKEY", "my token", "a.b.secret", "v2Token", "pässwort_token", "Ünicode-Secret", "tökenSecret",
        ] {
            #expect(redaction.matches(key: key), "\(key)")
        }
        for key in [
            "total_tokens", "prompt_tokens", "tokenizer", "secretary", "keyboard", "author", "workflow_id", "passwords_rotated", "tokenñ",
            "APIKEYS", "secret2",
        ] {
            #expect(!redaction.matches(key: key), "\(key)")
        }
        let (redacted, count) = redaction.apply(
            to: try object(
                #"{"user":"jdoe","password":"hunter2","nested":{"apiKey":12345,"list":[{"token":{"a":1}},{"token":null}]},"total_tokens":812}"#))
        #expect(count == 3)
        #expect(redacted["user"] == .string("jdoe"))
        #expect(redacted["password"] == .string("[REDACTED]"))
        #expect(redacted["total_tokens"] == .number("812"))
        guard case .object(let nested)? = redacted["nested"], case .array(let list)? = nested["list"] else {
            Issue.record("shape kept")
            return
        }
        #expect(nested["apiKey"] == .string("[REDACTED]"))
        #expect(list[0] == .object(JSONObject([.init(key: "token", value: .string("[REDACTED]"))])))
        #expect(list[1] == .object(JSONObject([.init(key: "token", value: .null)])), "null hides nothing")
        #expect(Array(redacted.members.map(\.key)) == ["user", "password", "nested", "total_tokens"], "member order kept")
    }

    @Test("Paths name members from the top; * is any member or element")
    func paths() throws {
        let redaction = Redaction(keyPatterns: [], paths: ["spec.env.*.value", "kubeconfig"])
        let (redacted, count) = redaction.apply(
            to: try object(
                #"{"spec":{"env":[{"name":"A","value":"s1"},{"name":"B","value":"s2"}],"image":"x"},"kubeconfig":{"users":[1]},"value":"top"}"#))
        #expect(count == 3)
        #expect(
            JSONValue.object(redacted).compactText
                == #"{"spec":{"env":[{"name":"A","value":"[REDACTED]"},{"name":"B","value":"[REDACTED]"}],"image":"x"},"kubeconfig":"[REDACTED]","value":"top"}"#
        )
        #expect(Redaction.none.apply(to: try object(#"{"password":"p"}"#)).redacted == 0)
    }

    @Test("JSONPath: members by name or quoted name, elements by number, wildcards, and .. for every depth")
    func jsonPaths() throws {
        let document = try object(
            #"{"spec":{"env":[{"name":"A","value":"s1"},{"name":"B","value":"s2"}],"a.b":"dotted","list":["x","y","z"]},"creds":{"db":{"pass":"p1"},"pass":"p2"},"pass":"p3"}"#
        )
        func apply(_ paths: [String]) -> (String, Int) {
            let (redacted, count) = Redaction(keyPatterns: [], paths: paths).apply(to: document)
            return (JSONValue.object(redacted).compactText, count)
        }
        let (env, envCount) = apply(["$.spec.env[*].value"])
        #expect(envCount == 2)
        #expect(env.contains(#"{"name":"A","value":"[REDACTED]"}"#) && env.contains(#"{"name":"B","value":"[REDACTED]"}"#))
        let (quoted, quotedCount) = apply(["$.spec['a.b']", #"$["spec"].list[1]"#])
        #expect(quotedCount == 2)
        #expect(quoted.contains(#""a.b":"[REDACTED]""#) && quoted.contains(#""list":["x","[REDACTED]","z"]"#))
        let (everywhere, everywhereCount) = apply(["$..pass"])
        #expect(everywhereCount == 3, "at the top, under creds and under creds.db")
        #expect(!everywhere.contains("p1") && !everywhere.contains("p2") && !everywhere.contains("p3"))
        let (under, underCount) = apply(["$.creds..pass"])
        #expect(underCount == 2 && under.contains(#""pass":"p3""#), "only below creds")
        let (elements, elementsCount) = apply(["$..env[0].value"])
        #expect(elementsCount == 1 && elements.contains(#""value":"s2""#))
        #expect(apply(["$.spec.*"]).1 == 3)
        #expect(apply(["$.nothing.here"]).1 == 0)
    }

    @Test(
        "Paths that are not paths are refused with the reason",
        arguments: [
            "", "a..b", ".a", "$", "$.", "$..", "$.a[", "$.a[x]", "$.a['b]", "$.a['b'", "$a", "$.a[1", #"$.a['\x']"#,
        ])
    func badPaths(_ path: String) {
        #expect(Redaction.problem(withPath: path) != nil, "\(path)")
    }

    @Test(
        "Accepted paths, dotted and JSONPath",
        arguments: [
            "a", "spec.env.*.value", "0", "$.a", "$['a b']", #"$["it's"]"#, "$..a", "$..*", "$.a[0]", "$.a[*].b", "$..['x']", #"$['a\'b']"#,
        ])
    func goodPaths(_ path: String) {
        #expect(Redaction.problem(withPath: path) == nil, "\(path): \(Redaction.problem(withPath: path) ?? "")")
    }

    @Test("HMAC replacement: equal values give equal codes, different keys or values different ones")
    func hmac() throws {
        let key = Array(repeating: UInt8(7), count: 32)
        let redaction = Redaction(replacement: .hmac(key: key))
        let first = redaction.apply(to: try object(#"{"password":"hunter2"}"#)).object["password"]
        let again = redaction.apply(to: try object(#"{"db":{"password":"hunter2"}}"#)).object
        let other = Redaction(replacement: .hmac(key: Array(repeating: 8, count: 32))).apply(to: try object(#"{"password":"hunter2"}"#)).object[
            "password"]
        guard case .string(let code)? = first else {
            Issue.record("a string")
            return
        }
        #expect(code.hasPrefix("hmac-sha256:") && code.utf8.count == 12 + 64)
        #expect(again["db"] == .object(JSONObject([.init(key: "password", value: .string(code))])))
        #expect(other != first)
        #expect(redaction.replacing(.string("hunter3")) != first)
        #expect(!code.contains("hunter2"))
    }

    @Test("The validator redacts before anything else: stored data and content-derived ids see only the redacted value")
    func validatorRedacts() throws {
        var request = JSONObject()
        request["version"] = .string("1.0")
        request["event_type"] = .string("kubernetes.job.created")
        request["event_timestamp"] = .string(AuditTimestamp.now().description)
        request["event_category"] = .string("kubernetes")
        request["event_action"] = .string("created")
        request["event_outcome"] = .string("success")
        request["correlation_id"] = .string("rr-redact")
        request["event_data"] = .object(try object(#"{"secret":"s3cr3t","job":"j1"}"#))
        let policy = ValidationPolicy(eventIDs: .contentDerived)
        let event = try EventValidator(policy: policy).event(from: .object(request), now: .now())
        #expect(!event.eventData.json.contains("s3cr3t"))
        #expect(event.eventData.json == #"{"secret":"[REDACTED]","job":"j1"}"#)
        request["event_data"] = .object(try object(#"{"secret":"other","job":"j1"}"#))
        let second = try EventValidator(policy: policy).event(from: .object(request), now: .now())
        #expect(second.id == event.id, "the id is derived from the redacted data")
        let unredacted = try EventValidator(policy: ValidationPolicy(redaction: .none)).event(from: .object(request), now: .now())
        #expect(unredacted.eventData.json.contains("other"))
    }
}
