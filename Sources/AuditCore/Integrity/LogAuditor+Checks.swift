#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension LogAuditor {
    /// Compares each entry with its stored event, for entries at positions in `recomputing`.
    mutating func checkEvents(
        _ entries: [LogEntry], in store: any AuditStore, recomputing: LogSelection, removed: Set<PartitionMonth>
    ) async throws(AuditError) {
        let checked = entries.filter { recomputing.contains($0.position) }
        guard !checked.isEmpty else { return }
        var stored: [UUID: StoredAuditEvent] = [:]
        for event in try await store.events(ids: checked.map(\.eventID)) { stored[event.event.id] = event }
        for entry in checked {
            let subject = LogProblem.Subject.event(entry.eventID, position: entry.position)
            guard let event = stored[entry.eventID] else {
                if removed.contains(entry.eventDate.month) {
                    report.removedByRetention += 1
                    removedByMonth[entry.eventDate.month, default: 0] += 1
                } else {
                    found(
                        LogProblem(
                            subject, "logged, but no longer stored, and retention did not remove its month (\(entry.eventDate.month)): deleted"))
                }
                continue
            }
            report.eventsChecked += 1
            guard let digest = try? event.event.digest() else {
                found(LogProblem(subject, "its stored event_data is not a JSON object"))
                continue
            }
            if digest.leafHash != entry.leafHash {
                found(
                    LogProblem(
                        subject,
                        "its stored content is not what was logged: changed (it hashes to \(digest.eventHash), the log holds \(entry.eventHash))"))
            } else if event.eventHash != entry.eventHash {
                found(LogProblem(subject, "its stored event_hash (\(event.eventHash ?? "none")) is not the one logged (\(entry.eventHash))"))
            }
        }
    }

    /// Compares the perfect subtrees the tree completed with those the store keeps for proofs,
    /// and keeps the 256-leaf block roots for ``recheck(in:positions:removed:)``.
    mutating func checkNodes(_ nodes: [LogNode], in store: any AuditStore) async throws(AuditError) {
        guard !nodes.isEmpty else { return }
        for node in nodes where node.id.level == LogFrontier.storedLevel { rememberBlock(node) }
        let stored = try await store.logNodes(nodes.map(\.id))
        for node in nodes {
            if let hash = stored[node.id], hash != node.hash {
                found(LogProblem(.subtree(node.id), "it is not the root of the leaves it covers: proofs served from it would fail"))
            }
        }
    }

    /// What this auditor verified before must still be there: a log shorter than the tree it
    /// rebuilt, or the newest checkpoint it found good no longer stored, means the end of the
    /// history was cut off — the one cut a store's own contents cannot show once the newest
    /// checkpoints went with the newest entries (a witness shows it to a verifier that starts
    /// afresh).
    mutating func checkNothingVerifiedIsGone(in store: any AuditStore, size: Int64) async throws(AuditError) {
        if size < frontier.size {
            found(
                LogProblem(
                    .log(size..<frontier.size),
                    "the log holds \(size) entries, fewer than the \(frontier.size) verified before: entries were removed from its end"))
        }
        if let newest = goodCheckpoints.keys.max(), try await store.checkpoints(from: newest, limit: 1).first?.treeSize != newest {
            found(LogProblem(.checkpoint(treeSize: newest), "verified before, but no longer stored: it was deleted"))
        }
    }

    /// A stored checkpoint larger than the log means entries were removed from its end — once
    /// a fresh read of the log's size confirms it is not just newer than the size read before.
    mutating func checkBeyond(in store: any AuditStore, size: Int64) async throws(AuditError) {
        guard let beyond = try await store.checkpoints(from: size + 1, limit: 1).first else { return }
        let now = try await store.logStatus().size
        if beyond.treeSize > now {
            found(LogProblem(.checkpoint(treeSize: beyond.treeSize), "the log holds only \(now) entries: entries were removed from its end"))
        }
    }

    /// Re-reads positions already verified: recomputes their events, and compares each whole
    /// 256-leaf block's root with the one computed when it was first verified (a leaf changed in
    /// the log since). Positions past the verified tree are left for ``advance(in:to:recomputing:removed:)``.
    public mutating func recheck(in store: any AuditStore, positions: Range<Int64>, removed: Set<PartitionMonth>) async throws(AuditError) {
        let range = positions.clamped(to: 0..<frontier.size)
        guard !range.isEmpty else { return }
        let entries = try await store.logEntries(positions: range)
        try await checkEvents(entries, in: store, recomputing: .positions(range), removed: removed)
        let byPosition = Dictionary(entries.map { ($0.position, $0.leafHash) }, uniquingKeysWith: { first, _ in first })
        let width = Int64(1) << LogFrontier.storedLevel
        var block = (range.lowerBound + width - 1) / width
        while (block + 1) * width <= range.upperBound {
            let leaves = (block * width..<(block + 1) * width).compactMap { byPosition[$0].flatMap(Hex.bytes) }
            if let known = blockRoot(block), leaves.count != Int(width) || MerkleTree.root(leaves[...]) != known {
                found(LogProblem(.log(block * width..<(block + 1) * width), "these entries changed since they were verified"))
            }
            block += 1
        }
        let tailStart = frontier.size - Int64(tail.count)
        if range.upperBound == frontier.size, range.lowerBound <= tailStart {
            let leaves = (tailStart..<frontier.size).compactMap { byPosition[$0].flatMap(Hex.bytes) }
            if leaves != tail { found(LogProblem(.log(tailStart..<frontier.size), "these entries changed since they were verified")) }
        }
        try await recheckCheckpoints(in: store, range)
    }

    /// Re-reads the stored checkpoints of sizes in `range` found good before: each must still
    /// carry a trusted signature over its size and the root found then.
    mutating func recheckCheckpoints(in store: any AuditStore, _ range: Range<Int64>) async throws(AuditError) {
        var from = range.lowerBound
        var unseen = Set(goodCheckpoints.keys.filter { range.lowerBound <= $0 && $0 <= range.upperBound })
        defer {
            for size in unseen.sorted() { found(LogProblem(.checkpoint(treeSize: size), "verified before, but no longer stored: it was deleted")) }
        }
        while from <= range.upperBound {
            let page = try await store.checkpoints(from: from, limit: 1000)
            for checkpoint in page where checkpoint.treeSize <= range.upperBound {
                unseen.remove(checkpoint.treeSize)
                guard let root = goodCheckpoints[checkpoint.treeSize] else { continue }
                do {
                    let note = try SignedNote(parsing: checkpoint.note)
                    _ = try note.verifiedKey(among: trustedKeys)
                    guard let body = Checkpoint(text: note.text), body.treeSize == checkpoint.treeSize, Hex.lowercase(body.rootHash) == root,
                        checkpoint.rootHash == root
                    else {
                        found(LogProblem(.checkpoint(treeSize: checkpoint.treeSize), "it changed since it was verified (its size or root)"))
                        continue
                    }
                } catch {
                    found(LogProblem(.checkpoint(treeSize: checkpoint.treeSize), "it changed since it was verified: \(error)"))
                }
            }
            guard page.count == 1000, let last = page.last else { return }
            from = last.treeSize + 1
        }
    }

    /// Names each removed month more of whose logged events are gone than its archive holds:
    /// events deleted before retention removed the month, hidden by the removal. Needs a pass
    /// that recomputed every position (``removedByMonth`` complete).
    public mutating func checkRemovedMonths(archived: [PartitionMonth: Int64]) {
        for (month, gone) in removedByMonth.sorted(by: { $0.key < $1.key }) {
            let rows = archived[month] ?? 0
            guard gone > rows else { continue }
            found(
                LogProblem(
                    .month(month),
                    "\(gone) of its logged events are gone, but retention archived \(rows): \(gone - rows) were deleted before retention removed it"))
        }
    }

    /// Names stored events that are neither logged nor queued: inserted behind the server.
    public mutating func checkUnlogged(in store: any AuditStore, limit: Int = 100) async throws(AuditError) {
        for id in try await store.eventIDsOutsideLog(limit: limit) {
            found(LogProblem(.event(id, position: nil), "stored, but in neither the log nor its queue: inserted behind the server"))
        }
    }
}

extension AuditLifecycleStore {
    /// One full verification (`auditledger verify`): the whole log, the events `selection`
    /// names (default: all) recomputed, every stored checkpoint and every witnessed one checked, and
    /// stored events outside the log named. `trustedKeys` empty: the keys the store lists
    /// (weaker: whoever controls the database controls that list).
    public func verifyLog(
        _ selection: LogSelection = .all, trustedKeys: [NoteVerifierKey], witnessed: [String] = []
    ) async throws(AuditError) -> LogVerificationReport {
        let keys = trustedKeys.isEmpty ? try await signingKeys().map(\.key) : trustedKeys
        var auditor = LogAuditor(trustedKeys: keys)
        auditor.addWitnessed(witnessed)
        let archived = try await removedMonthRows()
        let size = try await logStatus().size
        try await auditor.advance(in: self, to: size, recomputing: selection, removed: Set(archived.keys))
        auditor.reportUnreachedWitnesses()
        if selection == .all {
            try await auditor.checkUnlogged(in: self)
            auditor.checkRemovedMonths(archived: archived)
        }
        return auditor.report
    }
}
