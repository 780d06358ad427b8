import AuditCore
import HTTPTypes
import NIOCore
import NIOHTTPTypes
import NIOSSL
import SwiftASN1
import X509

/// Puts the principal a connection's client certificate names into every request on it, as
/// the header ``header`` — after removing any value of that header the client sent, so that
/// only this handler can set it. ``AuthenticationMiddleware`` reads it and removes it again.
///
/// The name is the certificate's first subject alternative name that is a URI (a SPIFFE id), a
/// DNS name or an email address, in that order of preference, else the subject's common name.
/// A name that could not name a principal (``AuditCore/Principal/problem(withName:)``) is not
/// passed on: such a request acts as one without credentials.
final class ClientCertificateIdentity: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    /// Set by this handler alone.
    static let header = HTTPField.Name("X-AuditLedger-Client-Certificate")!

    /// `nil` until the first request looked it up (the handshake is over by then).
    private var name: String??

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        head.headerFields[values: Self.header] = []
        if name == nil {
            name = .some((try? context.pipeline.syncOperations.nioSSL_peerCertificate()).flatMap { $0.flatMap(Self.principalName) })
        }
        if let name = name ?? nil { head.headerFields[Self.header] = name }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    /// The principal `certificate` names, or `nil` when it names none that can be used.
    static func principalName(of certificate: NIOSSLCertificate) -> String? {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else { return nil }
        let alternatives = (try? parsed.extensions.subjectAlternativeNames).flatMap { $0 }.map(Array.init) ?? []
        var candidates: [String] = []
        for preferred in 0..<3 {
            for name in alternatives {
                switch (preferred, name) {
                case (0, .uniformResourceIdentifier(let value)), (1, .dnsName(let value)), (2, .rfc822Name(let value)): candidates.append(value)
                default: break
                }
            }
        }
        for relative in parsed.subject {
            for attribute in relative where attribute.type == .RDNAttributeType.commonName {
                candidates.append(attribute.value.description)
            }
        }
        guard let first = candidates.first, Principal.problem(withName: first) == nil else { return nil }
        return first
    }
}
