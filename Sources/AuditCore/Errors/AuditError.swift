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
            case unsupportedMediaType = "unsupported-media-type"
            case methodNotAllowed = "method-not-allowed"
            case requestTimeout = "request-timeout"
            case refusedByStore = "store-refused"
            case notFound = "not-found"
            case unauthorized = "unauthorized"
            case forbidden = "forbidden"
            case rateLimited = "rate-limited"
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
        /// The body is not sent as `application/json` (415).
        public static let unsupportedMediaType = Code(.unsupportedMediaType)
        /// The resource exists but does not take this method (405).
        public static let methodNotAllowed = Code(.methodNotAllowed)
        /// The request did not arrive completely in time (408).
        public static let requestTimeout = Code(.requestTimeout)
        /// The store refused the data itself: it breaks a rule of the database that validation
        /// did not catch (422). The events are not stored; sent again unchanged they are refused again.
        public static let refusedByStore = Code(.refusedByStore)
        /// No such event or route (404).
        public static let notFound = Code(.notFound)
        /// The request carries no valid credentials where they are required (401).
        public static let unauthorized = Code(.unauthorized)
        /// The caller is authenticated but may not do this (403).
        public static let forbidden = Code(.forbidden)
        /// The caller sends faster than its rate limit allows; retry after `Retry-After` (429).
        public static let rateLimited = Code(.rateLimited)
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
    /// The cause, kept for debugging in process; never shown to clients, and never written
    /// out whole (a driver's text can hold SQL and values): logs get ``diagnostic``.
    public var underlying: (any Error)?
    /// What may be logged about the cause: codes and names (`SQLSTATE 23514, constraint
    /// audit_events_date_check`, `SQLITE_BUSY`, `errno 28`), never a driver's message or SQL.
    /// Default: the cause's type name.
    public var diagnostic: String?
    /// The position in its ``EventBatch`` of the event the error is about, when it is about one
    /// (set by stores, ``about(eventAt:)``); `nil` otherwise.
    public var eventIndex: Int?

    public init(
        _ code: Code,
        detail: String,
        fieldErrors: [FieldError] = [],
        retryAfterSeconds: Int? = nil,
        underlying: (any Error)? = nil,
        diagnostic: String? = nil
    ) {
        self.code = code
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.retryAfterSeconds = retryAfterSeconds
        self.underlying = underlying
        self.diagnostic = diagnostic ?? underlying.map { "\(type(of: $0))" }
    }

    /// A validation failure whose detail names the first field.
    /// This error with each field error's name passed through `rename` (a name it gives twice
    /// is kept once, first message first); any other error is returned as it is. For endpoints
    /// that read a request in another shape and validate it as an event or a query.
    public func renamingFields(_ rename: (String) -> String) -> AuditError {
        guard code == .validation, !fieldErrors.isEmpty else { return self }
        var named = Set<String>()
        return .validation(
            fieldErrors.compactMap { field in
                let name = rename(field.field)
                return named.insert(name).inserted ? FieldError(field: name, message: field.message) : nil
            })
    }

    public static func validation(_ fieldErrors: [FieldError]) -> AuditError {
        let first = fieldErrors.first.map { "\($0.field): \($0.message)" } ?? "invalid request"
        return AuditError(.validation, detail: first, fieldErrors: fieldErrors)
    }

    /// A validation failure of one field.
    public static func validation(field: String, _ message: String) -> AuditError {
        validation([FieldError(field: field, message: message)])
    }

    /// Whether the store refused the data itself — an `event_id` already used for other
    /// content, an unknown parent, a rule of the database the events break — as opposed to not
    /// being able to answer (unavailable, timed out, shutting down, or anything unknown). Only
    /// a refusal may take acknowledged events out of the spool, and then only into the
    /// quarantine; everything else is retried for as long as it takes.
    public var refusesData: Bool {
        code == .conflict || code == .validation || code == .refusedByStore
    }

    /// The same error for the event at `index` of a batch: the detail starts `event at index <i>: `.
    public func inBatch(at index: Int) -> AuditError {
        var copy = self
        copy.detail = "event at index \(index): \(detail)"
        copy.eventIndex = index
        return copy
    }

    /// The same error, naming the position in its batch of the event it is about
    /// (``eventIndex``), its detail unchanged: what stores return; a batch request shows it
    /// with ``inBatch(at:)``.
    public func about(eventAt index: Int) -> AuditError {
        var copy = self
        copy.eventIndex = index
        return copy
    }

    /// The error as a batch request shows it: prefixed `event at index <i>: ` when the error
    /// names an event (``eventIndex``) and the detail does not already start so.
    public var shownInBatch: AuditError {
        guard let eventIndex, !detail.hasPrefix("event at index ") else { return self }
        return inBatch(at: eventIndex)
    }

    /// `code: detail [diagnostic]`: safe for logs and the lifecycle log.
    public var description: String {
        var text = "\(code): \(detail)"
        if let diagnostic { text += " [\(diagnostic)]" }
        return text
    }

    /// What may be logged about any error: an ``AuditError``'s description, else only the
    /// error's type (a driver's own text may hold SQL and values).
    public static func logDescription(of error: any Error) -> String {
        (error as? AuditError)?.description ?? "\(type(of: error))"
    }
}
