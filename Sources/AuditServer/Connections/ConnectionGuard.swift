import AuditCore
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Keeps each HTTP connection within ``ConnectionLimits`` and answers the HTTP layer's own
/// errors as RFC 7807, where Hummingbird would send an empty `400`.
///
/// It sits after the HTTP codec: it sees request heads, bodies and ends, and the responses
/// written. Waiting for a head, it closes the connection after the idle timeout; reading a
/// body, it answers `408` after the read timeout and closes. A request that does not parse
/// (a bad request line, headers too large) is answered `400` with a problem body when no other
/// request is in flight on the connection; within a body, the parse error goes on to the route,
/// whose problem answer the error middleware writes.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ConnectionLimits
    private let problems: ProblemResponse
    private let logger: Logger
    /// Whether a request is in flight (its head arrived, and it is not both read and answered).
    private var inFlight = false
    /// Whether the request in flight has arrived completely.
    private var requestRead = false
    /// Whether the request in flight has been answered completely.
    private var answered = false
    private var timer: Scheduled<Void>?
    /// When the read timer fires, if it is running.
    private var deadline: NIODeadline?
    /// Whether graceful shutdown has begun.
    private var quiescing = false

    init(limits: ConnectionLimits, problems: ProblemResponse, logger: Logger) {
        self.limits = limits
        self.problems = problems
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { waitForHead(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        waitForHead(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            (inFlight, requestRead, answered) = (true, false, false)
            schedule(context, after: limits.readTimeout) { guardHandler, context in guardHandler.readTimedOut(context) }
        case .body:
            break
        case .end:
            requestRead = true
            if answered {
                finishRequest(context)
            } else {
                timer?.cancel()
                timer = nil
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        guard case .end = unwrapOutboundIn(data), inFlight else { return }
        answered = true
        // Answered before the body was read (413, 415): the rest must still arrive in time.
        if requestRead { finishRequest(context) }
    }

    private func finishRequest(_ context: ChannelHandlerContext) {
        (inFlight, requestRead, answered) = (false, false, false)
        waitForHead(context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, !inFlight else {
            context.fireErrorCaught(error)
            return
        }
        logger.debug("request does not parse; answered 400", metadata: ["error": "\(type(of: error))"])
        answerAndClose(
            context, status: .badRequest, slug: "invalid-request", title: "Invalid Request",
            detail: "the request is not valid HTTP/1.1 (a malformed request line or header, or headers larger than allowed)")
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            quiescing = true
            // A request still arriving gets a short grace, not its whole read timeout.
            if inFlight, !requestRead, let deadline, deadline > .now() + .nanoseconds(limits.shutdownReadGrace.nanoseconds) {
                schedule(context, after: limits.shutdownReadGrace) { guardHandler, context in guardHandler.readTimedOut(context) }
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func waitForHead(_ context: ChannelHandlerContext) {
        schedule(context, after: limits.idleTimeout) { _, context in context.close(promise: nil) }
    }

    private func readTimedOut(_ context: ChannelHandlerContext) {
        guard inFlight, !requestRead else { return }
        guard !answered else {
            context.close(promise: nil)
            return
        }
        logger.debug("request body did not arrive in time; answered 408")
        answerAndClose(
            context, status: .requestTimeout, slug: "request-timeout", title: "Request Timeout",
            detail: "the request did not arrive completely within \(limits.readTimeout)")
    }

    private func schedule(
        _ context: ChannelHandlerContext, after delay: Duration, _ action: @escaping (ConnectionGuard, ChannelHandlerContext) -> Void
    ) {
        timer?.cancel()
        var delay = delay
        if quiescing && inFlight && !requestRead { delay = min(delay, limits.shutdownReadGrace) }
        let when = NIODeadline.now() + .nanoseconds(delay.nanoseconds)
        deadline = when
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: when) { [self] in
            timer = nil
            deadline = nil
            action(self, context)
        }
    }

    private func answerAndClose(_ context: ChannelHandlerContext, status: HTTPResponse.Status, slug: String, title: String, detail: String) {
        timer?.cancel()
        timer = nil
        (inFlight, requestRead, answered) = (true, true, true)
        let body = problems.body(status: status, slug: slug, title: title, detail: detail, instance: nil, requestID: nil)
        var head = HTTPResponse(status: status)
        head.headerFields[.contentType] = "application/problem+json"
        head.headerFields[.contentLength] = String(body.readableBytes)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
