import AuditCore
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

/// OIDC/JWT bearer tokens signed in the test with keys made for it (ES256), the issuer's keys
/// given as a JWKS file or served as a JWKS URL by a local server.
@Suite struct JWTAccessTests {
    @Test("A JWT of the issuer names the principal (sub) with the scopes of its scope claim, as a string or an array")
    func acceptedTokens() async throws {
        let issuer = try await TestIssuer()
        defer { issuer.remove() }
        try await withJWTApp(issuer) { client in
            let writer = try await issuer.headers(sub: "ci-pipeline", scope: .string("events:write openid"))
            let event = JSONValue.object(EventFactory.request(correlationID: "rr-jwt", at: .now()))
            #expect(try await client.post("/api/v1/audit/events", json: event, headers: writer).status == .created)
            try expectProblem(try await client.get("/api/v1/audit/events?limit=1", headers: writer), status: .forbidden, type: "forbidden")
            let reader = try await issuer.headers(sub: "alice@example.com", scope: .array(["events:read", "holds:write"]))
            #expect(try await client.get("/api/v1/audit/events?correlation_id=rr-jwt", headers: reader).status == .ok)
            let hold = JSONValue.object(
                JSONObject([.init(key: "correlation_id", value: .string("rr-jwt")), .init(key: "reason", value: .string("inquiry"))]))
            let placed = try await client.post("/api/v1/audit/legal-hold", json: hold, headers: reader)
            #expect(placed.status == .ok)
            #expect(try placed.object.string("placed_by") == "alice@example.com")
        }
    }

    @Test("Expired, not yet valid, for another audience, without exp, signed by another key, with an unknown key id or altered: 401")
    func refusedTokens() async throws {
        let issuer = try await TestIssuer()
        defer { issuer.remove() }
        let stranger = try await TestIssuer(issuer: issuer.issuer)
        defer { stranger.remove() }
        try await withJWTApp(issuer) { client in
            let now = Int(Date().timeIntervalSince1970)
            var refused: [(String, String)] = [
                ("expired", try await issuer.token(sub: "a", scope: .string("events:read"), expires: now - 300)),
                ("not yet valid", try await issuer.token(sub: "a", scope: .string("events:read"), notBefore: now + 600)),
                ("another audience", try await issuer.token(sub: "a", scope: .string("events:read"), audience: "another-service")),
                ("no exp", try await issuer.token(sub: "a", scope: .string("events:read"), expires: nil)),
                ("another key, same kid", try await stranger.token(sub: "a", scope: .string("events:read"))),
                ("an unknown kid", try await issuer.token(sub: "a", scope: .string("events:read"), kid: "not-published")),
                ("another issuer", try await TestIssuer(issuer: "https://elsewhere.example.com").token(sub: "a", scope: .string("events:read"))),
            ]
            let good = try await issuer.token(sub: "a", scope: .string("events:read"))
            var parts = good.split(separator: ".").map(String.init)
            parts[1] = Base64URL.encode(
                Data(#"{"iss":"\#(issuer.issuer)","aud":["auditledger"],"sub":"admin","scope":"admin","exp":\#(now + 600)}"#.utf8))
            refused.append(("altered payload", parts.joined(separator: ".")))
            for (label, token) in refused {
                let answer = try await client.get("/api/v1/audit/events?limit=1", headers: [.authorization: "Bearer " + token])
                try expectProblem(answer, status: .unauthorized, type: "unauthorized")
                #expect(answer.status == .unauthorized, "\(label)")
            }
            #expect(try await client.get("/api/v1/audit/events?limit=1", headers: [.authorization: "Bearer " + good]).status == .ok)
        }
    }

    @Test("Keys rotate: a JWKS file written again is read again; a JWKS URL is fetched again for an unknown key id")
    func rotation() async throws {
        let issuer = try await TestIssuer()
        defer { issuer.remove() }
        try await withJWTApp(issuer, fileCheckSeconds: 0) { client in
            let rotated = try await issuer.rotate()
            let token = try await issuer.token(sub: "a", scope: .string("events:read"), kid: rotated)
            #expect(try await client.get("/api/v1/audit/events?limit=1", headers: [.authorization: "Bearer " + token]).status == .ok)
        }
        let served = try await TestIssuer()
        defer { served.remove() }
        try await served.serveJWKS { url, fetches in
            try await withJWTApp(served, keys: .url(url)) { client in
                let first = try await served.headers(sub: "a", scope: .string("events:read"))
                #expect(try await client.get("/api/v1/audit/events?limit=1", headers: first).status == .ok)
                #expect(try await client.get("/api/v1/audit/events?limit=1", headers: first).status == .ok)
                #expect(fetches() == 1, "fetched once at start, then reused")
                let rotated = try await served.rotate()
                let token = try await served.token(sub: "a", scope: .string("events:read"), kid: rotated)
                #expect(try await client.get("/api/v1/audit/events?limit=1", headers: [.authorization: "Bearer " + token]).status == .ok)
                #expect(fetches() == 2)
            }
        }
    }

    @Test("A JWKS file that cannot be used stops the server from starting; one spoiled later leaves the keys read before in force")
    func unusableKeyFiles() async throws {
        let issuer = try await TestIssuer()
        defer { issuer.remove() }
        for content in ["", "not json", #"{"keys":[]}"#, #"{"keys":[{"kty":"EC","crv":"P-256","x":"AA"}]}"#] {
            let path = issuer.directory + "/bad.json"
            try Data(content.utf8).write(to: URL(fileURLWithPath: path))
            await #expect(throws: JWTAccessError.self, "\(content)") {
                _ = try await JWTAuthenticator(
                    configuration: JWTAccessConfiguration(issuer: issuer.issuer, audience: "auditledger", keys: .file(path)),
                    logger: Logger(label: "test.jwt"))
            }
        }
        try await withJWTApp(issuer, fileCheckSeconds: 0) { client in
            let headers = try await issuer.headers(sub: "a", scope: .string("events:read"))
            try Data("spoiled".utf8).write(to: URL(fileURLWithPath: issuer.jwksPath))
            #expect(try await client.get("/api/v1/audit/events?limit=1", headers: headers).status == .ok)
            #expect(try await client.get("/api/v1/audit/events?limit=1", headers: headers).status == .ok)
        }
    }

    @Test("A JWKS URL that does not answer: 503 with Retry-After, not 401")
    func unreachableKeys() async throws {
        let issuer = try await TestIssuer()
        defer { issuer.remove() }
        try await withJWTApp(issuer, keys: .url(URL(string: "http://127.0.0.1:1/jwks.json")!)) { client in
            let answer = try await client.get(
                "/api/v1/audit/events?limit=1", headers: try await issuer.headers(sub: "a", scope: .string("events:read")))
            try expectProblem(answer, status: .serviceUnavailable, type: "service-unavailable")
            #expect(answer.headers[.retryAfter] == "5")
        }
    }
}

/// Runs the app with JWT authentication for `issuer` (its JWKS file unless `keys` says otherwise).
private func withJWTApp(
    _ issuer: TestIssuer, keys: JWTAccessConfiguration.KeySource? = nil, fileCheckSeconds: Int = 10,
    _ body: @Sendable @escaping (any TestClientProtocol) async throws -> Void
) async throws {
    var configuration = AuditServerConfiguration(validation: EventFactory.importPolicy)
    var jwt = JWTAccessConfiguration(issuer: issuer.issuer, audience: "auditledger", keys: keys ?? .file(issuer.jwksPath))
    jwt.fileCheckSeconds = fileCheckSeconds
    jwt.minimumRefetchSeconds = 0
    configuration.access = AccessConfiguration(
        jwt: try await JWTAuthenticator(configuration: jwt, logger: Logger(label: "test.jwt")), metricsOpen: false)
    try await withApp(.sqlite, configuration: configuration) { client, _ in try await body(client) }
}

/// An OIDC issuer made for one test: ES256 keys, the public ones in a JWKS file, tokens signed
/// with the current key.
final class TestIssuer: Sendable {
    enum Scope: Sendable {
        case string(String)
        case array([String])
    }

    struct Claims: JWTPayload {
        var iss: String
        var aud: [String]
        var sub: String
        var scope: ScopeValue?
        var exp: Int?
        var nbf: Int?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    enum ScopeValue: Codable, Sendable {
        case string(String)
        case array([String])
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) { self = .string(text) } else { self = .array(try container.decode([String].self)) }
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let text): try container.encode(text)
            case .array(let values): try container.encode(values)
            }
        }
    }

    let issuer: String
    let directory: String
    var jwksPath: String { directory + "/jwks.json" }
    private let signers = JWTKeyCollection()
    private let published = Mutex<[JWK]>([])
    private let current = Mutex<String>("k1")

    init(issuer: String = "https://login.example.com/realms/ops") async throws {
        self.issuer = issuer
        directory = NSTemporaryDirectory() + "auditledger-jwt-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try await add(kid: "k1")
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// A new key, published alongside the old ones; returns its kid.
    func rotate() async throws -> String {
        let kid = "k" + UUID().uuidString.prefix(8)
        try await add(kid: kid)
        return kid
    }

    private func add(kid: String) async throws {
        let key = ES256PrivateKey()
        await signers.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        let parameters = try #require(key.publicKey.parameters)
        let jwk = JWK.ecdsa(.es256, identifier: JWKIdentifier(string: kid), x: parameters.x, y: parameters.y, curve: .p256)
        let all = published.withLock { keys in
            keys.append(jwk)
            return keys
        }
        current.withLock { $0 = kid }
        try JSONEncoder().encode(JWKS(keys: all)).write(to: URL(fileURLWithPath: jwksPath))
    }

    var jwksJSON: Data {
        get throws { try JSONEncoder().encode(JWKS(keys: published.withLock { $0 })) }
    }

    func token(
        sub: String, scope: Scope, audience: String = "auditledger", expires: Int? = Int(Date().timeIntervalSince1970) + 600,
        notBefore: Int? = nil, kid: String? = nil
    ) async throws -> String {
        let value: ScopeValue =
            switch scope {
            case .string(let text): .string(text)
            case .array(let values): .array(values)
            }
        let claims = Claims(iss: issuer, aud: [audience], sub: sub, scope: value, exp: expires, nbf: notBefore)
        let signing = kid ?? current.withLock { $0 }
        guard signing != "not-published" else {
            // Signed with a key the JWKS does not list.
            let other = JWTKeyCollection()
            await other.add(ecdsa: ES256PrivateKey(), kid: JWKIdentifier(string: signing))
            return try await other.sign(claims, kid: JWKIdentifier(string: signing))
        }
        return try await signers.sign(claims, kid: JWKIdentifier(string: signing))
    }

    func headers(sub: String, scope: Scope) async throws -> HTTPFields {
        [.authorization: "Bearer " + (try await token(sub: sub, scope: scope))]
    }

    /// Serves the JWKS at a local URL while `body` runs; `body` also gets the count of fetches.
    func serveJWKS(_ body: @Sendable (URL, @escaping @Sendable () -> Int) async throws -> Void) async throws {
        let fetches = Atomic<Int>(0)
        let router = Router()
        router.get("/jwks.json") { _, _ in
            fetches.add(1, ordering: .relaxed)
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try self.jwksJSON)))
        }
        let (port, portSignal) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portSignal.yield(channel.localAddress?.port ?? 0)
                portSignal.finish()
            }, logger: Logger(label: "test.jwks"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            let services = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "test.jwks")))
            group.addTask { try await services.run() }
            var listening = 0
            for await value in port { listening = value }
            try await body(URL(string: "http://127.0.0.1:\(listening)/jwks.json")!, { fetches.load(ordering: .relaxed) })
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }
}
