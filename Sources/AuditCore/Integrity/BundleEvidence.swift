import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What makes a set of events verifiable offline (docs/integrity.md, "Bundles"): the log
/// positions they hold, one signed checkpoint, a ``LogMultiProof`` of those positions to it,
/// the public keys, and a signed statement of what the bundle claims to hold.
///
/// Written as the last line of an export bundle (`{"bundle": …}`) and as the `log` member of
/// a retention archive's manifest (`auditledger-archive/3`). The event lines carry their
/// `log_position`; ``BundleVerifier`` checks them against this.
public struct BundleEvidence: Sendable, Hashable {
    /// `auditledger-bundle/1`.
    public static let format = "auditledger-bundle/1"
    /// The one member of a bundle's last line, which holds the evidence: `{"bundle": …}`.
    public static let lineMember = "bundle"

    /// What the bundle holds: `{"kind":"month","month":"2025-07"}` for an archive, or the
    /// export's filters (`{"kind":"query", …}`). Signed in the statement.
    public var scope: JSONObject
    /// The events' log positions, ascending.
    public var positions: [Int64]
    /// The checkpoint the proof leads to, as a signed note.
    public var checkpoint: String
    /// The public keys of the log, as verifier keys (the current one first).
    public var keys: [String]
    /// The ``LogMultiProof`` of `positions` in the checkpoint's tree.
    public var proof: [MerkleTree.Hash]
    /// ``statementText(origin:treeSize:positions:leaves:scope:createdAt:)`` signed, or `nil`
    /// when the writer had no signing key (then what the bundle claims to hold is not signed).
    public var statement: String?
    public var createdAt: AuditTimestamp

    public init(
        scope: JSONObject, positions: [Int64], checkpoint: String, keys: [String], proof: [MerkleTree.Hash], statement: String?,
        createdAt: AuditTimestamp
    ) {
        self.scope = scope
        self.positions = positions
        self.checkpoint = checkpoint
        self.keys = keys
        self.proof = proof
        self.statement = statement
        self.createdAt = createdAt
    }

    /// The checkpoint's body (origin, size, root), without checking its signature; `nil` when
    /// it is not a signed checkpoint note.
    public var checkpointBody: Checkpoint? {
        (try? SignedNote(parsing: checkpoint)).flatMap { Checkpoint(text: $0.text) }
    }

    /// The scope of a bundle of `query`'s events: `{"kind":"query","filters":{…}}` with the
    /// filters by their API names (`parameters` as given, less the format and time bounds), the
    /// time window as resolved (a relative `since` as the instant it meant), and who exported it.
    public static func scope(of query: EventQuery, parameters: [(name: String, value: String)], exportedBy: String?) -> JSONObject {
        var filters = JSONObject()
        for (name, value) in parameters.sorted(by: { $0.name < $1.name })
        where !["format", "since", "until", "start_time", "end_time"].contains(name) {
            filters[name] = .string(value)
        }
        if let since = query.since { filters["since"] = .string(since.description) }
        if let until = query.untilExclusive { filters["until_exclusive"] = .string(until.description) }
        var scope = JSONObject()
        scope["kind"] = .string("query")
        scope["filters"] = .object(filters)
        if let exportedBy { scope["exported_by"] = .string(exportedBy) }
        return scope
    }

    /// The text a bundle's statement signs: the log, the tree size, how many events, a
    /// SHA-256 over their positions (8 bytes each, big-endian) and one over their leaf hashes
    /// (32 bytes each), both in position order, the scope and when.
    public static func statementText(
        origin: String, treeSize: Int64, positions: [Int64], leaves: [MerkleTree.Hash], scope: JSONObject, createdAt: AuditTimestamp
    ) -> String {
        var positionHasher = SHA256()
        for position in positions { positionHasher.update(data: withUnsafeBytes(of: UInt64(position).bigEndian, Array.init)) }
        var leafHasher = SHA256()
        for leaf in leaves { leafHasher.update(data: leaf) }
        return """
            \(format)
            origin \(origin)
            tree_size \(treeSize)
            events \(positions.count)
            positions sha256:\(Hex.lowercase(positionHasher.finalize()))
            leaves sha256:\(Hex.lowercase(leafHasher.finalize()))
            scope \(JSONValue.object(scope).compactText)
            created_at \(createdAt)

            """
    }

    /// The evidence as one JSON object. Positions are written as runs, `[[first, count], …]`.
    public var json: JSONValue {
        var runs: [JSONValue] = []
        var index = 0
        while index < positions.count {
            var end = index + 1
            while end < positions.count, positions[end] == positions[end - 1] + 1 { end += 1 }
            runs.append(.array([.number(String(positions[index])), .number(String(end - index))]))
            index = end
        }
        var object = JSONObject()
        object["format"] = .string(Self.format)
        object["scope"] = .object(scope)
        object["events"] = .number(String(positions.count))
        object["positions"] = .array(runs)
        object["checkpoint"] = .string(checkpoint)
        object["keys"] = .array(keys.map(JSONValue.string))
        object["proof"] = .array(proof.map { .string(Hex.lowercase($0)) })
        object["statement"] = statement.map(JSONValue.string) ?? .null
        object["created_at"] = .string(createdAt.description)
        return .object(object)
    }

    /// Reads ``json``.
    public init(json value: JSONValue) throws(AuditError) {
        func invalid(_ why: String) -> AuditError { AuditError(.malformedRequest, detail: "not AuditLedger bundle evidence: \(why)") }
        guard case .object(let object) = value else { throw invalid("not a JSON object") }
        func string(_ key: String) -> String? { if case .string(let text)? = object[key] { text } else { nil } }
        guard string("format") == Self.format else { throw invalid("format is not \(Self.format)") }
        guard case .object(let scope)? = object["scope"] else { throw invalid("scope is missing") }
        guard case .array(let runs)? = object["positions"] else { throw invalid("positions is missing") }
        var positions: [Int64] = []
        for run in runs {
            guard case .array(let pair) = run, pair.count == 2, case .number(let first) = pair[0], case .number(let count) = pair[1],
                let start = Int64(first), let length = Int64(count), start >= 0, length > 0, length <= 100_000_000
            else { throw invalid("positions holds a run that is not [first, count]") }
            positions.append(contentsOf: start..<(start + length))
        }
        guard let checkpoint = string("checkpoint") else { throw invalid("checkpoint is missing") }
        guard case .array(let keys)? = object["keys"], case .array(let proof)? = object["proof"] else { throw invalid("keys or proof is missing") }
        var hashes: [MerkleTree.Hash] = []
        for element in proof {
            guard case .string(let text) = element, Hex.isLowercase(text, count: 64), let bytes = Hex.bytes(text) else {
                throw invalid("proof holds something other than 64 lowercase hex digits")
            }
            hashes.append(bytes)
        }
        guard let created = string("created_at").flatMap({ AuditTimestamp(rfc3339: $0) }) else { throw invalid("created_at is missing") }
        self.init(
            scope: scope, positions: positions, checkpoint: checkpoint,
            keys: keys.compactMap { if case .string(let key) = $0 { key } else { nil } }, proof: hashes, statement: string("statement"),
            createdAt: created)
    }
}
