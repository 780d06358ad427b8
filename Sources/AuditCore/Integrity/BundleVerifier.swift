#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Checks a bundle or archive with nothing but its bytes and the log's public keys
/// (`auditledger verify-bundle`): every event's content against its `event_hash` and its log
/// position, the positions against those the evidence lists, the events against the signed
/// checkpoint through the ``LogMultiProof``, and all of it against the signed statement.
///
/// Feed it the event lines one at a time (``add(line:number:)``), then ``finish(_:)``. It keeps
/// about 80 bytes per event.
public struct BundleVerifier: Sendable {
    /// The keys whose signatures count; empty: the keys the bundle itself lists (which proves
    /// the events agree with that log, not who ran it — the report says so).
    public let trustedKeys: [NoteVerifierKey]
    private var leaves: [(position: Int64, hash: MerkleTree.Hash, id: UUID)] = []
    private var problems: [String] = []
    private var seen = Set<UUID>()

    public init(trustedKeys: [NoteVerifierKey]) {
        self.trustedKeys = trustedKeys
    }

    /// What a verification found.
    public struct Report: Sendable {
        public var events = 0
        public var treeSize: Int64?
        public var scope: JSONObject?
        /// Each thing that does not hold, naming the event, position or part; empty: the bundle verifies.
        public var problems: [String] = []
        /// What holds but proves less than it could (unsigned statement, keys from the bundle).
        public var warnings: [String] = []
        public var isValid: Bool { problems.isEmpty }

        public init() {}
    }

    /// One event line (an archive line with its `log_position`); `number` names it in problems.
    public mutating func add(line object: JSONObject, number: Int) {
        let id: String = if case .string(let text)? = object["event_id"] { text } else { "on line \(number)" }
        let stored: StoredAuditEvent
        do {
            stored = try StoredAuditEvent(archiveJSON: object)
        } catch {
            problems.append("event \(id) (line \(number)) is not an event: \(error.detail)")
            return
        }
        guard let digest = try? stored.event.digest() else {
            problems.append("event \(id) (line \(number)): its event_data is not a JSON object")
            return
        }
        if let carried = stored.eventHash, carried != digest.eventHash {
            problems.append(
                "event \(id) (line \(number)) was altered: its content hashes to \(digest.eventHash), it carries event_hash \(carried.prefix(64))")
        }
        guard case .number(let literal)? = object["log_position"], let position = Int64(literal), position >= 0 else {
            problems.append("event \(id) (line \(number)) has no log_position")
            return
        }
        guard seen.insert(stored.event.id).inserted else {
            problems.append("event \(id) (line \(number)) appears twice")
            return
        }
        guard let leaf = Hex.bytes(digest.leafHash) else { return }
        leaves.append((position, leaf, stored.event.id))
    }

    /// Checks the lines added against `evidence`.
    public func finish(_ evidence: BundleEvidence) -> Report {
        var report = Report()
        report.events = leaves.count
        report.scope = evidence.scope
        report.problems = problems
        let keys: [NoteVerifierKey]
        if trustedKeys.isEmpty {
            keys = evidence.keys.compactMap { NoteVerifierKey($0) }
            report.warnings.append(
                "no --trusted-key given: signatures were checked with the keys the bundle itself carries (\(keys.map(\.label).joined(separator: ", "))); compare them with the log's published keys"
            )
        } else {
            keys = trustedKeys
        }
        // The checkpoint.
        guard let note = try? SignedNote(parsing: evidence.checkpoint), let checkpoint = Checkpoint(text: note.text) else {
            report.problems.append("its checkpoint is not a signed checkpoint note")
            return report
        }
        report.treeSize = checkpoint.treeSize
        do {
            _ = try note.verifiedKey(among: keys)
        } catch {
            report.problems.append("its checkpoint (tree size \(checkpoint.treeSize)) is not signed by a trusted key: \(error)")
        }
        // The events against the positions listed.
        let sorted = leaves.sorted { $0.position < $1.position }
        let listed = Set(evidence.positions)
        var held = Set<Int64>()
        for leaf in sorted {
            if !held.insert(leaf.position).inserted {
                report.problems.append("event \(leaf.id.uuidString.lowercased()) claims log position \(leaf.position), which another event holds")
            } else if !listed.contains(leaf.position) {
                report.problems.append("event \(leaf.id.uuidString.lowercased()) (position \(leaf.position)) is not one the bundle lists: added")
            }
        }
        if case .string("range")? = evidence.scope["kind"], case .number(let from)? = evidence.scope["from_position"],
            case .number(let to)? = evidence.scope["to_position"], let first = Int64(from), let end = Int64(to)
        {
            if evidence.positions != Array(first..<max(first, end)) {
                report.problems.append("it claims every log position from \(first) to \(end - 1), but lists \(evidence.positions.count) positions")
            }
        }
        let missing = evidence.positions.filter { !held.contains($0) }
        if !missing.isEmpty {
            let named = missing.prefix(10).map(String.init).joined(separator: ", ")
            report.problems.append(
                "\(missing.count) event(s) the bundle lists are missing (positions \(named)\(missing.count > 10 ? ", …" : "")): removed")
        }
        // The events against the checkpoint.
        let unique = sorted.enumerated().filter { $0.offset == 0 || sorted[$0.offset - 1].position != $0.element.position }.map(\.element)
        do {
            let root = try LogMultiProof.root(size: checkpoint.treeSize, leaves: unique.map { ($0.position, $0.hash) }, proof: evidence.proof)
            if root != checkpoint.rootHash {
                report.problems.append(
                    "its events do not prove against the checkpoint of tree size \(checkpoint.treeSize): an event was altered, added or removed, or the proof or checkpoint replaced"
                )
            }
        } catch {
            report.problems.append("its events do not prove against the checkpoint of tree size \(checkpoint.treeSize): \(error)")
        }
        // The statement.
        guard let statementText = evidence.statement else {
            report.warnings.append(
                "its statement is not signed (written without the signing key): each event proves against the checkpoint, but which events the bundle should hold rests on its unsigned list"
            )
            return report
        }
        guard let statement = try? SignedNote(parsing: statementText) else {
            report.problems.append("its statement is not a signed note")
            return report
        }
        do {
            _ = try statement.verifiedKey(among: keys)
        } catch {
            report.problems.append("its statement is not signed by a trusted key: \(error)")
        }
        let expected = BundleEvidence.statementText(
            origin: checkpoint.origin, treeSize: checkpoint.treeSize, positions: evidence.positions,
            leaves: unique.filter { listed.contains($0.position) }.map(\.hash), scope: evidence.scope, createdAt: evidence.createdAt)
        if statement.text != expected {
            let lines = Set(expected.split(separator: "\n"))
            let differing = statement.text.split(separator: "\n").filter { !lines.contains($0) }.map { $0.split(separator: " ").first ?? "" }
            report.problems.append(
                "its events, positions or scope are not what its signed statement says (\(differing.joined(separator: ", ")) differ): an event was altered, added or removed"
            )
        }
        return report
    }
}
