import AuditCore
import HTTPTypes
import Hummingbird

/// Registers routes on a router or route group and remembers every path and the methods it
/// takes, so that the other methods on a known path are answered `405` with `Allow` (instead
/// of `404`), as RFC 9110 asks.
final class RouteRegistry {
    typealias Handler = @Sendable (Request, AuditRequestContext) async throws -> Response

    /// Methods answered `405` on a known path when it does not take them.
    static let otherMethods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace]

    private let router: Router<AuditRequestContext>
    /// Full path → methods, in the order paths were first registered.
    private var methods: [(path: String, methods: [HTTPRequest.Method])] = []

    init(router: Router<AuditRequestContext>) {
        self.router = router
    }

    /// Routes under `prefix` (a Hummingbird route group, so a group's middleware applies to its routes only).
    func group(_ prefix: String) -> Group {
        Group(registry: self, prefix: prefix, methods: router.group(RouterPath(prefix)))
    }

    /// A route group: paths relative to its prefix.
    struct Group {
        fileprivate let registry: RouteRegistry
        let prefix: String
        let methods: RouterGroup<AuditRequestContext>

        /// Registers `handler`; it runs only for a principal with `scope` (`nil`: open to anyone).
        /// `metric` names what the request counts as in the seeds' write and query metrics
        /// (``RequestLogMiddleware``), whatever its answer.
        func on(_ method: HTTPRequest.Method, _ path: String, scope: AccessScope?, metric: RequestMetric? = nil, _ handler: @escaping Handler) {
            let guarded: Handler = { request, context in
                if let metric { context.notes.metric = metric }
                if let scope { try RouteRegistry.authorize(context.access, for: scope) }
                return try await handler(request, context)
            }
            methods.on(RouterPath(path), method: method, use: guarded)
            registry.record(method, prefix + (path.isEmpty ? "" : "/" + path))
        }

        func get(_ path: String, scope: AccessScope?, metric: RequestMetric? = nil, _ handler: @escaping Handler) {
            on(.get, path, scope: scope, metric: metric, handler)
        }
        func post(_ path: String, scope: AccessScope?, metric: RequestMetric? = nil, _ handler: @escaping Handler) {
            on(.post, path, scope: scope, metric: metric, handler)
        }
        func delete(_ path: String, scope: AccessScope?, metric: RequestMetric? = nil, _ handler: @escaping Handler) {
            on(.delete, path, scope: scope, metric: metric, handler)
        }
    }

    /// `401` without valid credentials, `403` without `scope`. The answer names the scope the
    /// route needs and nothing about other principals or the configuration.
    static func authorize(_ access: RequestAccess, for scope: AccessScope) throws(AuditError) {
        switch access {
        case .authenticated(let principal):
            guard principal.has(scope) else {
                throw AuditError(.forbidden, detail: "the caller may not do this: it needs the scope \(scope.rawValue)")
            }
        case .anonymous:
            throw AuditError(.unauthorized, detail: "credentials are required: send Authorization: Bearer <token>")
        case .refused:
            throw AuditError(.unauthorized, detail: "the credentials sent are not valid (unknown, expired, revoked or malformed)")
        case .unverifiable:
            throw AuditError(.unavailable, detail: "the credentials sent cannot be checked now; retry later", retryAfterSeconds: 5)
        case .pending:
            throw AuditError(.internalError, detail: "an internal error occurred; quote the request_id when reporting it")
        }
    }

    fileprivate func record(_ method: HTTPRequest.Method, _ path: String) {
        if let index = methods.firstIndex(where: { $0.path == path }) {
            methods[index].methods.append(method)
        } else {
            methods.append((path, [method]))
        }
    }

    /// Answers every method a known path does not take with `405 Method Not Allowed`, `Allow`
    /// listing the ones it does. Call once every route is registered.
    func answerOtherMethods(problems: ProblemResponse) {
        for (path, allowed) in methods {
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            for method in Self.otherMethods where !allowed.contains(method) {
                router.on(RouterPath(path), method: method) { request, context in
                    var response = problems.response(
                        for: AuditError(.methodNotAllowed, detail: "\(request.method) is not allowed here; this resource takes \(allow)"),
                        instance: request.uri.path, requestID: context.requestID)
                    response.headers[.allow] = allow
                    return response
                }
            }
        }
    }
}
