import AuditCore
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Every route against every kind of credential: 401 without valid credentials, 403 without
/// the route's scope, the route's own answer with it; every refusal RFC 7807 and silent about
/// other principals and the configuration.
@Suite struct AccessAPITests {
    /// One route of the API, and the scope it needs (`nil`: open).
    struct Route: Sendable, CustomStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var body: JSONValue?
        var scope: AccessScope?
        var description: String { "\(method) \(path)" }
    }

    static func routes(eventID: UUID) -> [Route] {
        let hold = JSONValue.object(
            JSONObject([.init(key: "correlation_id", value: .string("rr-access")), .init(key: "reason", value: .string("inquiry"))]))
        let release = JSONValue.object(JSONObject([.init(key: "release_reason", value: .string("closed"))]))
        return [
            Route(
                method: .post, path: "/api/v1/audit/events", body: .object(EventFactory.request(correlationID: "rr-access", at: .now())),
                scope: .eventsWrite),
            Route(
                method: .post, path: "/api/v1/audit/events/batch",
                body: .array([.object(EventFactory.request(correlationID: "rr-access", at: .now()))]),
                scope: .eventsWrite),
            Route(method: .get, path: "/api/v1/audit/events?correlation_id=rr-access", scope: .eventsRead),
            Route(method: .get, path: "/api/v1/audit/events/\(eventID.uuidString.lowercased())", scope: .eventsRead),
            Route(method: .post, path: "/api/v1/audit/legal-hold", body: hold, scope: .holdsWrite),
            Route(method: .get, path: "/api/v1/audit/legal-hold", scope: .eventsRead),
            Route(method: .delete, path: "/api/v1/audit/legal-hold/rr-access", body: release, scope: .holdsWrite),
            Route(method: .get, path: "/api/v1/audit/partitions", scope: .admin),
            Route(method: .get, path: "/api/v1/audit/quarantine", scope: .admin),
            Route(
                method: .post, path: "/api/v1/audit/verify-chain",
                body: .object(JSONObject([.init(key: "correlation_id", value: .string("rr-access"))])), scope: .eventsRead),
            Route(method: .get, path: "/metrics", scope: .admin),
            Route(method: .get, path: "/health/live", scope: nil),
            Route(method: .get, path: "/health/ready", scope: nil),
        ]
    }

    /// A kind of credential, and the headers that carry it.
    enum Credential: String, CaseIterable, Sendable {
        case none, malformedBearer, basic, twoAuthorizations, unknown, expired, revoked, wrongScope, rightScope
    }

    /// The role whose token has `scope`, and one whose token lacks it.
    static func role(for scope: AccessScope, right: Bool) -> AccessFixture.Role {
        switch (scope, right) {
        case (.eventsWrite, true): .writer
        case (.eventsRead, true): .reader
        case (.eventsReadSensitive, true): .sensitiveReader
        case (.holdsWrite, true): .holder
        case (.eventsExport, true): .exporter
        case (.admin, true): .admin
        case (.admin, false): .writer
        case (_, false): .admin
        }
    }

    static func headers(_ credential: Credential, scope: AccessScope?, fixture: AccessFixture) -> HTTPFields {
        switch credential {
        case .none: [:]
        case .malformedBearer: [.authorization: "Bearer not-a-token"]
        case .basic: [.authorization: "Basic YWRtaW46YWRtaW4="]
        case .twoAuthorizations:
            HTTPFields([
                HTTPField(name: .authorization, value: "Bearer " + fixture.tokens[.admin]!), HTTPField(name: .authorization, value: "Bearer x"),
            ])
        case .unknown: [.authorization: "Bearer " + AccessToken.generate().text]
        case .expired: fixture.headers(.expired)
        case .revoked: fixture.headers(.revoked)
        case .wrongScope: fixture.headers(role(for: scope ?? .admin, right: false))
        case .rightScope: fixture.headers(role(for: scope ?? .admin, right: true))
        }
    }

    @Test(
        "Every route × every credential × each method (token file, Kubernetes reviews, OIDC JWTs): 401, 403 or the route's answer; refusals are RFC 7807 and leak nothing",
        arguments: StoreKind.available, AccessFixture.Method.allCases)
    func matrix(_ kind: StoreKind, _ method: AccessFixture.Method) async throws {
        try await withAccessApp(kind, method: method) { client, fixture in
            var event = EventFactory.request(correlationID: "rr-access", at: .now())
            let eventID = UUID()
            event["event_id"] = .string(eventID.uuidString.lowercased())
            #expect(try await client.post("/api/v1/audit/events", json: .object(event), headers: fixture.headers(.writer)).status == .created)
            let secrets =
                fixture.tokens.values.map { String($0.suffix(43)) } + AccessFixture.Role.allCases.map { "\($0.rawValue)@example.com" } + [
                    fixture.path
                ]
            for route in Self.routes(eventID: eventID) {
                for credential in Credential.allCases {
                    var headers = Self.headers(credential, scope: route.scope, fixture: fixture)
                    if route.method == .delete {
                        // Something to release, placed by the holder.
                        let placed = try await client.post(
                            "/api/v1/audit/legal-hold",
                            json: .object(
                                JSONObject([.init(key: "correlation_id", value: .string("rr-access")), .init(key: "reason", value: .string("x"))])),
                            headers: fixture.headers(.holder))
                        #expect(placed.status == .ok)
                    }
                    var body: ByteBuffer?
                    if let json = route.body {
                        var writer = JSONWriter()
                        writer.write(json)
                        body = ByteBuffer(bytes: writer.bytes)
                        headers[.contentType] = "application/json"
                    }
                    let response = try await client.execute(uri: route.path, method: route.method, headers: headers, body: body) { $0 }
                    let label = "\(route) with \(credential)"
                    guard let scope = route.scope else {
                        #expect(response.status == .ok, "\(label)")
                        continue
                    }
                    switch credential {
                    case .rightScope:
                        #expect((200..<300).contains(response.status.code), "\(label): \(response.status) \(String(buffer: response.body))")
                    case .wrongScope:
                        try expectProblem(response, status: .forbidden, type: "forbidden")
                        #expect(String(buffer: response.body).contains(scope.rawValue), "\(label) names the scope it needs")
                    default:
                        try expectProblem(response, status: .unauthorized, type: "unauthorized")
                        #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="auditledger""#, "\(label)")
                    }
                    if response.status.code >= 400 {
                        let text = String(buffer: response.body)
                        for secret in secrets { #expect(!text.contains(secret), "\(label) leaks \(secret)") }
                    }
                }
            }
        }
    }
}
