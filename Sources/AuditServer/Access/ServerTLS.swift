public import AuditCore
public import NIOSSL

/// HTTPS on the server itself (`serve --tls-cert --tls-key`), and client certificates
/// (`--tls-client-ca`): a connection without a certificate that chains to one of those CAs is
/// refused during the handshake, and a request on it without an `Authorization` header acts as
/// the principal the certificate names (``ClientCertificateIdentity``), with ``clientScopes``.
public struct ServerTLS: Sendable {
    /// The server's certificate, then its intermediates.
    public var certificateChain: [NIOSSLCertificate]
    public var privateKey: NIOSSLPrivateKey
    /// The CAs client certificates must chain to; `nil` (the default): no client certificates.
    public var clientCertificateAuthorities: [NIOSSLCertificate]?
    /// Scopes of a principal named by a client certificate. Default `events:write`.
    public var clientScopes: Set<AccessScope>

    /// Reads the PEM files; the key must belong to the first certificate.
    /// - Throws: ``ServerTLSError`` naming the file that cannot be used.
    public init(
        certificateFile: String, keyFile: String, clientCertificateAuthorityFile: String? = nil, clientScopes: Set<AccessScope> = [.eventsWrite]
    ) throws(ServerTLSError) {
        do {
            certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw ServerTLSError("\(certificateFile) holds no readable PEM certificate")
        }
        guard !certificateChain.isEmpty else { throw ServerTLSError("\(certificateFile) holds no certificate") }
        do {
            privateKey = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw ServerTLSError("\(keyFile) holds no readable unencrypted PEM private key")
        }
        if let file = clientCertificateAuthorityFile {
            let authorities: [NIOSSLCertificate]
            do {
                authorities = try NIOSSLCertificate.fromPEMFile(file)
            } catch {
                throw ServerTLSError("\(file) holds no readable PEM certificate")
            }
            guard !authorities.isEmpty else { throw ServerTLSError("\(file) holds no certificate") }
            clientCertificateAuthorities = authorities
        }
        self.clientScopes = clientScopes
        do {
            _ = try NIOSSLContext(configuration: tlsConfiguration)
        } catch {
            throw ServerTLSError("the key in \(keyFile) does not belong to the certificate in \(certificateFile), or they cannot be used together")
        }
    }

    /// TLS 1.2 or later; with client CAs, a client certificate chaining to one is required.
    public var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificateChain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        if let clientCertificateAuthorities {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(clientCertificateAuthorities)
            configuration.sendCANameList = true
        }
        return configuration
    }

    /// Whether connections carry client certificates.
    public var identifiesClients: Bool { clientCertificateAuthorities != nil }
}

/// A TLS file that cannot be used; `serve` stops with its description.
public struct ServerTLSError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
