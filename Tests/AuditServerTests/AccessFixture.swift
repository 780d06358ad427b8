import AuditCore
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

/// A token file written for one test, with a token per role, and the server configuration
/// that reads it.
struct AccessFixture: Sendable {
    /// The roles the fixture makes tokens for.
    enum Role: String, CaseIterable, Sendable {
        case writer, otherWriter, reader, sensitiveReader, holder, admin, workflowReader, exporter, auditor, expired, revoked
    }

    /// How the fixture's tokens are checked.
    enum Method: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// A token file (`--auth-tokens`).
        case tokens
        /// The Kubernetes API (a ``KubernetesStandIn``).
        case kubernetes
        /// JWTs of an OIDC issuer (a ``TestIssuer``); the revoked role's token is signed by a key
        /// the issuer does not publish (a JWT cannot be revoked).
        case jwt
        var testDescription: String { rawValue }
    }

    let directory: String
    /// The token file, or (Kubernetes) the file with the reviewer's own token.
    let path: String
    /// The token text for each role.
    let tokens: [Role: String]

    init(now: AuditTimestamp = .now()) throws {
        directory = NSTemporaryDirectory() + "auditledger-access-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/tokens.json"
        var file = TokenFile()
        var tokens: [Role: String] = [:]
        for role in Role.allCases {
            let token = AccessToken.generate()
            tokens[role] = token.text
            var record = TokenRecord(
                id: token.id, secretSHA256: token.secretHash, principal: "\(role.rawValue)@example.com", kind: role == .holder ? .human : .service,
                scopes: Self.scopes(role), readLimits: role == .workflowReader ? ReadLimits(categories: ["workflow"]) : nil,
                created: now.adding(seconds: -3600), expires: role == .expired ? now.adding(seconds: -60) : now.adding(seconds: 86_400))
            if role == .revoked { record.revoked = now.adding(seconds: -30).description }
            file.tokens.append(record)
        }
        try Data(file.encoded()).write(to: URL(fileURLWithPath: path))
        self.tokens = tokens
    }

    /// Kubernetes tokens for every role, registered with `standIn` (service accounts in
    /// `kubernaut-system`, the holder a person; expired and revoked tokens refused by the
    /// TokenReview), and the reviewer's own token in ``path``.
    init(kubernetes standIn: KubernetesStandIn) throws {
        directory = NSTemporaryDirectory() + "auditledger-access-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/reviewer-token"
        try Data((standIn.reviewerToken + "\n").utf8).write(to: URL(fileURLWithPath: path))
        var tokens: [Role: String] = [:]
        for role in Role.allCases {
            let token = "k8s-\(role.rawValue)-" + UUID().uuidString
            tokens[role] = token
            let name = role == .holder ? "\(role.rawValue)@example.com" : "system:serviceaccount:kubernaut-system:\(role.rawValue)"
            let refused = role == .expired || role == .revoked
            standIn.add(token: token, .init(username: name, grants: refused ? nil : KubernetesStandIn.grants(for: Self.scopes(role))))
        }
        self.tokens = tokens
    }

    /// JWTs of `issuer` for every role (people for the holder, services otherwise; the expired
    /// role's expired, the revoked role's signed by an unpublished key).
    init(jwt issuer: TestIssuer) async throws {
        directory = issuer.directory
        path = issuer.jwksPath
        var tokens: [Role: String] = [:]
        let now = Int(Date().timeIntervalSince1970)
        for role in Role.allCases {
            let scope = TestIssuer.Scope.string(Self.scopes(role).map(\.rawValue).joined(separator: " "))
            let name = "\(role.rawValue)@example.com"
            tokens[role] =
                switch role {
                case .expired: try await issuer.token(sub: name, scope: scope, expires: now - 600)
                case .revoked: try await issuer.token(sub: name, scope: scope, kid: "not-published")
                default: try await issuer.token(sub: name, scope: scope)
                }
        }
        self.tokens = tokens
    }

    /// A server configuration that checks tokens with the stand-in at `url`.
    func kubernetesConfiguration(
        url: URL, cacheSeconds: Double = 30, audience: String? = nil, certificateAuthorityFile: String? = nil
    ) throws -> AuditServerConfiguration {
        var configuration = AuditServerConfiguration(validation: EventFactory.importPolicy)
        var kubernetes = KubernetesAccessConfiguration(
            apiServer: url, certificateAuthorityFile: certificateAuthorityFile, tokenFile: path, audience: audience)
        kubernetes.cacheSeconds = cacheSeconds
        let reviewer = try KubernetesReviewer(configuration: kubernetes, logger: Logger(label: "test.kubernetes"))
        configuration.access = AccessConfiguration(kubernetes: KubernetesAuthenticator(reviewer: reviewer), metricsOpen: false)
        return configuration
    }

    static func scopes(_ role: Role) -> [AccessScope] {
        switch role {
        case .writer, .otherWriter: [.eventsWrite]
        case .reader, .workflowReader: [.eventsRead]
        case .sensitiveReader: [.eventsRead, .eventsReadSensitive]
        case .holder: [.holdsWrite, .eventsRead]
        case .admin: [.admin]
        case .exporter: [.eventsRead, .eventsExport]
        case .auditor: [.eventsRead, .eventsReadSensitive, .eventsExport]
        case .expired, .revoked: AccessScope.allCases
        }
    }

    /// `Authorization: Bearer <token of role>`.
    func headers(_ role: Role) -> HTTPFields {
        [.authorization: "Bearer " + tokens[role]!]
    }

    /// A server configuration that authenticates with this file (and trusts `proxies`).
    func configuration(
        proxies: [AddressBlock] = [], proxyScopes: Set<AccessScope> = [.eventsRead], metricsOpen: Bool = false
    ) throws
        -> AuditServerConfiguration
    {
        var configuration = AuditServerConfiguration(validation: EventFactory.importPolicy)
        configuration.access = AccessConfiguration(
            tokens: try TokenFileSource(path: path, logger: Logger(label: "test.tokens")), trustedProxies: proxies, proxyScopes: proxyScopes,
            metricsOpen: metricsOpen)
        return configuration
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs `body` against an app of `kind` that authenticates with a fresh ``AccessFixture``'s
/// tokens (no trusted proxy), checked by `method`, removing the fixture afterwards.
func withAccessApp(
    _ kind: StoreKind, method: AccessFixture.Method = .tokens,
    _ body: @Sendable @escaping (any TestClientProtocol, AccessFixture) async throws -> Void
) async throws {
    switch method {
    case .tokens:
        let fixture = try AccessFixture()
        defer { fixture.remove() }
        try await withApp(kind, configuration: try fixture.configuration()) { client, _ in try await body(client, fixture) }
    case .kubernetes:
        try await withKubernetesApp(kind) { client, fixture, _ in try await body(client, fixture) }
    case .jwt:
        let issuer = try await TestIssuer()
        defer { issuer.remove() }
        let fixture = try await AccessFixture(jwt: issuer)
        var configuration = AuditServerConfiguration(validation: EventFactory.importPolicy)
        let jwt = JWTAccessConfiguration(issuer: issuer.issuer, audience: "auditledger", keys: .file(issuer.jwksPath), kind: .service)
        configuration.access = AccessConfiguration(
            jwt: try await JWTAuthenticator(configuration: jwt, logger: Logger(label: "test.jwt")), metricsOpen: false)
        try await withApp(kind, configuration: configuration) { client, _ in try await body(client, fixture) }
    }
}

/// Runs `body` against an app of `kind` whose bearer tokens are checked by a fresh
/// ``KubernetesStandIn`` (with an ``AccessFixture``'s roles registered in it).
func withKubernetesApp(
    _ kind: StoreKind, cacheSeconds: Double = 30, audience: String? = nil, standInTLS: ServerTLS? = nil, certificateAuthorityFile: String? = nil,
    configure: @Sendable (inout AuditServerConfiguration) throws -> Void = { _ in },
    _ body: @Sendable @escaping (any TestClientProtocol, AccessFixture, KubernetesStandIn) async throws -> Void
) async throws {
    let standIn = KubernetesStandIn()
    let fixture = try AccessFixture(kubernetes: standIn)
    defer { fixture.remove() }
    try await standIn.run(tls: standInTLS) { url in
        var configuration = try fixture.kubernetesConfiguration(
            url: url, cacheSeconds: cacheSeconds, audience: audience, certificateAuthorityFile: certificateAuthorityFile)
        try configure(&configuration)
        let result: Result<Void, any Error>
        do {
            try await withApp(kind, configuration: configuration) { client, _ in try await body(client, fixture, standIn) }
            result = .success(())
        } catch {
            result = .failure(error)
        }
        try await configuration.access.kubernetes?.reviewer.shutdown()
        try result.get()
    }
}
