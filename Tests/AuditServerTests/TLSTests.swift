import AsyncHTTPClient
import AuditCore
import AuditServer
import AuditTesting
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL
import Testing
import X509

/// HTTPS on the server itself and client certificates, over real TLS connections on loopback
/// with a certificate authority made for each test.
@Suite struct TLSTests {
    @Test("HTTPS: the API answers over TLS; plain HTTP to the same port gets no answer")
    func https() async throws {
        try await withTLSApp(clientCertificates: false) { port, tls in
            let live = try await tls.request(port: port, "/health/live")
            #expect(live.status == 200)
            await #expect(throws: (any Error).self) {
                try await HTTPClient.withHTTPClient { http in
                    _ = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/live"), timeout: .seconds(5))
                }
            }
        }
    }

    @Test(
        "mTLS: a client certificate names the principal (its URI SAN, else its CN) with the configured scopes; without one, or from another CA, the connection is refused"
    )
    func clientCertificates() async throws {
        try await withTLSApp(clientCertificates: true, scopes: [.eventsWrite, .eventsRead, .holdsWrite]) { port, tls in
            let spiffe = "spiffe://cluster.local/ns/kubernaut-system/sa/gateway-sa"
            let withSAN = try tls.authority.issue(commonName: "ignored-cn", alternativeNames: [.uniformResourceIdentifier(spiffe)])
            let withCN = try tls.authority.issue(commonName: "notification-controller")
            #expect(try await tls.placeHold(port: port, "rr-tls-1", as: withSAN) == spiffe)
            #expect(try await tls.placeHold(port: port, "rr-tls-2", as: withCN) == "notification-controller")
            let event = JSONValue.object(EventFactory.request(correlationID: "rr-tls", at: .now()))
            #expect(try await tls.request(port: port, "/api/v1/audit/events", method: .POST, json: event, as: withSAN).status == 201)

            await #expect(throws: (any Error).self, "no client certificate") {
                _ = try await tls.request(port: port, "/health/live")
            }
            let stranger = try TestCertificateAuthority(name: "Another CA").issue(commonName: "intruder")
            await #expect(throws: (any Error).self, "a certificate from another CA") {
                _ = try await tls.request(port: port, "/health/live", as: stranger)
            }
        }
    }

    @Test(
        "A client cannot name itself with the certificate header: its certificate's name wins, and without client certificates the header means nothing"
    )
    func spoofedHeader() async throws {
        try await withTLSApp(clientCertificates: true, scopes: [.eventsWrite, .holdsWrite]) { port, tls in
            let client = try tls.authority.issue(commonName: "gateway-sa")
            #expect(
                try await tls.placeHold(port: port, "rr-spoof", as: client, headers: ["X-AuditLedger-Client-Certificate": "attacker"]) == "gateway-sa"
            )
        }
        let fixture = try AccessFixture()
        defer { fixture.remove() }
        try await withTLSApp(clientCertificates: false, access: try fixture.configuration().access) { port, tls in
            let answer = try await tls.request(
                port: port, "/api/v1/audit/events?limit=1", headers: ["X-AuditLedger-Client-Certificate": "admin@example.com"])
            #expect(answer.status == 401)
        }
    }
}

/// The CA, the directory its files are in, and requests over TLS trusting it.
struct TLSFixture: Sendable {
    let authority: TestCertificateAuthority
    let directory: String

    struct Answer {
        var status: UInt
        var body: String
    }

    /// A request to `path` on `port`, presenting `client`'s certificate when given.
    func request(
        port: Int, _ path: String, method: HTTPMethod = .GET, json: JSONValue? = nil, as client: TestCertificate? = nil,
        headers: [String: String] = [:]
    ) async throws -> Answer {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(try authority.pem.utf8), format: .pem)])
        tls.certificateVerification = .noHostnameVerification
        if let client {
            tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(try client.certificatePEM.utf8), format: .pem))]
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(client.keyPEM.utf8), format: .pem))
        }
        return try await HTTPClient.withHTTPClient(configuration: .init(tlsConfiguration: tls)) { http in
            var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)")
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let json {
                var writer = JSONWriter()
                writer.write(json)
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: writer.bytes))
            }
            let response = try await http.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            return Answer(status: response.status.code, body: String(buffer: body))
        }
    }

    /// Writes an event of `correlationID` and places a hold on it as `client` (which needs
    /// `events:write` and `holds:write`); returns the `placed_by` answered.
    func placeHold(port: Int, _ correlationID: String, as client: TestCertificate, headers: [String: String] = [:]) async throws -> String? {
        let event = JSONValue.object(EventFactory.request(correlationID: correlationID, at: .now()))
        let written = try await request(port: port, "/api/v1/audit/events", method: .POST, json: event, as: client, headers: headers)
        #expect(written.status == 201, "\(written.body)")
        let hold = JSONValue.object(
            JSONObject([.init(key: "correlation_id", value: .string(correlationID)), .init(key: "reason", value: .string("inquiry"))]))
        let answer = try await request(port: port, "/api/v1/audit/legal-hold", method: .POST, json: hold, as: client, headers: headers)
        #expect(answer.status == 200, "\(answer.body)")
        guard case .object(let object) = try JSONParser.parse(Array(answer.body.utf8)) else { return nil }
        return object.string("placed_by")
    }
}

/// Runs the app over TLS on a loopback port, its certificate from a fresh CA; with
/// `clientCertificates`, client certificates from that CA are required and carry `scopes`.
func withTLSApp(
    clientCertificates: Bool, scopes: Set<AccessScope> = [.eventsWrite], access: AccessConfiguration = AccessConfiguration(),
    _ body: @Sendable @escaping (Int, TLSFixture) async throws -> Void
) async throws {
    let directory = NSTemporaryDirectory() + "auditledger-tls-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let authority = try TestCertificateAuthority(name: "AuditLedger test CA")
    try Data(try authority.pem.utf8).write(to: URL(fileURLWithPath: directory + "/ca.crt"))
    let server = try authority.issue(commonName: "localhost", alternativeNames: [.dnsName("localhost")], server: true)
    let files = try server.write(to: directory, name: "server")
    var configuration = AuditServerConfiguration(validation: EventFactory.importPolicy)
    configuration.access = access
    configuration.tls = try ServerTLS(
        certificateFile: files.certificate, keyFile: files.key, clientCertificateAuthorityFile: clientCertificates ? directory + "/ca.crt" : nil,
        clientScopes: scopes)
    let fixture = TLSFixture(authority: authority, directory: directory)
    try await withLiveApp(.sqlite, configuration: configuration) { _, port, _ in try await body(port, fixture) }
}
