import ArgumentParser
import AuditServer
import Foundation
import Logging

/// `serve`'s options for authentication by the Kubernetes API (``KubernetesAccessConfiguration``).
struct KubernetesOptions: ParsableArguments {
    @Flag(
        help: """
            Check every bearer token that is not a static one with a Kubernetes TokenReview, and its scopes with \
            SubjectAccessReviews (see docs/security.md). (env: AUDITLEDGER_KUBERNETES_AUTH=true)
            """)
    var kubernetesAuth = false

    @Option(
        help: """
            The Kubernetes API server. (env: AUDITLEDGER_KUBERNETES_API, default: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, \
            as inside a pod)
            """)
    var kubernetesAPI: String?

    @Option(
        help: """
            PEM file of the CAs the API server's certificate must chain to; "system" for the system's roots. \
            (env: AUDITLEDGER_KUBERNETES_CA, default: \(KubernetesAccessConfiguration.serviceAccountDirectory)/ca.crt)
            """)
    var kubernetesCA: String?

    @Option(
        help: """
            File holding this server's own token for the reviews, re-read once a minute. \
            (env: AUDITLEDGER_KUBERNETES_TOKEN_FILE, default: \(KubernetesAccessConfiguration.serviceAccountDirectory)/token)
            """)
    var kubernetesTokenFile: String?

    @Option(help: "The audience client tokens must be issued for. (env: AUDITLEDGER_KUBERNETES_AUDIENCE, default: the API server's)")
    var kubernetesAudience: String?

    @Option(
        help: """
            Namespace, resource and name the access reviews ask about. (env: AUDITLEDGER_KUBERNETES_RESOURCE, as namespace/resource/name; \
            default: kubernaut-system/services/data-storage-service, Kubernaut's)
            """)
    var kubernetesResource: String?

    @Option(help: "Seconds an answer of the API server is reused for the same token. (env: AUDITLEDGER_KUBERNETES_CACHE_SECONDS, default: 30)")
    var kubernetesCacheSeconds: Double?

    /// The configuration, or `nil` without `--kubernetes-auth`. The CA file is read here, so
    /// that a wrong one stops `serve` before it starts; the reviewer (and its connections) is
    /// made by `serve` once every option is checked.
    func configuration(logger: Logger) throws -> KubernetesAccessConfiguration? {
        guard try resolve(kubernetesAuth ? true : nil, env: "AUDITLEDGER_KUBERNETES_AUTH", default: false) else { return nil }
        let server: URL
        if let text = try resolve(kubernetesAPI, env: "AUDITLEDGER_KUBERNETES_API") {
            guard let url = URL(string: text), url.scheme == "https" || url.scheme == "http", url.host != nil, url.query == nil else {
                throw ValidationError("--kubernetes-api \(text) is not an http(s) URL such as https://kubernetes.default.svc")
            }
            server = url
        } else if let inCluster = KubernetesAccessConfiguration.inClusterAPIServer(environment: CommandEnvironment.variables) {
            server = inCluster
        } else {
            throw ValidationError("--kubernetes-auth needs --kubernetes-api outside a pod (KUBERNETES_SERVICE_HOST is not set)")
        }
        var configuration = KubernetesAccessConfiguration(apiServer: server)
        if let ca = try resolve(kubernetesCA, env: "AUDITLEDGER_KUBERNETES_CA") {
            configuration.certificateAuthorityFile = ca == "system" ? nil : ca
        }
        if let file = try resolve(kubernetesTokenFile, env: "AUDITLEDGER_KUBERNETES_TOKEN_FILE") { configuration.tokenFile = file }
        configuration.audience = try resolve(kubernetesAudience, env: "AUDITLEDGER_KUBERNETES_AUDIENCE")
        if let text = try resolve(kubernetesResource, env: "AUDITLEDGER_KUBERNETES_RESOURCE") {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else {
                throw ValidationError(
                    "--kubernetes-resource \(text) must be namespace/resource/name, e.g. kubernaut-system/services/data-storage-service")
            }
            (configuration.namespace, configuration.resource, configuration.resourceName) = (parts[0], parts[1], parts[2])
        }
        let cache = try resolve(kubernetesCacheSeconds, env: "AUDITLEDGER_KUBERNETES_CACHE_SECONDS", default: 30)
        guard cache >= 0, cache <= 3600 else { throw ValidationError("--kubernetes-cache-seconds must be between 0 and 3600") }
        configuration.cacheSeconds = cache
        if server.scheme == "http" {
            logger.warning(
                "the Kubernetes API is reached without TLS: tokens cross the network in clear", metadata: ["audit.kubernetes.api": "\(server)"])
        }
        do {
            try KubernetesReviewer.check(configuration)
        } catch {
            throw ValidationError("--kubernetes-ca: \(error.description)")
        }
        return configuration
    }
}
