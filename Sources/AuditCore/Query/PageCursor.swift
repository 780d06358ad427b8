import Crypto

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Where the next page starts: the position of the last event returned, in the query's order.
///
/// Keyset pagination: the next page holds the events strictly after `(timestamp, id)` in the
/// order, so events written between two page requests cause neither duplicates nor gaps.
/// The cursor also pins the time window of the first page (a relative `since=24h` does not
/// slide while paging) and the filters it was made for.
public struct PageCursor: Sendable, Hashable {
    public var order: EventQuery.Order
    /// `event_timestamp` of the last event returned.
    public var afterTimestamp: AuditTimestamp
    /// `event_id` of the last event returned.
    public var afterID: UUID
    /// The time window of the first page.
    public var since: AuditTimestamp?
    public var untilExclusive: AuditTimestamp?
    /// Digest of the filters the cursor belongs to.
    public var filterDigest: String

    /// The cursor continuing `query` after `event`.
    public init(query: EventQuery, after event: AuditEvent) {
        self.order = query.order
        self.afterTimestamp = event.timestamp
        self.afterID = event.id
        self.since = query.since
        self.untilExclusive = query.untilExclusive
        self.filterDigest = Self.digest(of: query.filters)
    }

    /// The opaque text form: URL-safe base64 without padding.
    public var token: String {
        let fields = [
            "v1", order.rawValue, String(afterTimestamp.microsecondsSinceEpoch), afterID.uuidString.lowercased(),
            since.map { String($0.microsecondsSinceEpoch) } ?? "", untilExclusive.map { String($0.microsecondsSinceEpoch) } ?? "",
            filterDigest,
        ]
        return Data(fields.joined(separator: "|").utf8).base64EncodedString()
            .replacing("+", with: "-")
            .replacing("/", with: "_")
            .replacing("=", with: "")
    }

    /// Decodes a token made by ``token``; `nil` when it is not one.
    public init?(token: String) {
        var base64 = token.replacing("-", with: "+").replacing("_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard token.utf8.count <= 512, let data = Data(base64Encoded: base64), let text = String(validating: data, as: UTF8.self) else {
            return nil
        }
        let fields = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 7, fields[0] == "v1", let order = EventQuery.Order(rawValue: fields[1]),
            let after = Int64(fields[2]), let id = UUID(uuidString: fields[3])
        else {
            return nil
        }
        func optionalTimestamp(_ text: String) -> AuditTimestamp?? {
            if text.isEmpty { return .some(nil) }
            return Int64(text).map { .some(AuditTimestamp(microsecondsSinceEpoch: $0)) }
        }
        guard let since = optionalTimestamp(fields[4]), let until = optionalTimestamp(fields[5]) else { return nil }
        self.order = order
        self.afterTimestamp = AuditTimestamp(microsecondsSinceEpoch: after)
        self.afterID = id
        self.since = since
        self.untilExclusive = until
        self.filterDigest = fields[6]
    }

    /// A short digest of the filters, so a cursor is not used with other filters.
    static func digest(of filters: EventQuery.Filters) -> String {
        var text = ""
        for (column, value) in filters.columns {
            text += "\(column)=\(value.utf8.count):\(value);"
        }
        if let containment = filters.eventDataContains {
            let value = JSONValue.object(containment).compactText
            text += "event_data=\(value.utf8.count):\(value);"
        }
        if let member = filters.eventDataMember {
            text += "detail=\(member.key.utf8.count):\(member.key)\(member.value.utf8.count):\(member.value);"
        }
        return Hex.lowercase(SHA256.hash(data: Array(text.utf8)).prefix(8))
    }
}
