import AuditCore
import Testing

/// Principal names, tokens and the token file's checks, without any I/O.
@Suite struct AccessModelTests {
    @Test("A principal name is 1–255 characters without control or bidirectional-control characters")
    func principalNames() {
        #expect(Principal.problem(withName: "counsel@example.com") == nil)
        #expect(Principal.problem(withName: "Zoë Ångström (legal)") == nil)
        #expect(Principal.problem(withName: String(repeating: "x", count: 255)) == nil)
        for bad in [
            "", String(repeating: "x", count: 256), "ops\u{0007}", "a\nb", "a\u{0085}b", "admin\u{202E}nimda", "x\u{2066}y", "\u{200F}z",
            "a\u{061C}b",
        ] {
            #expect(Principal.problem(withName: bad) != nil, "\(bad.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test("Tokens: alt_<16 hex>_<43 base64url>; anything else is malformed")
    func tokenShape() throws {
        let token = AccessToken.generate()
        #expect(AccessToken(text: token.text) == token)
        #expect(token.id.utf8.count == 16 && token.secret.utf8.count == 43)
        #expect(AccessToken.generate() != token)
        for bad in [
            "", "alt_", "alt__", "xyz_\(token.id)_\(token.secret)", "alt_\(token.id.uppercased())_\(token.secret)",
            "alt_\(token.id)_\(token.secret)=",
            "alt_\(token.id.dropLast())_\(token.secret)", "alt_\(token.id)_\(token.secret.dropLast())", "alt_\(token.id)_\(token.secret.dropLast())+",
            "alt_\(token.id)_\(token.secret.dropLast())é",
        ] {
            #expect(AccessToken(text: bad) == nil, "\(bad)")
        }
    }

    @Test("The token file accepts only its tokens: unknown, wrong secret, revoked, expired and malformed are refused")
    func tokenChecks() throws {
        let now = AuditTimestamp.now()
        let live = AccessToken.generate()
        let revoked = AccessToken.generate()
        let expiring = AccessToken.generate()
        var file = TokenFile(tokens: [
            TokenRecord(
                id: live.id, secretSHA256: live.secretHash, principal: "svc", kind: .service, scopes: [.eventsWrite, .eventsRead], readLimits: nil,
                created: now, expires: nil),
            TokenRecord(
                id: revoked.id, secretSHA256: revoked.secretHash, principal: "old", kind: .service, scopes: [.admin], readLimits: nil, created: now,
                expires: nil),
            TokenRecord(
                id: expiring.id, secretSHA256: expiring.secretHash, principal: "temp", kind: .human, scopes: [.holdsWrite],
                readLimits: ReadLimits(namespaces: ["prod"]), created: now, expires: now.adding(seconds: 60)),
        ])
        file.tokens[1].revoked = now.description
        let decoded = try TokenFile.decode(file.encoded())
        #expect(decoded == file)
        guard case .accepted(let principal) = decoded.check(live.text, at: now) else {
            Issue.record("a live token must be accepted")
            return
        }
        #expect(principal == Principal(name: "svc", kind: .service, scopes: [.eventsWrite, .eventsRead], method: .token))
        #expect(decoded.check("alt_\(live.id)_" + AccessToken.generate().secret, at: now) == .refused(.unknown))
        #expect(decoded.check(AccessToken.generate().text, at: now) == .refused(.unknown))
        #expect(decoded.check(revoked.text, at: now) == .refused(.revoked))
        #expect(decoded.check(expiring.text, at: now.adding(seconds: 59)) != .refused(.expired))
        #expect(decoded.check(expiring.text, at: now.adding(seconds: 60)) == .refused(.expired))
        #expect(decoded.check("Bearer " + live.text, at: now) == .refused(.malformed))
        #expect(!String(decoding: file.encoded(), as: UTF8.self).contains(live.secret))
    }

    @Test("A token file with a bad record is refused, naming the record and the member")
    func badFiles() {
        let token = AccessToken.generate()
        func record(_ change: (inout TokenRecord) -> Void) -> [UInt8] {
            var record = TokenRecord(
                id: token.id, secretSHA256: token.secretHash, principal: "svc", kind: .service, scopes: [.eventsRead], readLimits: nil,
                created: .now(), expires: nil)
            change(&record)
            return TokenFile(tokens: [record]).encoded()
        }
        let cases: [(String, [UInt8])] = [
            ("tokens[0].id", record { $0.id = "XYZ" }),
            ("tokens[0].secret_sha256", record { $0.secretSHA256 = "abc" }),
            ("tokens[0].principal", record { $0.principal = "evil\u{202E}" }),
            ("tokens[0].scopes", record { $0.scopes = ["events:delete"] }),
            ("tokens[0].expires", record { $0.expires = "tomorrow" }),
            ("format", Array(#"{"format":2,"tokens":[]}"#.utf8)),
        ]
        for (field, bytes) in cases {
            do {
                _ = try TokenFile.decode(bytes)
                Issue.record("\(field) must be refused")
            } catch {
                #expect(error.fieldErrors.map(\.field) == [field])
            }
        }
        #expect(throws: AuditError.self) { try TokenFile.decode(Array("not json".utf8)) }
    }

    func event(type: String, category: String, namespace: String?) throws -> AuditEvent {
        var request = JSONObject()
        request["version"] = .string("1.0")
        request["event_type"] = .string(type)
        request["event_timestamp"] = .string(AuditTimestamp.now().description)
        request["event_category"] = .string(category)
        request["event_action"] = .string("updated")
        request["event_outcome"] = .string("success")
        request["correlation_id"] = .string("rr-limits")
        if let namespace { request["namespace"] = .string(namespace) }
        request["event_data"] = .object(JSONObject())
        return try EventValidator(policy: ValidationPolicy()).event(from: .object(request), now: .now())
    }

    @Test("Read limits: every list given must match; an empty list matches nothing")
    func readLimits() throws {
        let event = try self.event(type: "workflow.catalog.updated", category: "workflow", namespace: "prod")
        #expect(ReadLimits.unlimited.allows(event))
        #expect(ReadLimits(categories: ["workflow"]).allows(event))
        #expect(!ReadLimits(categories: []).allows(event))
        #expect(ReadLimits(eventTypePrefixes: ["workflow.catalog."]).allows(event))
        #expect(!ReadLimits(eventTypePrefixes: ["workflow.selection."]).allows(event))
        #expect(!ReadLimits(categories: ["workflow"], namespaces: ["staging"]).allows(event))
        let noNamespace = try self.event(type: "workflow.catalog.updated", category: "workflow", namespace: nil)
        #expect(!ReadLimits(namespaces: ["prod"]).allows(noNamespace))
    }
}
