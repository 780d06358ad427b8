#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Gathers what a bundle or an archive needs while its events are written: each event's log
/// position, checked against the log, then the ``BundleEvidence``.
///
/// Keeps 40 bytes per event. Events must be in the log: write them after
/// ``AuditStore/drainLogQueue()``.
public struct BundleBuilder: Sendable {
    private var leaves: [(position: Int64, hash: MerkleTree.Hash)] = []

    public init() {}

    /// The number of events placed so far.
    public var count: Int { leaves.count }

    /// The log positions of `events`, in their order, once each is checked against the log.
    /// - Throws: `conflict` naming an event that is not in the log, or whose stored content is
    ///   not what was logged (`auditledger verify` tells more); nothing altered leaves the store
    ///   as if it were intact.
    public mutating func place(_ events: [StoredAuditEvent], in store: any AuditStore) async throws(AuditError) -> [Int64] {
        guard !events.isEmpty else { return [] }
        var entries: [UUID: LogEntry] = [:]
        for entry in try await store.logEntries(eventIDs: events.map(\.event.id)) { entries[entry.eventID] = entry }
        var positions: [Int64] = []
        positions.reserveCapacity(events.count)
        for stored in events {
            let id = stored.event.id.uuidString.lowercased()
            guard let entry = entries[stored.event.id] else {
                throw AuditError(.conflict, detail: "event \(id) is not in the log yet (or was inserted behind AuditLedger); run auditledger verify")
            }
            let digest = try StoredAuditEvent.digest(of: stored.event)
            guard digest.leafHash == entry.leafHash, let leaf = Hex.bytes(entry.leafHash) else {
                throw AuditError(.conflict, detail: "event \(id) is not what was logged at position \(entry.position); run auditledger verify")
            }
            leaves.append((entry.position, leaf))
            positions.append(entry.position)
        }
        return positions
    }

    /// The evidence for the events placed: a proof to the newest signed checkpoint, signing a
    /// new one with `signer` when the newest does not cover them, and the statement signed
    /// with `signer` (unsigned without one).
    /// - Throws: `unavailable` when no checkpoint covers the events and there is no signer.
    public func evidence(
        scope: JSONObject, store: any AuditStore, signer: NoteSignerKey?, now: AuditTimestamp
    ) async throws(AuditError) -> BundleEvidence {
        let sorted = leaves.sorted { $0.position < $1.position }
        let needed = (sorted.last?.position ?? -1) + 1
        var latest = try await store.checkpoints(upTo: nil, limit: 1).first
        if latest.map({ $0.treeSize < needed }) ?? true, let signer {
            latest = try await store.signCheckpoint(with: signer, now: now).checkpoint
        }
        guard let checkpoint = latest, checkpoint.treeSize >= needed, checkpoint.treeSize > 0 || needed == 0 else {
            throw AuditError(
                .unavailable,
                detail:
                    "no signed checkpoint covers log position \(needed - 1) yet (the newest has tree size \(latest?.treeSize ?? 0)); wait for the server's next checkpoint or give the signing key"
            )
        }
        guard let note = try? SignedNote(parsing: checkpoint.note), let body = Checkpoint(text: note.text) else {
            throw AuditError(.internalError, detail: "the stored checkpoint of tree size \(checkpoint.treeSize) does not read back")
        }
        let positions = sorted.map(\.position)
        let proof = try await store.logMultiProof(positions: positions, treeSize: checkpoint.treeSize)
        guard (try? LogMultiProof.root(size: checkpoint.treeSize, leaves: sorted, proof: proof)) == body.rootHash else {
            throw AuditError(
                .conflict, detail: "the log does not match its checkpoint of tree size \(checkpoint.treeSize); run auditledger verify")
        }
        var keys = try await store.signingKeys().map(\.key)
        if let signer, !keys.contains(signer.verifier) { keys.insert(signer.verifier, at: 0) }
        let statement = signer.map { signer in
            SignedNote.sign(
                BundleEvidence.statementText(
                    origin: body.origin, treeSize: checkpoint.treeSize, positions: positions, leaves: sorted.map(\.hash), scope: scope,
                    createdAt: now),
                with: signer
            ).rendered
        }
        return BundleEvidence(
            scope: scope, positions: positions, checkpoint: checkpoint.note, keys: keys.map(\.description), proof: proof, statement: statement,
            createdAt: now)
    }
}
