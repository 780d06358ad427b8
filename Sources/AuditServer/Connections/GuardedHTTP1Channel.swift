import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 child channel with a ``ConnectionGuard`` in every connection's
/// pipeline (after the HTTP codec), built by ``HTTPServerBuilder/guardedHTTP1(limits:problems:logger:)``.
struct GuardedHTTP1Channel: ServerChildChannel {
    let responder: HTTPChannelHandler.Responder
    let limits: ConnectionLimits
    let problems: ProblemResponse
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        let (limits, problems, guardLogger) = (self.limits, self.problems, self.logger)
        let inner = HTTP1Channel(
            responder: responder,
            configuration: .init(additionalChannelHandlers: [ConnectionGuard(limits: limits, problems: problems, logger: guardLogger)])
        )
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await HTTP1Channel(responder: responder).handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// An HTTP/1.1 server whose connections are kept within `limits` (see ``ConnectionGuard``).
    static func guardedHTTP1(limits: ConnectionLimits, problems: ProblemResponse, logger: Logger) -> HTTPServerBuilder {
        .init { responder in
            GuardedHTTP1Channel(responder: responder, limits: limits, problems: problems, logger: logger)
        }
    }
}
