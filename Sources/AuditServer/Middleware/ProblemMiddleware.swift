import AuditCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// Turns every error a route or middleware throws into an RFC 7807 response, and logs it with
/// the request id: client errors at `debug`, server errors at `error` (with the internal cause,
/// which the response never shows). An error that carries its own HTTP status (Hummingbird's
/// `HTTPResponseError`, such as a middleware's 401, 403 or 429) keeps it.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AuditRequestContext

    let problems: ProblemResponse
    let metrics: AuditMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch is ClientDisconnected {
            // Nobody is left to answer; not a fault of the server's.
            metrics.clientDisconnected()
            context.logger.info(
                "the client hung up before its request arrived", metadata: ["http.method": "\(request.method)", "http.path": "\(request.uri.path)"])
            return problems.response(
                for: AuditError(.malformedRequest, detail: "the request body ended before it was complete"), instance: request.uri.path,
                requestID: context.requestID)
        } catch {
            // Headers an HTTP error brings along (`WWW-Authenticate`, `Retry-After`) stay.
            let carried = (error as? any HTTPResponseError).flatMap { try? $0.response(from: request, context: context).headers } ?? [:]
            let response = Self.response(
                for: error, problems: problems, instance: request.uri.path, requestID: context.requestID, carriedHeaders: carried)
            metrics.refused(response.slug)
            var metadata: Logger.Metadata = [
                "http.method": "\(request.method)", "http.path": "\(request.uri.path)", "http.status": "\(response.value.status.code)",
            ]
            if response.value.status.code >= 500 {
                metadata["error"] = "\(response.logged)"
                context.logger.error("request failed", metadata: metadata)
            } else {
                metadata["error"] = "\(response.logged)"
                context.logger.debug("request refused", metadata: metadata)
            }
            return response.value
        }
    }

    /// The problem response for `error`, its problem type, and what to log about it.
    static func response(
        for error: any Error, problems: ProblemResponse, instance: String, requestID: String, carriedHeaders: HTTPFields = [:]
    ) -> (value: Response, slug: String, logged: String) {
        switch error {
        case let error as AuditError:
            return (problems.response(for: error, instance: instance, requestID: requestID), error.code.slug, "\(error)")
        case is NIOTooManyBytesError:
            let error = AuditError(.payloadTooLarge, detail: "the request body is larger than allowed")
            return (problems.response(for: error, instance: instance, requestID: requestID), error.code.slug, "\(error)")
        case is HTTPParserError:
            let error = AuditError(.malformedRequest, detail: "the request is not valid HTTP/1.1")
            return (problems.response(for: error, instance: instance, requestID: requestID), error.code.slug, "\(error)")
        case let error as HTTPError where error.status == .notFound:
            let error = AuditError(.notFound, detail: "no such resource")
            return (problems.response(for: error, instance: instance, requestID: requestID), error.code.slug, "\(error)")
        case let error as any HTTPResponseError where (400..<600).contains(error.status.code):
            // Keep the status the error carries; name the problem after it.
            let status = error.status
            let slug = status.reasonPhrase.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
            let body = problems.body(
                status: status, slug: slug, title: status.reasonPhrase, detail: status.reasonPhrase, instance: instance, requestID: requestID)
            var headers: HTTPFields = [.contentType: "application/problem+json"]
            for field in carriedHeaders where field.name != .contentType && field.name != .contentLength { headers.append(field) }
            return (Response(status: status, headers: headers, body: .init(byteBuffer: body)), slug, "\(status)")
        default:
            let error = AuditError(.internalError, detail: "an internal error occurred; quote the request_id when reporting it", underlying: error)
            return (problems.response(for: error, instance: instance, requestID: requestID), error.code.slug, "\(error)")
        }
    }
}

/// The client closed its connection before the request body arrived.
struct ClientDisconnected: Error {}
