public import AuditCore
public import Hummingbird
import NIOCore
import Synchronization

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
    public var access: RequestAccess {
        didSet { notes.access.withLock { $0 = access } }
    }
    /// What inner middleware and routes learnt, for the outer middleware that logs and counts
    /// the request: every copy of the context shares it.
    let notes = RequestNotes()

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

/// What a request's inner layers learnt about it, shared by every copy of its context: who
/// made it (set with ``AuditRequestContext/access``), and whether a write carried workflow events.
final class RequestNotes: Sendable {
    let access = Mutex<RequestAccess>(.pending)
    private let workflowEvents = Atomic<Bool>(false)
    private let route = Mutex<RequestMetric?>(nil)

    /// What the route the request reached counts it as (set when the route is registered with one).
    var metric: RequestMetric? {
        get { route.withLock { $0 } }
        set { route.withLock { $0 = newValue } }
    }

    /// Whether the write request carried events of the workflow categories (the
    /// `workflow_audit_*` metrics count it).
    var carriesWorkflowEvents: Bool {
        get { workflowEvents.load(ordering: .relaxed) }
        set { workflowEvents.store(newValue, ordering: .relaxed) }
    }

    /// The principal's name for the access log; `-` before authentication, `anonymous`,
    /// `refused` or `unverifiable` without a principal.
    var principalName: String {
        switch access.withLock({ $0 }) {
        case .authenticated(let principal): principal.name
        case .anonymous: "anonymous"
        case .refused: "refused"
        case .unverifiable: "unverifiable"
        case .pending: "-"
        }
    }
}

/// What a route's requests count as in the seeds' metrics: a write of the single or the batch
/// API, or a read named as `audit_query_duration_seconds{operation}` names it.
enum RequestMetric: Sendable, Hashable {
    case write(AuditMetrics.WriteOperation)
    case query(String)
}
