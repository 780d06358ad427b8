import AuditCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Logs one line per request and counts it: the access log (method, route, path, status,
/// duration, principal; the request id is in every line's metadata), the HTTP metrics, and the
/// seeds' write and query durations (docs/metrics.md). Both are taken when the answer's body
/// has been written, so a streamed export counts whole.
///
/// Runs inside ``RequestIDMiddleware`` and outside ``ProblemMiddleware``: it sees every
/// answer, errors included, and the principal authentication found (``RequestNotes``).
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AuditRequestContext

    let metrics: AuditMetrics
    /// The access log's level; `nil`: no access log.
    let level: Logger.Level?

    /// The methods counted by name; any other is `other`.
    private static let methods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options, .trace, .connect]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            var response = try await next(request, context)
            let status = response.status.code
            let body = response.body
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                do {
                    try await body.write(writer)
                    finish(request, context: context, status: status, started: started)
                } catch {
                    finish(request, context: context, status: status, started: started)
                    throw error
                }
            }
            return response
        } catch {
            // ProblemMiddleware answers every error; whatever still escapes is answered 500 by Hummingbird.
            finish(request, context: context, status: 500, started: started)
            throw error
        }
    }

    private func finish(_ request: Request, context: Context, status: Int, started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let nanoseconds = elapsed.nanoseconds
        // Hummingbird names a path no route takes `NotFound`; every route's template starts with `/`.
        let route = context.endpointPath.flatMap { $0.hasPrefix("/") ? Self.template($0) : nil } ?? "unmatched"
        let method = Self.methods.contains(request.method) ? request.method.rawValue : "other"
        metrics.request(route: route, method: method, status: status, nanoseconds: nanoseconds)
        switch context.notes.metric {
        case .write(let operation):
            metrics.wrote(operation, status: status, nanoseconds: nanoseconds, carriesWorkflowEvents: context.notes.carriesWorkflowEvents)
        case .query(let operation):
            let category = request.uri.queryParameters["event_category"].map(String.init)
            metrics.queried(operation, nanoseconds: nanoseconds, workflow: category.map(AuditMetrics.workflowCategories.contains) ?? false)
        case nil:
            break
        }
        guard let level else { return }
        context.logger.log(
            level: level, "request",
            metadata: [
                "http.method": .string(request.method.rawValue), "http.route": .string(route), "http.path": .string(request.uri.path),
                "http.status": .string(String(status)), "http.duration_ms": .string(Self.milliseconds(nanoseconds)),
                "auth.principal": .string(context.notes.principalName),
            ])
    }

    /// `/api/v1/audit/events/{event_id}` whichever way the router spells a parameter.
    static func template(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }.joined(separator: "/")
    }

    /// `12.345`: milliseconds with three decimals.
    static func milliseconds(_ nanoseconds: Int64) -> String {
        let micros = nanoseconds / 1000
        let fraction = String(micros % 1000)
        return "\(micros / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
