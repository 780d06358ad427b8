import AuditCore

/// The parameters of `GET /api/v1/audit/export`.
///
/// - Kubernaut's: `start_time` and `end_time` (RFC 3339, also the query API's relative forms;
///   `end_time` inclusive), `correlation_id`, `event_category`, `format` (default `json`),
///   `include_detached_signature`, `offset` (≥ 0), `limit` (1–10,000, default 1,000; above
///   10,000 `413`), `redact_pii`.
/// - Every filter of the query API as well (`event_type`, `namespace`, `event_data`, `since`,
///   `until`, …), for every format.
/// - `format=ndjson|csv|bundle` streams every matching event, oldest first, with no cap:
///   `offset`, `limit`, `redact_pii` and `include_detached_signature` belong to `json` and are
///   refused with the others.
struct ExportRequest {
    enum Format: String {
        case json, ndjson, csv, bundle

        var streaming: ExportFormat { self == .csv ? .csv : self == .bundle ? .bundle : .ndjson }
    }

    /// Kubernaut's largest `limit`.
    static let maximumLimit = 10_000
    static let defaultLimit = 1_000

    var format: Format
    var query: EventQuery
    var offset: Int
    var limit: Int
    var redactPII: Bool
    var detachedSignature: Bool
    /// `format=bundle&from_position=A&to_position=B` (no filters): the bundle of those log positions.
    var positions: Range<Int64>?
    /// The parameters as given, for `query_filters` and a bundle's scope.
    var given: [(name: String, value: String)]

    static let ownNames: Set<String> = [
        "start_time", "end_time", "format", "include_detached_signature", "offset", "limit", "redact_pii", "from_position", "to_position",
    ]
    static let jsonOnly: Set<String> = ["include_detached_signature", "offset", "limit", "redact_pii"]

    init(parameters: [(name: String, value: String)], now: AuditTimestamp) throws(AuditError) {
        var errors: [AuditError.FieldError] = []
        var values: [String: String] = [:]
        var filters: [(name: String, value: String)] = []
        for (name, value) in parameters {
            if Self.ownNames.contains(name) {
                if let earlier = values[name], earlier != value {
                    errors.append(.init(field: name, message: "is given more than once with different values"))
                }
                values[name] = value
            } else if ["limit", "offset", "order", "cursor"].contains(name) || !EventQuery.parameterNames.contains(name) {
                errors.append(.init(field: name, message: "is not a parameter of this endpoint; see the API documentation for the filters it takes"))
            } else {
                filters.append((name, value))
            }
        }
        let format = Format(rawValue: values["format"] ?? "json")
        if format == nil { errors.append(.init(field: "format", message: "must be json, ndjson, csv or bundle")) }
        if format != .json, format != nil {
            for name in Self.jsonOnly where values[name] != nil {
                errors.append(.init(field: name, message: "applies to format=json only; ndjson, csv and bundle exports hold every matching event"))
            }
        }
        for (own, filter) in [("start_time", "since"), ("end_time", "until")] {
            guard let value = values[own] else { continue }
            if filters.contains(where: { $0.name == filter }) {
                errors.append(.init(field: own, message: "cannot be combined with \(filter); give one of them"))
            } else {
                filters.append((filter, value))
            }
        }
        func flag(_ name: String) -> Bool {
            guard let value = values[name] else { return false }
            switch value.lowercased() {
            case "true", "1": return true
            case "false", "0": return false
            default:
                errors.append(.init(field: name, message: "must be true or false"))
                return false
            }
        }
        var limit = Self.defaultLimit
        if let value = values["limit"] {
            if let parsed = Int(value), parsed > Self.maximumLimit {
                throw AuditError(
                    .payloadTooLarge,
                    detail: "limit \(parsed) is above \(Self.maximumLimit) events per export; page with offset, or use format=ndjson (no cap)")
            } else if let parsed = Int(value), parsed >= 1 {
                limit = parsed
            } else {
                errors.append(.init(field: "limit", message: "must be an integer from 1 to \(Self.maximumLimit)"))
            }
        }
        var offset = 0
        if let value = values["offset"] {
            if let parsed = Int(value), (0...Int(Int32.max)).contains(parsed) {
                offset = parsed
            } else {
                errors.append(.init(field: "offset", message: "must be a non-negative integer"))
            }
        }
        var positions: Range<Int64>?
        if values["from_position"] != nil || values["to_position"] != nil {
            let from = values["from_position"].flatMap { Int64($0) }
            let to = values["to_position"].flatMap { Int64($0) }
            if format != .bundle {
                errors.append(.init(field: "from_position", message: "applies to format=bundle only"))
            } else if !filters.isEmpty {
                errors.append(
                    .init(field: "from_position", message: "cannot be combined with filters: a range bundle holds every position of the range"))
            } else if let from, let to, from >= 0, to > from {
                positions = from..<to
            } else {
                errors.append(.init(field: "to_position", message: "from_position and to_position must be integers, 0 ≤ from_position < to_position"))
            }
        }
        let redact = flag("redact_pii")
        let detached = flag("include_detached_signature")
        var query = EventQuery()
        do {
            query = try EventQuery(parameters: filters, now: now)
        } catch {
            // Report Kubernaut's names for the time bounds it was given.
            for var field in error.fieldErrors {
                if field.field == "since", values["start_time"] != nil { field.field = "start_time" }
                if field.field == "until", values["end_time"] != nil { field.field = "end_time" }
                errors.append(field)
            }
        }
        guard errors.isEmpty, let format else { throw AuditError.validation(errors) }
        self.format = format
        self.query = query
        self.offset = offset
        self.limit = limit
        self.redactPII = redact
        self.detachedSignature = detached
        self.positions = positions
        self.given = parameters
    }

    /// A bundle's scope (``BundleEvidence/scope(of:parameters:exportedBy:)``).
    func scope(principal: String) -> JSONObject {
        BundleEvidence.scope(of: query, parameters: given, exportedBy: principal)
    }
}
