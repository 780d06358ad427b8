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

        func on(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
            methods.on(RouterPath(path), method: method, use: handler)
            registry.record(method, prefix + (path.isEmpty ? "" : "/" + path))
        }

        func get(_ path: String, _ handler: @escaping Handler) { on(.get, path, handler) }
        func post(_ path: String, _ handler: @escaping Handler) { on(.post, path, handler) }
        func delete(_ path: String, _ handler: @escaping Handler) { on(.delete, path, handler) }
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
