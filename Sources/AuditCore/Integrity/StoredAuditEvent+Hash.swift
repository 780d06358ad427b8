#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension StoredAuditEvent {
    /// A new row for `event`, its hash computed (``AuditEvent/hashAlgorithm``); the store assigns `insert_seq`.
    /// - Throws: `internal-error` when `event_data` is not a JSON object (validated events always are).
    public static func hashing(_ event: AuditEvent, insertSequence: Int64 = 0) throws(AuditError) -> StoredAuditEvent {
        StoredAuditEvent(event: event, insertSequence: insertSequence, digest: try digest(of: event))
    }

    /// A new row for `event` with the hash of `digest` (``AuditEvent/hashAlgorithm``).
    public init(event: AuditEvent, insertSequence: Int64, digest: EventDigest) {
        self.init(event: event, insertSequence: insertSequence, eventHash: digest.eventHash, hashAlgorithm: AuditEvent.hashAlgorithm)
    }

    /// `event`'s hashes (the row's and the log's leaf), from one encoding.
    /// - Throws: `internal-error` when `event_data` is not a JSON object (validated events always are).
    public static func digest(of event: AuditEvent) throws(AuditError) -> EventDigest {
        do {
            return try event.digest()
        } catch {
            throw AuditError(
                .internalError, detail: "event \(event.id.uuidString.lowercased()) cannot be hashed: its event_data is not a JSON object")
        }
    }

    /// The row as a store inserts it (a restore, an import): its hash recomputed from its
    /// content. A row that carries a hash of this algorithm must carry that one.
    /// - Throws: `conflict` naming the event when the carried hash is not its content's.
    public func rehashedForInsert() throws(AuditError) -> StoredAuditEvent {
        let fresh = try Self.hashing(event, insertSequence: insertSequence)
        if let eventHash, hashAlgorithm == AuditEvent.hashAlgorithm, eventHash != fresh.eventHash {
            throw AuditError(
                .conflict,
                detail:
                    "event \(event.id.uuidString.lowercased()) carries event_hash \(eventHash.prefix(64)), but its content hashes to \(fresh.eventHash ?? "")"
            )
        }
        return fresh
    }

    /// Why the stored hash does not vouch for the stored event, or `nil` when it does: no hash,
    /// an algorithm this version does not know, or a hash that is not the content's.
    public var hashProblem: String? {
        guard let eventHash, let hashAlgorithm else { return "has no event_hash" }
        guard hashAlgorithm == AuditEvent.hashAlgorithm else { return "has an event_hash of an unknown algorithm (\(hashAlgorithm.prefix(64)))" }
        guard let actual = try? event.eventHash() else { return "has event_data that is not a JSON object" }
        return actual == eventHash ? nil : "has event_hash \(eventHash.prefix(64)) but its content hashes to \(actual)"
    }
}
