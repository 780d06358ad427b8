/// The one error type of the audit domain.
///
/// ``detail`` and ``fieldErrors`` are written for the client and never carry internals;
/// ``underlying`` is for logs only. Transport layers map ``code`` to their own status codes.
public struct AuditError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case validation = "validation-error"
            case malformedRequest = "invalid-request"
            case batchSizeExceeded = "batch-size-exceeded"
            case payloadTooLarge = "payload-too-large"
            case notFound = "not-found"
            case unauthorized = "unauthorized"
            case conflict = "event-id-conflict"
            case overloaded = "overloaded"
            case unavailable = "service-unavailable"
            case shuttingDown = "shutting-down"
            case internalError = "internal-error"
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// A field breaks a write or query rule (400).
        public static let validation = Code(.validation)
        /// The body is not JSON, or not the JSON shape the endpoint takes (400).
        public static let malformedRequest = Code(.malformedRequest)
        /// A batch holds more events than allowed (400).
        public static let batchSizeExceeded = Code(.batchSizeExceeded)
        /// The body is larger than allowed (413).
        public static let payloadTooLarge = Code(.payloadTooLarge)
        /// No such event or route (404).
        public static let notFound = Code(.notFound)
        /// The request does not say who makes it, where that is required (401).
        public static let unauthorized = Code(.unauthorized)
        /// An `event_id` is already stored for a different event (409).
        public static let conflict = Code(.conflict)
        /// The writer's queue is full; retry later (503).
        public static let overloaded = Code(.overloaded)
        /// The store cannot be reached or failed; nothing was stored (503).
        public static let unavailable = Code(.unavailable)
        /// The server is shutting down and takes no new writes (503).
        public static let shuttingDown = Code(.shuttingDown)
        /// A fault in AuditLedger itself (500).
        public static let internalError = Code(.internalError)

        /// Stable slug, used as the last path segment of the RFC 7807 `type`.
        public var slug: String { base.rawValue }

        public var description: String { base.rawValue }
    }

    /// One rule a named field broke.
    public struct FieldError: Sendable, Hashable {
        /// The JSON member or query parameter, e.g. `event_type`.
        public var field: String
        /// What is wrong, e.g. `must be at most 100 characters`.
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    /// The kind of failure.
    public var code: Code
    /// A sentence for the client; never contains internals.
    public var detail: String
    /// The fields at fault, in the order found (validation errors only).
    public var fieldErrors: [FieldError]
    /// Seconds after which a retry may succeed (overload and unavailability only).
    public var retryAfterSeconds: Int?
    /// The cause, for logs only; never shown to clients.
    public var underlying: (any Error)?

    public init(
        _ code: Code,
        detail: String,
        fieldErrors: [FieldError] = [],
        retryAfterSeconds: Int? = nil,
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.retryAfterSeconds = retryAfterSeconds
        self.underlying = underlying
    }

    /// A validation failure whose detail names the first field.
    public static func validation(_ fieldErrors: [FieldError]) -> AuditError {
        let first = fieldErrors.first.map { "\($0.field): \($0.message)" } ?? "invalid request"
        return AuditError(.validation, detail: first, fieldErrors: fieldErrors)
    }

    /// A validation failure of one field.
    public static func validation(field: String, _ message: String) -> AuditError {
        validation([FieldError(field: field, message: message)])
    }

    /// The same error for the event at `index` of a batch: the detail starts `event at index <i>: `.
    public func inBatch(at index: Int) -> AuditError {
        var copy = self
        copy.detail = "event at index \(index): \(detail)"
        return copy
    }

    public var description: String {
        var text = "\(code): \(detail)"
        if let underlying { text += " (\(String(reflecting: underlying)))" }
        return text
    }
}
