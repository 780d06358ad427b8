import AuditCore
import AuditServer
import AuditTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging

/// A token file written for one test, with a token per role, and the server configuration
/// that reads it.
struct AccessFixture: Sendable {
    /// The roles the fixture makes tokens for.
    enum Role: String, CaseIterable, Sendable {
        case writer, otherWriter, reader, sensitiveReader, holder, admin, workflowReader, expired, revoked
    }

    let directory: String
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

    static func scopes(_ role: Role) -> [AccessScope] {
        switch role {
        case .writer, .otherWriter: [.eventsWrite]
        case .reader, .workflowReader: [.eventsRead]
        case .sensitiveReader: [.eventsRead, .eventsReadSensitive]
        case .holder: [.holdsWrite, .eventsRead]
        case .admin: [.admin]
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
/// tokens (no trusted proxy), removing the fixture afterwards.
func withAccessApp(
    _ kind: StoreKind, _ body: @Sendable @escaping (any TestClientProtocol, AccessFixture) async throws -> Void
) async throws {
    let fixture = try AccessFixture()
    defer { fixture.remove() }
    try await withApp(kind, configuration: try fixture.configuration()) { client, _ in try await body(client, fixture) }
}
