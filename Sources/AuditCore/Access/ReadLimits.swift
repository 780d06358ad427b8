/// Which events a principal may read, beyond its scopes: applied inside every query, so
/// totals, pages and cursors count only what the principal may see.
///
/// Each non-`nil` list restricts: an event is readable when it matches one entry of every
/// list given (categories exactly, event types by prefix, namespaces exactly; an event without
/// a namespace never matches a namespace list). All `nil` (the default) reads everything.
public struct ReadLimits: Sendable, Hashable, Codable {
    /// `event_category` values the principal may read.
    public var categories: [String]?
    /// Prefixes of `event_type`, e.g. `workflow.catalog.`.
    public var eventTypePrefixes: [String]?
    /// `namespace` values the principal may read.
    public var namespaces: [String]?

    public init(categories: [String]? = nil, eventTypePrefixes: [String]? = nil, namespaces: [String]? = nil) {
        self.categories = categories
        self.eventTypePrefixes = eventTypePrefixes
        self.namespaces = namespaces
    }

    /// No limit at all.
    public static let unlimited = ReadLimits()

    /// Whether this reads everything.
    public var isUnlimited: Bool { categories == nil && eventTypePrefixes == nil && namespaces == nil }

    /// Whether `event` may be read (the same rule the stores apply in SQL).
    public func allows(_ event: AuditEvent) -> Bool {
        if let categories, !categories.contains(event.category) { return false }
        if let eventTypePrefixes, !eventTypePrefixes.contains(where: { event.eventType.hasPrefix($0) }) { return false }
        if let namespaces {
            guard let namespace = event.namespace, namespaces.contains(namespace) else { return false }
        }
        return true
    }

    enum CodingKeys: String, CodingKey {
        case categories
        case eventTypePrefixes = "event_type_prefixes"
        case namespaces
    }
}
