public import AuditCore

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Authentication and authorisation by the Kubernetes API, as Kubernaut's Data Storage does
/// it: a `TokenReview` says who sent the bearer token, and a `SubjectAccessReview` per scope
/// says what that identity may do on one resource (by default the `data-storage-service`
/// Service in `kubernaut-system`, so the same RBAC objects that grant Kubernaut's services
/// access to Data Storage grant them access here).
///
/// Scopes and the verbs checked (Kubernaut's mapping for the first three; the others are
/// this server's own, on subresources, so that no Kubernaut role grants them by accident):
///
/// | Scope | Verb | Subresource |
/// | --- | --- | --- |
/// | `events:write` | `create` | |
/// | `events:read` | `get` | |
/// | `holds:write` | `update` | |
/// | `events:read-sensitive` | `get` | `sensitive` |
/// | `events:export` | `get` | `export` |
/// | `admin` | `update` | `admin` |
public struct KubernetesAccessConfiguration: Sendable {
    /// The API server, e.g. `https://kubernetes.default.svc:443`. Default: from
    /// `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT`, as inside a pod.
    public var apiServer: URL
    /// PEM file of the certificate authorities the API server's certificate must chain to.
    /// Default the service account's `ca.crt`; `nil`: the system's roots.
    public var certificateAuthorityFile: String?
    /// File holding this server's own token for the reviews (re-read at most once a minute, as
    /// projected tokens rotate). Default the service account's `token`.
    public var tokenFile: String
    /// When set, the audience every client token must have been issued for (`spec.audiences`
    /// of the `TokenReview`). Default `nil`: the API server's own audiences.
    public var audience: String?
    /// Where the access reviews point. Defaults: namespace `kubernaut-system`, resource
    /// `services`, name `data-storage-service`, API group `""` (core).
    public var namespace: String
    public var resource: String
    public var resourceName: String
    public var resourceGroup: String
    /// How long an answer of the API server is reused for the same token (identity and scopes).
    /// Default 30 s; a refusal is reused for at most 5 s. A revoked binding or a deleted
    /// service account is therefore honoured within this time.
    public var cacheSeconds: Double
    /// Most tokens remembered at once. Default 10 000.
    public var maximumCachedTokens: Int
    /// How long one review may take before the request is answered `503`. Default 5 s.
    public var timeoutSeconds: Double

    /// The service account's mount in a pod.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Creates a configuration; every parameter defaults to the value documented on its property.
    public init(
        apiServer: URL, certificateAuthorityFile: String? = Self.serviceAccountDirectory + "/ca.crt",
        tokenFile: String = Self.serviceAccountDirectory + "/token", audience: String? = nil, namespace: String = "kubernaut-system",
        resource: String = "services", resourceName: String = "data-storage-service", resourceGroup: String = "", cacheSeconds: Double = 30,
        maximumCachedTokens: Int = 10_000, timeoutSeconds: Double = 5
    ) {
        self.apiServer = apiServer
        self.certificateAuthorityFile = certificateAuthorityFile
        self.tokenFile = tokenFile
        self.audience = audience
        self.namespace = namespace
        self.resource = resource
        self.resourceName = resourceName
        self.resourceGroup = resourceGroup
        self.cacheSeconds = cacheSeconds
        self.maximumCachedTokens = maximumCachedTokens
        self.timeoutSeconds = timeoutSeconds
    }

    /// The in-cluster API server address from the environment, or `nil` outside a pod.
    public static func inClusterAPIServer(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else { return nil }
        let port = environment["KUBERNETES_SERVICE_PORT"].flatMap { $0.isEmpty ? nil : $0 } ?? "443"
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return URL(string: "https://\(bracketed):\(port)")
    }

    /// The verb and subresource checked for `scope`.
    public static func check(for scope: AccessScope) -> (verb: String, subresource: String?) {
        switch scope {
        case .eventsWrite: ("create", nil)
        case .eventsRead: ("get", nil)
        case .holdsWrite: ("update", nil)
        case .eventsReadSensitive: ("get", "sensitive")
        case .eventsExport: ("get", "export")
        case .admin: ("update", "admin")
        }
    }
}
