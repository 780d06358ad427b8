public import Hummingbird

/// The request context of every AuditLedger route: Hummingbird's core context plus the
/// request id, which is also in the logger's metadata (`request.id`) so every log line has it.
public struct AuditRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `X-Request-ID` as received (when well formed) or generated; echoed on the response.
    public var requestID: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
    }
}
