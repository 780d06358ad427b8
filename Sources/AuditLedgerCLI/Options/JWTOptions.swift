import ArgumentParser
import AuditCore
import AuditServer
import Foundation

/// `serve`'s options for OIDC/JWT bearer tokens (``JWTAccessConfiguration``).
struct JWTOptions: ParsableArguments {
    @Option(
        help: """
            Verify bearer tokens that are JWTs with this iss (an OIDC issuer, e.g. https://login.example.com/realms/ops) with its keys. \
            (env: AUDITLEDGER_JWT_ISSUER, default: none)
            """)
    var jwtIssuer: String?

    @Option(help: "A value the tokens' aud must include; required with --jwt-issuer. (env: AUDITLEDGER_JWT_AUDIENCE, default: none)")
    var jwtAudience: String?

    @Option(
        name: .customLong("jwt-jwks-file"),
        help: "The issuer's keys as a JWKS file, read again when it changes. (env: AUDITLEDGER_JWT_JWKS_FILE, default: none)")
    var jwtJWKSFile: String?

    @Option(
        name: .customLong("jwt-jwks-url"),
        help: """
            The issuer's keys as a JWKS URL (its jwks_uri), fetched every 10 minutes and when a token names an unknown key. \
            (env: AUDITLEDGER_JWT_JWKS_URL, default: none)
            """)
    var jwtJWKSURL: String?

    @Option(help: "The claim naming the principal. (env: AUDITLEDGER_JWT_PRINCIPAL_CLAIM, default: sub)")
    var jwtPrincipalClaim: String?

    @Option(
        help: """
            The claim holding scope names (a space-separated string or an array), e.g. scope or roles. \
            (env: AUDITLEDGER_JWT_SCOPE_CLAIM, default: scope)
            """)
    var jwtScopeClaim: String?

    @Option(help: "Whether the tokens name people (human) or services (service). (env: AUDITLEDGER_JWT_KIND, default: human)")
    var jwtKind: String?

    /// The configuration, or `nil` without `--jwt-issuer`; `serve` reads the keys when it starts.
    func configuration() throws -> JWTAccessConfiguration? {
        guard let issuer = try resolve(jwtIssuer, env: "AUDITLEDGER_JWT_ISSUER") else {
            for (name, value) in [("--jwt-audience", jwtAudience), ("--jwt-jwks-file", jwtJWKSFile), ("--jwt-jwks-url", jwtJWKSURL)]
            where value != nil {
                throw ValidationError("\(name) needs --jwt-issuer")
            }
            return nil
        }
        guard let audience = try resolve(jwtAudience, env: "AUDITLEDGER_JWT_AUDIENCE"), !audience.isEmpty else {
            throw ValidationError("--jwt-issuer needs --jwt-audience: a token for another service must not be taken")
        }
        let file = try resolve(jwtJWKSFile, env: "AUDITLEDGER_JWT_JWKS_FILE")
        let url = try resolve(jwtJWKSURL, env: "AUDITLEDGER_JWT_JWKS_URL")
        let keys: JWTAccessConfiguration.KeySource
        switch (file, url) {
        case (let file?, nil): keys = .file(file)
        case (nil, let text?):
            guard let url = URL(string: text), url.scheme == "https" || url.scheme == "http", url.host != nil else {
                throw ValidationError("--jwt-jwks-url \(text) is not an http(s) URL")
            }
            keys = .url(url)
        default: throw ValidationError("--jwt-issuer needs exactly one of --jwt-jwks-file and --jwt-jwks-url")
        }
        var configuration = JWTAccessConfiguration(issuer: issuer, audience: audience, keys: keys)
        if let claim = try resolve(jwtPrincipalClaim, env: "AUDITLEDGER_JWT_PRINCIPAL_CLAIM") { configuration.principalClaim = claim }
        if let claim = try resolve(jwtScopeClaim, env: "AUDITLEDGER_JWT_SCOPE_CLAIM") { configuration.scopeClaim = claim }
        if let kind = try resolve(jwtKind, env: "AUDITLEDGER_JWT_KIND") {
            guard let parsed = Principal.Kind(rawValue: kind) else { throw ValidationError("--jwt-kind must be human or service, not \(kind)") }
            configuration.kind = parsed
        }
        return configuration
    }
}
