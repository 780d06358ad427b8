public import AuditCore

/// What a bearer-token method that asks someone else (the Kubernetes API, an OIDC issuer's
/// keys) found for one token.
public enum BearerVerdict: Sendable, Hashable {
    case accepted(Principal)
    case refused(TokenRefusal)
    /// The token could not be checked now (the API server or the issuer's keys could not be
    /// read): the request gets `503` with `Retry-After`, never `401`, so a client keeps its events.
    case unverifiable

    /// The request's access under this verdict.
    var access: RequestAccess {
        switch self {
        case .accepted(let principal): .authenticated(principal)
        case .refused(let reason): .refused(reason)
        case .unverifiable: .unverifiable
        }
    }
}
