import ArgumentParser
import AuditCore
import AuditServer
import Foundation
import Logging

/// `serve`'s authentication options.
struct AccessOptions: ParsableArguments {
    @Option(
        help: """
            Static bearer tokens (made with `auditledger tokens create`); re-read when the file changes. \
            (env: AUDITLEDGER_AUTH_TOKENS, default: none)
            """)
    var authTokens: String?

    @Option(
        name: .customLong("trusted-proxy"),
        help: """
            An address or CIDR block whose X-Auth-Request-User names the caller (repeat for several); from anyone else that header \
            and Impersonate-* are removed. (env: AUDITLEDGER_TRUSTED_PROXIES, comma-separated, default: none)
            """)
    var trustedProxies: [String] = []

    @Option(
        name: .customLong("proxy-scope"),
        help: "A scope callers named by a trusted proxy get (repeat for several). (env: AUDITLEDGER_PROXY_SCOPES, default: events:read)")
    var proxyScopes: [String] = []

    @OptionGroup var kubernetes: KubernetesOptions

    @OptionGroup var jwt: JWTOptions

    @Flag(
        help: """
            Serve without authentication on a non-loopback address: anyone who reaches the port may write, read and place holds. \
            (env: AUDITLEDGER_INSECURE_NO_AUTH=true)
            """)
    var insecureNoAuth = false

    @Option(
        name: .customLong("cors-origin"),
        help: """
            A browser origin allowed to call the API cross-origin, e.g. https://console.example.com (repeat for several); \
            requests from any other origin are refused. (env: AUDITLEDGER_CORS_ORIGINS, comma-separated, default: none)
            """)
    var corsOrigins: [String] = []

    @Flag(
        help: """
            Keep the actor_type and actor_id a person's request sends (by default a human principal's events are recorded as \
            actor_type user, actor_id the principal). (env: AUDITLEDGER_KEEP_HUMAN_ACTOR=true)
            """)
    var keepHumanActor = false

    @Flag(
        help: """
            Record the server's own audit events (holds placed and released, refused credentials counted per minute, token file \
            changes, retention's removals) in category security; off by default, as Kubernaut's strict clients cannot decode their event_data. \
            (env: AUDITLEDGER_SELF_AUDIT=true)
            """)
    var selfAudit = false

    @Flag(
        help: """
            Serve /metrics without credentials even beyond loopback with authentication on (otherwise it needs the admin scope). \
            (env: AUDITLEDGER_OPEN_METRICS=true)
            """)
    var openMetrics = false

    /// The configuration for a server listening on `host` (with `identifiesClients` when client
    /// certificates authenticate, see ``TLSOptions``), and the Kubernetes settings (the
    /// caller makes the ``AuditServer/KubernetesAuthenticator`` from them when it starts).
    /// - Throws: `ValidationError` for a bad address or scope, and when `host` is not loopback,
    ///   no method is configured and `--insecure-no-auth` is not given.
    func configuration(
        host: String, identifiesClients: Bool = false, logger: Logger
    ) throws -> (access: AccessConfiguration, kubernetes: KubernetesAccessConfiguration?, jwt: JWTAccessConfiguration?) {
        let tokens = try resolve(authTokens, env: "AUDITLEDGER_AUTH_TOKENS")
        let proxyTexts = resolve(list: trustedProxies, env: "AUDITLEDGER_TRUSTED_PROXIES")
        let proxies = try proxyTexts.map { text in
            guard let block = AddressBlock(text) else { throw ValidationError("--trusted-proxy \(text) is not an IP address or CIDR block") }
            return block
        }
        let scopes = try AuditLedgerCLI.scopes(resolve(list: proxyScopes, env: "AUDITLEDGER_PROXY_SCOPES"), option: "--proxy-scope")
        var source: TokenFileSource?
        if let tokens {
            do {
                source = try TokenFileSource(path: tokens, logger: logger)
            } catch {
                throw ValidationError("--auth-tokens: \(error.detail)\(error.fieldErrors.map { " (\($0.field): \($0.message))" }.joined())")
            }
        }
        var configuration = AccessConfiguration(tokens: source, trustedProxies: proxies)
        let kubernetes = try kubernetes.configuration(logger: logger)
        let jwt = try jwt.configuration()
        let authenticates = configuration.authenticates || kubernetes != nil || jwt != nil || identifiesClients
        let origins = resolve(list: corsOrigins, env: "AUDITLEDGER_CORS_ORIGINS")
        for origin in origins where !(origin.hasPrefix("https://") || origin.hasPrefix("http://")) || origin.hasSuffix("/") || origin == "*" {
            throw ValidationError("--cors-origin \(origin) must be an origin such as https://console.example.com (scheme and host, no path)")
        }
        configuration.allowedOrigins = Set(origins)
        configuration.attributesHumanWrites = !(try resolve(keepHumanActor ? true : nil, env: "AUDITLEDGER_KEEP_HUMAN_ACTOR", default: false))
        if !scopes.isEmpty { configuration.proxyScopes = Set(scopes) }
        let loopback = Self.isLoopback(host)
        if !authenticates, !loopback, !(try resolve(insecureNoAuth ? true : nil, env: "AUDITLEDGER_INSECURE_NO_AUTH", default: false)) {
            throw ValidationError(
                """
                serving on \(host) without authentication would let anyone who reaches the port write, read and place holds: \
                give --auth-tokens FILE, --kubernetes-auth, --jwt-issuer URL, --tls-client-ca FILE or --trusted-proxy ADDRESS, listen on 127.0.0.1, or pass --insecure-no-auth
                """)
        }
        let metricsOpened = try resolve(openMetrics ? true : nil, env: "AUDITLEDGER_OPEN_METRICS", default: false)
        configuration.metricsOpen = loopback || !authenticates || metricsOpened
        return (configuration, kubernetes, jwt)
    }

    /// `127.0.0.0/8`, `::1` and `localhost`: only this machine can connect.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" { return true }
        return AddressBlock("127.0.0.0/8")!.contains(host) || AddressBlock("::1")!.contains(host)
    }
}
