import AuditCore
import HTTPTypes
import Hummingbird
import NIOCore

/// RFC 7807 `application/problem+json` responses: `{type, title, status, detail, instance,
/// field_errors?, request_id}`. The one place where domain errors become HTTP statuses.
struct ProblemResponse: Sendable {
    let typeBase: String

    static func status(for code: AuditError.Code) -> HTTPResponse.Status {
        switch code {
        case .validation, .malformedRequest, .batchSizeExceeded: .badRequest
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .methodNotAllowed: .methodNotAllowed
        case .requestTimeout: .requestTimeout
        case .refusedByStore: .unprocessableContent
        case .notFound: .notFound
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .rateLimited: .tooManyRequests
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
        case .unsupportedMediaType: "Unsupported Media Type"
        case .methodNotAllowed: "Method Not Allowed"
        case .requestTimeout: "Request Timeout"
        case .refusedByStore: "Refused by the Store"
        case .notFound: "Not Found"
        case .unauthorized: "Unauthorized"
        case .forbidden: "Forbidden"
        case .rateLimited: "Too Many Requests"
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
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfter = error.retryAfterSeconds {
            headers[.retryAfter] = String(retryAfter)
        }
        if error.code == .unauthorized {
            // RFC 6750 §3: how to authenticate.
            headers[.wwwAuthenticate] = #"Bearer realm="auditledger""#
        }
        let body = body(
            status: status, slug: error.code.slug, title: Self.title(for: error.code), detail: error.detail, fieldErrors: error.fieldErrors,
            eventIndex: error.eventIndex, instance: instance, requestID: requestID)
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    /// A problem body for any status, for errors that are not the domain's (the HTTP layer's).
    ///
    /// `event_index` (an AuditLedger extension) is the position in the request's batch of the
    /// event the problem is about, so that a client can set that one aside and send the rest.
    func body(
        status: HTTPResponse.Status, slug: String, title: String, detail: String, fieldErrors: [AuditError.FieldError] = [],
        eventIndex: Int? = nil, instance: String?, requestID: String?
    ) -> ByteBuffer {
        var object = JSONObjectWriter(writer: JSONWriter(capacity: 256))
        object.string("type", typeBase + slug)
        object.string("title", title)
        object.integer("status", Int64(status.code))
        object.string("detail", detail)
        object.optional("instance", instance)
        if !fieldErrors.isEmpty {
            var fields = JSONObject()
            for fieldError in fieldErrors where fields[fieldError.field] == nil {
                fields[fieldError.field] = .string(fieldError.message)
            }
            object.value("field_errors", .object(fields))
        }
        if let eventIndex { object.integer("event_index", Int64(eventIndex)) }
        object.optional("request_id", requestID)
        return ByteBuffer(bytes: object.finish().bytes)
    }
}
