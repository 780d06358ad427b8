import AuditCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Turns every error a route throws into an RFC 7807 response, and logs it with the request
/// id: client errors at `debug`, server errors at `error` (with the internal cause, which the
/// response never shows).
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AuditRequestContext

    let problems: ProblemResponse
    let metrics: AuditMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let auditError = Self.auditError(from: error)
            let status = ProblemResponse.status(for: auditError.code)
            metrics.refused(auditError.code.slug)
            let metadata: Logger.Metadata = [
                "http.method": "\(request.method)", "http.path": "\(request.uri.path)", "http.status": "\(status.code)",
                "error": "\(auditError)",
            ]
            if status.code >= 500 {
                context.logger.error("request failed", metadata: metadata)
            } else {
                context.logger.debug("request refused", metadata: metadata)
            }
            return problems.response(for: auditError, instance: request.uri.path, requestID: context.requestID)
        }
    }

    static func auditError(from error: any Error) -> AuditError {
        switch error {
        case let error as AuditError:
            return error
        case is NIOTooManyBytesError:
            return AuditError(.payloadTooLarge, detail: "the request body is larger than allowed")
        case let error as HTTPError where error.status == .notFound:
            return AuditError(.notFound, detail: "no such resource")
        case let error as HTTPError where error.status == .methodNotAllowed:
            return AuditError(.malformedRequest, detail: "method not allowed on this resource")
        case let error as any HTTPResponseError where (400..<500).contains(error.status.code):
            return AuditError(.malformedRequest, detail: error.status.reasonPhrase)
        default:
            return AuditError(.internalError, detail: "an internal error occurred; quote the request_id when reporting it", underlying: error)
        }
    }
}
