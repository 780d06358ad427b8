public import AuditCore

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// OIDC/JWT bearer tokens (`serve --jwt-issuer --jwt-audience --jwt-jwks-file|--jwt-jwks-url`):
/// a token whose `iss` is ``issuer`` is verified against the issuer's keys (a JWKS), its `aud`
/// must include ``audience``, its `exp` and `nbf` must hold (within ``leewaySeconds``); the
/// principal is the ``principalClaim`` and its scopes the names in the ``scopeClaim``.
public struct JWTAccessConfiguration: Sendable {
    /// Where the issuer's keys come from.
    public enum KeySource: Sendable, Hashable {
        /// A JWKS document on disk, read again when it changes (checked at most every
        /// ``JWTAccessConfiguration/fileCheckSeconds``).
        case file(String)
        /// A JWKS URL (an OIDC provider's `jwks_uri`), fetched on first use, every
        /// ``JWTAccessConfiguration/refreshSeconds``, and when a token names an unknown key
        /// (at most every ``JWTAccessConfiguration/minimumRefetchSeconds``).
        case url(URL)
    }

    /// The `iss` tokens must carry, exactly.
    public var issuer: String
    /// A value `aud` must include.
    public var audience: String
    public var keys: KeySource
    /// The claim naming the principal. Default `sub`.
    public var principalClaim: String
    /// The claim holding scope names: a space-separated string (OAuth 2.0 `scope`) or an array
    /// of strings. Names that are not AuditLedger scopes are ignored. Default `scope`.
    public var scopeClaim: String
    /// Whether principals of these tokens are people (their writes are attributed to them) or
    /// services. Default `.human`: OIDC tokens usually name a person.
    public var kind: Principal.Kind
    /// Clock skew allowed on `exp` and `nbf`. Default 60 s.
    public var leewaySeconds: Int
    /// How often a JWKS URL is fetched again. Default 600 s.
    public var refreshSeconds: Int
    /// Least time between two fetches of a JWKS URL for tokens naming an unknown key (so that
    /// such tokens cannot make the server hammer the issuer). Default 30 s.
    public var minimumRefetchSeconds: Int
    /// How often a JWKS file's modification date is looked at. Default 10 s.
    public var fileCheckSeconds: Int

    /// Creates a configuration; every parameter defaults to the value documented on its property.
    public init(
        issuer: String, audience: String, keys: KeySource, principalClaim: String = "sub", scopeClaim: String = "scope",
        kind: Principal.Kind = .human, leewaySeconds: Int = 60, refreshSeconds: Int = 600, minimumRefetchSeconds: Int = 30,
        fileCheckSeconds: Int = 10
    ) {
        self.minimumRefetchSeconds = minimumRefetchSeconds
        self.fileCheckSeconds = fileCheckSeconds
        self.issuer = issuer
        self.audience = audience
        self.keys = keys
        self.principalClaim = principalClaim
        self.scopeClaim = scopeClaim
        self.kind = kind
        self.leewaySeconds = leewaySeconds
        self.refreshSeconds = refreshSeconds
    }
}
