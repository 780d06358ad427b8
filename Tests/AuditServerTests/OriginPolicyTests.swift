import AuditCore
import AuditServer
import AuditTesting
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct OriginPolicyTests {
    static let preflight: HTTPFields = [.origin: "https://evil.example", HTTPField.Name("Access-Control-Request-Method")!: "POST"]

    @Test("Cross-origin requests are refused by default (403, RFC 7807); requests without Origin are untouched")
    func deniedByDefault() async throws {
        try await withApp(.sqlite) { client, _ in
            let options = try await client.execute(uri: "/api/v1/audit/events", method: .options, headers: Self.preflight) { $0 }
            try expectProblem(options, status: .forbidden, type: "forbidden")
            #expect(options.headers[.accessControlAllowOrigin] == nil)
            let write = try await client.post(
                "/api/v1/audit/events", json: .object(EventFactory.request(correlationID: "rr-csrf", at: .now())),
                headers: [.origin: "https://evil.example"])
            try expectProblem(write, status: .forbidden, type: "forbidden")
            let read = try await client.get("/api/v1/audit/events?correlation_id=rr-csrf")
            #expect(read.status == .ok)
            #expect(try read.object.array("data").isEmpty, "the refused cross-origin write stored nothing")
            #expect(read.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test("An allowed origin's preflight gets 204 with methods and headers; its requests get Access-Control-Allow-Origin; others are still refused")
    func allowedOrigin() async throws {
        var configuration = AuditServerConfiguration(validation: EventFactory.importPolicy)
        configuration.access.allowedOrigins = ["https://console.example.com"]
        try await withApp(.sqlite, configuration: configuration) { client, _ in
            var headers = Self.preflight
            headers[.origin] = "https://console.example.com"
            let options = try await client.execute(uri: "/api/v1/audit/events", method: .options, headers: headers) { $0 }
            #expect(options.status == .noContent)
            #expect(options.headers[.accessControlAllowOrigin] == "https://console.example.com")
            #expect(options.headers[.accessControlAllowMethods] == "GET, POST, DELETE")
            #expect(options.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
            let read = try await client.get("/api/v1/audit/events", headers: [.origin: "https://console.example.com"])
            #expect(read.status == .ok)
            #expect(read.headers[.accessControlAllowOrigin] == "https://console.example.com")
            #expect(read.headers[.vary] == "Origin")
            try expectProblem(
                try await client.get("/api/v1/audit/events", headers: [.origin: "https://console.example.com.evil.example"]), status: .forbidden,
                type: "forbidden")
        }
    }
}
