public import AuditCore
public import Hummingbird
import NIOCore

/// The request context of every AuditLedger route: Hummingbird's core context, the request id
/// (also in the logger's metadata as `request.id`, so every log line has it), the peer's
/// address and what authentication found (``access``, set by ``AuthenticationMiddleware``).
public struct AuditRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `X-Request-ID` as received (when well formed) or generated; echoed on the response.
    public var requestID: String
    /// The peer's IP address as text, `nil` when the connection has none (a Unix socket, tests).
    public let remoteAddress: String?
    /// Who makes the request. ``RequestAccess/pending`` until authentication ran.
    public var access: RequestAccess

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
        self.access = .pending
    }

    /// The authenticated principal; routes that reach a handler have one (``RouteRegistry``
    /// refuses the request otherwise).
    public var principal: Principal {
        access.principal ?? Principal(name: "anonymous", kind: .service, scopes: [], method: .none)
    }
}
