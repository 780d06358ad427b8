import AuditCore
import HTTPTypes
import Hummingbird
import Logging

/// Cross-origin (browser) requests: refused unless their `Origin` is in
/// ``AccessConfiguration/allowedOrigins``. A request without `Origin` (every non-browser
/// client) passes untouched.
///
/// A disallowed origin gets `403` for the preflight and for the request itself, so a page on
/// another site cannot make a logged-in browser write or read (the answer would be hidden from
/// the page anyway; refusing it keeps the request from having any effect). An allowed origin's
/// preflight gets `204` with the methods and headers the API takes, and its requests
/// `Access-Control-Allow-Origin` (never `*`: credentials are involved).
struct OriginPolicy: RouterMiddleware {
    typealias Context = AuditRequestContext

    let allowedOrigins: Set<String>

    static let allowMethods = "GET, POST, DELETE"
    static let allowHeaders = "Authorization, Content-Type, X-Request-ID"
    static let exposeHeaders = "X-Request-ID, Retry-After, WWW-Authenticate"
    static let requestMethod = HTTPField.Name("Access-Control-Request-Method")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        guard allowedOrigins.contains(origin) else {
            context.logger.info("cross-origin request refused", metadata: ["http.origin": "\(origin.prefix(200))"])
            throw AuditError(.forbidden, detail: "cross-origin requests from this origin are not allowed")
        }
        if request.method == .options, request.headers[Self.requestMethod] != nil {
            var headers = HTTPFields()
            headers[.accessControlAllowOrigin] = origin
            headers[.accessControlAllowMethods] = Self.allowMethods
            headers[.accessControlAllowHeaders] = Self.allowHeaders
            headers[.accessControlMaxAge] = "600"
            headers[.vary] = "Origin"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = Self.exposeHeaders
        response.headers[.vary] = "Origin"
        return response
    }
}
