import Crypto
import Foundation
import SwiftASN1
public import X509

/// A certificate authority made for one test, and certificates it signs (P-256, valid from an
/// hour ago for a day), written as PEM files into a directory.
public struct TestCertificateAuthority: Sendable {
    public let name: String
    let key: P256.Signing.PrivateKey
    public let certificate: Certificate

    public init(name: String) throws {
        self.name = name
        key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName(name) }
        certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: Date().addingTimeInterval(-3600),
            notValidAfter: Date().addingTimeInterval(86_400), issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(key))
    }

    /// A leaf certificate for `commonName` with `alternativeNames`, for a server or a client.
    public func issue(commonName: String, alternativeNames: [GeneralName] = [], server: Bool = false) throws -> TestCertificate {
        let leafKey = P256.Signing.PrivateKey()
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(leafKey.publicKey), notValidBefore: Date().addingTimeInterval(-3600),
            notValidAfter: Date().addingTimeInterval(86_400), issuer: certificate.subject, subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([server ? .serverAuth : .clientAuth])
                if !alternativeNames.isEmpty { SubjectAlternativeNames(alternativeNames) }
            },
            issuerPrivateKey: .init(key))
        return TestCertificate(certificate: leaf, key: leafKey)
    }

    /// A server certificate for `hostnames` (DNS subject alternative names).
    public func issueServer(hostnames: [String]) throws -> TestCertificate {
        try issue(commonName: hostnames.first ?? "localhost", alternativeNames: hostnames.map { .dnsName($0) }, server: true)
    }

    /// The authority's certificate as PEM.
    public var pem: String {
        get throws { try certificate.serializeAsPEM().pemString }
    }
}

/// A leaf certificate and its key.
public struct TestCertificate: Sendable {
    public let certificate: Certificate
    let key: P256.Signing.PrivateKey

    public var certificatePEM: String {
        get throws { try certificate.serializeAsPEM().pemString }
    }

    /// The key in PKCS #8 PEM.
    public var keyPEM: String { key.pemRepresentation }

    /// Writes `name.crt` and `name.key` into `directory`; returns their paths.
    public func write(to directory: String, name: String) throws -> (certificate: String, key: String) {
        let paths = (directory + "/\(name).crt", directory + "/\(name).key")
        try Data(try certificatePEM.utf8).write(to: URL(fileURLWithPath: paths.0))
        try Data(keyPEM.utf8).write(to: URL(fileURLWithPath: paths.1))
        return paths
    }
}
