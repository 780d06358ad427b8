/// Signing checkpoints over a store's log: the step the checkpointer service, the API and
/// operator commands share.
extension AuditStore {
    /// Leaves read per query while a checkpoint catches up.
    static var checkpointChunk: Int64 { 65_536 }

    /// Signs a checkpoint of the whole log as it is now, unless the newest stored checkpoint
    /// already covers it, and stores it with the perfect subtrees completed since.
    ///
    /// Extends the newest checkpoint's frontier by the leaves after it, once that frontier is
    /// checked against the checkpoint's root; a frontier that does not match (changed behind
    /// AuditLedger) is rebuilt from every leaf. The new checkpoint names the newest one
    /// (``Checkpoint/Link``) and is stored only while that one is still the newest; when
    /// another server stored one meanwhile, it is signed again on top of that one (three tries).
    /// - Returns: the new checkpoint, or the newest one when it covers the log already (or when
    ///   other servers kept storing theirs first); `signed` says which.
    public func signCheckpoint(
        with key: NoteSignerKey, now: AuditTimestamp
    ) async throws(AuditError) -> (
        checkpoint: StoredCheckpoint, signed: Bool
    ) {
        var latest = try await checkpoints(upTo: nil, limit: 1).first
        for _ in 0..<3 {
            let size = try await logStatus().size
            if let latest, latest.treeSize >= size { return (latest, false) }
            var frontier = LogFrontier()
            if let latest, let stored = latest.frontier, stored.size == latest.treeSize, Hex.lowercase(stored.root) == latest.rootHash {
                frontier = stored
            }
            var nodes: [LogNode] = []
            while frontier.size < size {
                let end = min(size, frontier.size + Self.checkpointChunk)
                for leaf in try await logLeaves(frontier.size..<end) { nodes += frontier.append(leaf) }
            }
            let root = frontier.root
            // A predecessor whose note does not read back is not linked; verification names it.
            let link = latest.flatMap { latest in
                (try? SignedNote(parsing: latest.note)).map { Checkpoint.Link(treeSize: latest.treeSize, text: $0.text) }
            }
            let body = Checkpoint(origin: key.verifier.name, treeSize: size, rootHash: root, previous: link)
            let note = SignedNote.sign(body.text, with: key)
            let checkpoint = StoredCheckpoint(
                treeSize: size, rootHash: Hex.lowercase(root), note: note.rendered, keyLabel: key.verifier.label, frontier: frontier,
                createdAt: now)
            if try await appendCheckpoint(checkpoint, after: latest?.treeSize, nodes: nodes, key: key.verifier) { return (checkpoint, true) }
            latest = try await checkpoints(upTo: nil, limit: 1).first
        }
        let newest = try await checkpoints(upTo: nil, limit: 1).first
        guard let newest else { throw AuditError(.unavailable, detail: "no checkpoint could be stored", retryAfterSeconds: 1) }
        return (newest, false)
    }

    /// Logs everything the sequencer's queue holds now (waiting, up to about 10 s, while
    /// another server's sequencer holds its lock): before signing on request, or checking an
    /// archive against the log.
    public func drainLogQueue() async throws(AuditError) {
        for _ in 0..<200 {
            let append = try await appendPendingToLog(limit: 5000, now: .now())
            if append.sequenced && append.appended < 5000 { return }
            if !append.sequenced { try? await Task.sleep(for: .milliseconds(50)) }
        }
    }
}
