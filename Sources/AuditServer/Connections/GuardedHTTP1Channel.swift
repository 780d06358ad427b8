import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 child channel with a ``ConnectionGuard`` in every connection's
/// pipeline (after the HTTP codec) and, with client certificates, a ``ClientCertificateIdentity``;
/// built by ``HTTPServerBuilder/guardedHTTP1(limits:problems:tls:logger:)``.
struct GuardedHTTP1Channel: ServerChildChannel {
    let responder: HTTPChannelHandler.Responder
    let limits: ConnectionLimits
    let problems: ProblemResponse
    let identifiesClients: Bool
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        let (limits, problems, guardLogger, identifiesClients) = (self.limits, self.problems, self.logger, self.identifiesClients)
        let inner = HTTP1Channel(
            responder: responder,
            configuration: .init(
                additionalChannelHandlers: [ConnectionGuard(limits: limits, problems: problems, logger: guardLogger)]
                    + (identifiesClients ? [ClientCertificateIdentity()] : []))
        )
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await HTTP1Channel(responder: responder).handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// An HTTP/1.1 server whose connections are kept within `limits` (see ``ConnectionGuard``),
    /// over TLS when `tls` is given (its configuration was checked when ``ServerTLS`` was made).
    static func guardedHTTP1(limits: ConnectionLimits, problems: ProblemResponse, tls: ServerTLS?, logger: Logger) -> HTTPServerBuilder {
        .init { responder in
            let plain = GuardedHTTP1Channel(
                responder: responder, limits: limits, problems: problems, identifiesClients: tls?.identifiesClients == true, logger: logger)
            guard let tls else { return plain }
            return try TLSChannel(plain, tlsConfiguration: tls.tlsConfiguration)
        }
    }
}
