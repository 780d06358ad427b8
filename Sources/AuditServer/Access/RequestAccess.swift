public import AuditCore

/// What authentication found for one request.
public enum RequestAccess: Sendable, Hashable {
    /// Not yet established (before ``AuthenticationMiddleware`` ran).
    case pending
    /// No credentials were presented.
    case anonymous
    /// Credentials were presented and refused.
    case refused(TokenRefusal)
    /// Credentials were presented but could not be checked now (the Kubernetes API did not
    /// answer): `503` with `Retry-After`, never `401`, so that a client keeps its events.
    case unverifiable
    case authenticated(Principal)

    /// The principal, when authenticated.
    public var principal: Principal? {
        if case .authenticated(let principal) = self { principal } else { nil }
    }
}
