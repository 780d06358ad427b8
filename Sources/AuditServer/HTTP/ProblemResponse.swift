import AuditCore
import HTTPTypes
import Hummingbird
import NIOCore

/// RFC 7807 `application/problem+json` responses: `{type, title, status, detail, instance,
/// field_errors?, request_id}`. The one place where domain errors become HTTP statuses.
struct ProblemResponse {
    let typeBase: String

    static func status(for code: AuditError.Code) -> HTTPResponse.Status {
        switch code {
        case .validation, .malformedRequest, .batchSizeExceeded: .badRequest
        case .payloadTooLarge: .contentTooLarge
        case .notFound: .notFound
        case .unauthorized: .unauthorized
        case .conflict: .conflict
        case .overloaded, .unavailable, .shuttingDown: .serviceUnavailable
        default: .internalServerError
        }
    }

    static func title(for code: AuditError.Code) -> String {
        switch code {
        case .validation: "Validation Error"
        case .malformedRequest: "Invalid Request"
        case .batchSizeExceeded: "Batch Size Exceeded"
        case .payloadTooLarge: "Payload Too Large"
        case .notFound: "Not Found"
        case .unauthorized: "Unauthorized"
        case .conflict: "Conflict"
        case .overloaded: "Service Overloaded"
        case .unavailable, .shuttingDown: "Service Unavailable"
        default: "Internal Server Error"
        }
    }

    /// The response for `error`. A 5xx body never carries internals: only the error's `detail`,
    /// which the domain writes for clients.
    func response(for error: AuditError, instance: String, requestID: String) -> Response {
        let status = Self.status(for: error.code)
        var object = JSONObjectWriter(writer: JSONWriter(capacity: 256))
        object.string("type", typeBase + error.code.slug)
        object.string("title", Self.title(for: error.code))
        object.integer("status", Int64(status.code))
        object.string("detail", error.detail)
        object.string("instance", instance)
        if !error.fieldErrors.isEmpty {
            var fields = JSONObject()
            for fieldError in error.fieldErrors where fields[fieldError.field] == nil {
                fields[fieldError.field] = .string(fieldError.message)
            }
            object.value("field_errors", .object(fields))
        }
        object.string("request_id", requestID)
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfter = error.retryAfterSeconds {
            headers[.retryAfter] = String(retryAfter)
        }
        let body = ByteBuffer(bytes: object.finish().bytes)
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
