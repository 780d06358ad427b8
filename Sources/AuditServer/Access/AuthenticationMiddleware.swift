import AuditCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Establishes who makes each request and puts it in ``AuditRequestContext/principal``, before
/// any route runs. It never refuses a request itself: a route that needs a scope refuses one
/// without it (``RouteRegistry``), so `/health/*` stays open whatever is sent.
///
/// In order: headers only a trusted proxy may set (`X-Auth-Request-*`, `Impersonate-*`) are
/// removed unless the connection comes from a ``AccessConfiguration/trustedProxies`` address;
/// a bearer token is checked against the token file (tokens of its form, `alt_…`), as a JWT of
/// the configured OIDC issuer (a JWT whose `iss` is that issuer), or by the Kubernetes API
/// (every other bearer token), as configured; then a client certificate; otherwise a trusted proxy's
/// `X-Auth-Request-User` names the caller. With no method configured every request acts as
/// ``AuditCore/Principal/unauthenticated``.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AuditRequestContext

    let configuration: AccessConfiguration
    /// Scopes of a principal named by a client certificate; `nil` when the server takes none
    /// (then the header ``ClientCertificateIdentity/header`` is removed like any other).
    let clientCertificateScopes: Set<AccessScope>?
    /// Counts refused credentials for the server's own audit events.
    let trail: ServerAuditTrail?
    let clock: @Sendable () -> AuditTimestamp

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        var context = context
        let certificateName = clientCertificateScopes != nil ? request.headers[ClientCertificateIdentity.header] : nil
        guard configuration.authenticates || clientCertificateScopes != nil else {
            context.access = .authenticated(.unauthenticated)
            request = Self.removingProxyHeaders(request)
            return try await next(request, context)
        }
        let fromProxy = context.remoteAddress.map { address in configuration.trustedProxies.contains { $0.contains(address) } } ?? false
        let proxyUser = fromProxy ? request.headers[Self.proxyUser] : nil
        request = Self.removingProxyHeaders(request)
        context.access = await authenticate(request, proxyUser: proxyUser, certificateName: certificateName, context: context)
        if case .refused(let reason) = context.access { trail?.refused(reason, address: context.remoteAddress) }
        return try await next(request, context)
    }

    private func authenticate(_ request: Request, proxyUser: String?, certificateName: String?, context: Context) async -> RequestAccess {
        let authorizations = request.headers[values: .authorization]
        if authorizations.count > 1 { return .refused(.malformed) }
        if let authorization = authorizations.first {
            let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return .refused(.malformed) }
            let token = parts[1].trimmingCharacters(in: .whitespaces)
            if let jwt = configuration.jwt, jwt.isIssued(token) {
                return await jwt.authenticate(token, logger: context.logger).access
            }
            if let kubernetes = configuration.kubernetes, configuration.tokens == nil || !token.hasPrefix(AccessToken.prefix) {
                return await kubernetes.authenticate(token, logger: context.logger).access
            }
            guard let tokens = configuration.tokens else { return .refused(.unknown) }
            switch tokens.current().check(token, at: clock()) {
            case .accepted(let principal): return .authenticated(principal)
            case .refused(let reason):
                context.logger.info("bearer token refused", metadata: ["audit.auth.refusal": "\(reason.rawValue)"])
                return .refused(reason)
            }
        }
        if let certificateName, let scopes = clientCertificateScopes {
            return .authenticated(Principal(name: certificateName, kind: .service, scopes: scopes, method: .certificate))
        }
        if let proxyUser {
            if let problem = Principal.problem(withName: proxyUser) {
                context.logger.info("trusted proxy sent an unusable X-Auth-Request-User", metadata: ["audit.auth.problem": "\(problem)"])
                return .refused(.malformed)
            }
            return .authenticated(Principal(name: proxyUser, kind: .human, scopes: configuration.proxyScopes, method: .proxy))
        }
        return .anonymous
    }

    static let proxyUser = HTTPField.Name("X-Auth-Request-User")!

    /// `request` without `X-Auth-Request-*` (oauth2-proxy's identity headers), `Impersonate-*`
    /// (Kubernetes') and ``ClientCertificateIdentity/header``; unchanged (not copied) when it
    /// has none.
    static func removingProxyHeaders(_ request: Request) -> Request {
        let names = Set(
            request.headers.map(\.name).filter { name in
                let lowered = name.canonicalName
                return lowered.hasPrefix("x-auth-request-") || lowered.hasPrefix("impersonate-")
                    || name == ClientCertificateIdentity.header
            })
        guard !names.isEmpty else { return request }
        var head = request.head
        for name in names { head.headerFields[values: name] = [] }
        return Request(head: head, body: request.body)
    }
}
