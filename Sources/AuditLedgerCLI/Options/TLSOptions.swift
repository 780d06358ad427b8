import ArgumentParser
import AuditCore
import AuditServer

/// `serve`'s options for HTTPS and client certificates (``ServerTLS``).
struct TLSOptions: ParsableArguments {
    @Option(
        help: "PEM file of the server's certificate (then its intermediates); serve HTTPS. (env: AUDITLEDGER_TLS_CERT, default: none, plain HTTP)")
    var tlsCert: String?

    @Option(help: "PEM file of the certificate's unencrypted private key. (env: AUDITLEDGER_TLS_KEY, default: none)")
    var tlsKey: String?

    @Option(
        help: """
            PEM file of the CAs client certificates must chain to: connections without one are refused, and a request without \
            Authorization acts as the principal the certificate names (its first URI, DNS or email SAN, else its CN). \
            (env: AUDITLEDGER_TLS_CLIENT_CA, default: none)
            """)
    var tlsClientCA: String?

    @Option(
        name: .customLong("tls-client-scope"),
        help: "A scope principals named by client certificates get (repeat for several). (env: AUDITLEDGER_TLS_CLIENT_SCOPES, default: events:write)")
    var tlsClientScopes: [String] = []

    /// The TLS settings, or `nil` for plain HTTP.
    func serverTLS() throws -> ServerTLS? {
        let certificate = try resolve(tlsCert, env: "AUDITLEDGER_TLS_CERT")
        let key = try resolve(tlsKey, env: "AUDITLEDGER_TLS_KEY")
        let clientCA = try resolve(tlsClientCA, env: "AUDITLEDGER_TLS_CLIENT_CA")
        let scopes = try AuditLedgerCLI.scopes(resolve(list: tlsClientScopes, env: "AUDITLEDGER_TLS_CLIENT_SCOPES"), option: "--tls-client-scope")
        guard let certificate, let key else {
            if certificate != nil || key != nil { throw ValidationError("--tls-cert and --tls-key go together") }
            if clientCA != nil || !scopes.isEmpty { throw ValidationError("--tls-client-ca and --tls-client-scope need --tls-cert and --tls-key") }
            return nil
        }
        if !scopes.isEmpty, clientCA == nil { throw ValidationError("--tls-client-scope needs --tls-client-ca") }
        do {
            return try ServerTLS(
                certificateFile: certificate, keyFile: key, clientCertificateAuthorityFile: clientCA,
                clientScopes: scopes.isEmpty ? [.eventsWrite] : Set(scopes))
        } catch {
            throw ValidationError("TLS: \(error.description)")
        }
    }
}
