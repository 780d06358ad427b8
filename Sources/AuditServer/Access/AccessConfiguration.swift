public import AuditCore

/// Who may call the server, and how callers prove who they are. Several methods may be
/// configured at once; with none, the server does not authenticate at all (every request acts
/// as ``AuditCore/Principal/unauthenticated``), which `serve` allows only on a loopback
/// address or with `--insecure-no-auth`.
public struct AccessConfiguration: Sendable {
    /// The static token file (`--auth-tokens`), re-read when it changes. Default `nil`: no
    /// bearer tokens.
    public var tokens: TokenFileSource?
    /// Bearer tokens checked by the Kubernetes API (`--kubernetes-auth`): every bearer token
    /// that is not one of the token file's (`alt_…`) goes there. Default `nil`.
    public var kubernetes: KubernetesAuthenticator?
    /// OIDC/JWT bearer tokens (`--jwt-issuer`): a bearer token that is a JWT of that issuer is
    /// verified with its keys, before the Kubernetes API is asked. Default `nil`.
    public var jwt: JWTAuthenticator?
    /// Addresses whose `X-Auth-Request-User` names the caller (`--trusted-proxy`, an address or
    /// a CIDR block). From any other address that header and every `Impersonate-*` header are
    /// removed before routing. Default empty.
    public var trustedProxies: [AddressBlock]
    /// Scopes of a caller named by a trusted proxy. Default `events:read` only: a proxy-named
    /// person places holds only when `holds:write` is added (`--proxy-scope`).
    public var proxyScopes: Set<AccessScope>
    /// Whether `GET /metrics` needs no credentials. Default `true`; `serve` sets it `false`
    /// when it listens beyond loopback with authentication, unless `--open-metrics` is given.
    /// When `false`, `/metrics` needs the `admin` scope.
    public var metricsOpen: Bool
    /// Browser origins (`https://console.example.com`) whose cross-origin requests are allowed
    /// (``OriginPolicy``). Default empty: every request carrying an `Origin` header is refused.
    public var allowedOrigins: Set<String>
    /// Whether events written by a human principal get `actor_type` `user` and `actor_id` the
    /// principal's name (Kubernaut's rule), replacing what the request said. Default `true`.
    public var attributesHumanWrites: Bool

    /// Creates a configuration; every parameter defaults to the value documented on its property.
    public init(
        tokens: TokenFileSource? = nil, kubernetes: KubernetesAuthenticator? = nil, jwt: JWTAuthenticator? = nil, trustedProxies: [AddressBlock] = [],
        proxyScopes: Set<AccessScope> = [.eventsRead], metricsOpen: Bool = true,
        allowedOrigins: Set<String> = [], attributesHumanWrites: Bool = true
    ) {
        self.attributesHumanWrites = attributesHumanWrites
        self.allowedOrigins = allowedOrigins
        self.tokens = tokens
        self.kubernetes = kubernetes
        self.jwt = jwt
        self.trustedProxies = trustedProxies
        self.proxyScopes = proxyScopes
        self.metricsOpen = metricsOpen
    }

    /// Whether any authentication method is configured.
    public var authenticates: Bool { tokens != nil || kubernetes != nil || jwt != nil || !trustedProxies.isEmpty }
}
