/// Verifies a store's log against its events and its signed checkpoints, incrementally: what
/// `auditledger verify` runs once over everything and the background verifier keeps running.
///
/// ``advance(in:to:recomputing:removed:)`` reads the log from where it stopped: each entry's event
/// is recomputed from its stored columns and compared with the entry (changed, deleted, hash
/// replaced); the tree is rebuilt from the entries' leaf hashes, checking stored subtrees, and every
/// stored or witnessed checkpoint is checked (signature by a trusted key, note against its columns,
/// root against the rebuilt tree at its size). ``recheck(in:positions:removed:)`` re-reads positions
/// already verified and compares their leaves with the subtree roots computed the first time.
/// ``checkUnlogged(in:limit:)`` names stored events outside the log and its queue. Reads are
/// ordered so that writes going on meanwhile raise no false alarm.
public struct LogAuditor: Sendable {
    /// Problems kept in the report (all are counted).
    public static let problemLimit = 1000
    /// Entries read per query.
    public static let chunk: Int64 = 10_000

    /// Keys whose signatures are trusted.
    public var trustedKeys: [NoteVerifierKey]
    public internal(set) var report = LogVerificationReport()
    /// Logged events found gone because retention removed their month, by month (``checkRemovedMonths(archived:)``).
    public internal(set) var removedByMonth: [PartitionMonth: Int64] = [:]
    /// The tree rebuilt so far.
    public private(set) var frontier = LogFrontier()
    /// Roots of the 256-leaf blocks, as computed from the leaves when first verified (32 bytes
    /// per 256 events: 1.3 MB for ten million).
    private var blocks: [Int64: MerkleTree.Hash] = [:]
    /// Leaves after the last whole block, as first verified.
    var tail: [MerkleTree.Hash] = []
    /// Roots of the checkpoints found good, by tree size (40 bytes each), for re-checks.
    var goodCheckpoints: [Int64: String] = [:]
    /// Checkpoints of sizes up to this one were checked.
    private var checkedThrough: Int64 = -1
    /// Witnessed checkpoints not reached yet: size → root.
    private var witnessed: [Int64: [MerkleTree.Hash]] = [:]
    /// The last size at which a checkpoint's root matched.
    private var lastGoodSize: Int64 = 0
    /// The last stored checkpoint checked (the link its successor must name), and whether any
    /// checkpoint checked so far carried a link (from then on every one must).
    var chain = CheckpointChain()

    public init(trustedKeys: [NoteVerifierKey]) {
        self.trustedKeys = trustedKeys
    }

    mutating func rememberBlock(_ node: LogNode) { blocks[node.id.index] = node.hash }

    func blockRoot(_ index: Int64) -> MerkleTree.Hash? { blocks[index] }

    /// Witnessed checkpoints larger than the log: entries were removed from its end.
    public mutating func reportUnreachedWitnesses() {
        for size in witnessed.keys.sorted() where size > frontier.size {
            found(
                LogProblem(.checkpoint(treeSize: size), "a witness holds a checkpoint of this size, but the log holds only \(frontier.size) entries"))
        }
    }

    /// Empties the report's problem list (its counts stay), so that a long-running verifier's
    /// report does not fill up with problems it has already handed on.
    public mutating func forgetProblems() {
        report.problems.removeAll()
        report.problemCount = 0
    }

    mutating func found(_ problem: LogProblem) {
        report.problemCount += 1
        if report.problems.count < Self.problemLimit { report.problems.append(problem) }
    }

    /// Witnessed checkpoints (signed notes from a witness file): each is checked for a trusted
    /// signature now, and against the tree when the pass reaches its size.
    public mutating func addWitnessed(_ notes: [String]) {
        for text in notes {
            do {
                let note = try SignedNote(parsing: text)
                _ = try note.verifiedKey(among: trustedKeys)
                guard let checkpoint = Checkpoint(text: note.text) else { throw SignedNote.Problem.malformed("not a checkpoint") }
                witnessed[checkpoint.treeSize, default: []].append(checkpoint.rootHash)
            } catch {
                found(
                    LogProblem(
                        .checkpoint(treeSize: Checkpoint(text: (try? SignedNote(parsing: text))?.text ?? "")?.treeSize ?? -1),
                        "witnessed, but refused: \(error)"))
            }
        }
    }

    /// Verifies the log from where the last call stopped up to `size` positions. Events at
    /// positions in `recomputing` (default: all) are recomputed; `removed` holds the months
    /// retention removed (their events are not expected to be stored).
    public mutating func advance(
        in store: any AuditStore, to size: Int64, recomputing: LogSelection = .all, removed: Set<PartitionMonth>
    ) async throws(AuditError) {
        if checkedThrough < 0 {
            check(at: 0, try await storedCheckpoints(in: store, 0...0))
            checkedThrough = 0
        }
        try await checkNothingVerifiedIsGone(in: store, size: size)
        while frontier.size < size {
            let start = frontier.size
            let end = min(size, start + Self.chunk)
            let entries = try await store.logEntries(positions: start..<end)
            guard entries.count == Int(end - start), entries.enumerated().allSatisfy({ $0.element.position == start + Int64($0.offset) }) else {
                found(
                    LogProblem(.log(start..<end), "\(Int(end - start) - entries.count) positions are missing or out of order: entries were removed"))
                return
            }
            try await checkEvents(entries, in: store, recomputing: recomputing, removed: removed)
            let targets = try await storedCheckpoints(in: store, (start + 1)...end)
            var nodes: [LogNode] = []
            for entry in entries {
                if frontier.size > start { check(at: frontier.size, targets) }
                guard let leaf = Hex.bytes(entry.leafHash), leaf.count == 32 else {
                    found(LogProblem(.event(entry.eventID, position: entry.position), "its leaf hash in the log does not read back"))
                    nodes += frontier.append([UInt8](repeating: 0, count: 32))
                    continue
                }
                let completed = frontier.append(leaf)
                nodes += completed
                if completed.contains(where: { $0.id.level == LogFrontier.storedLevel }) { tail.removeAll() } else { tail.append(leaf) }
            }
            check(at: end, targets)
            checkedThrough = end
            try await checkNodes(nodes, in: store)
            report.treeSize = frontier.size
        }
        try await checkBeyond(in: store, size: size)
    }

    /// Stored checkpoints with tree sizes in `sizes`, smallest first.
    private func storedCheckpoints(in store: any AuditStore, _ sizes: ClosedRange<Int64>) async throws(AuditError) -> [StoredCheckpoint] {
        var found: [StoredCheckpoint] = []
        var from = sizes.lowerBound
        while true {
            let page = try await store.checkpoints(from: from, limit: 1000)
            found += page.filter { sizes.contains($0.treeSize) }
            guard page.count == 1000, let last = page.last, last.treeSize < sizes.upperBound else { return found }
            from = last.treeSize + 1
        }
    }

    /// Checks the checkpoints of tree size `size` (stored, and witnessed) against the tree,
    /// which must have exactly `size` leaves now.
    private mutating func check(at size: Int64, _ stored: [StoredCheckpoint]) {
        // Called at every position of a pass: the root is computed only where something is checked.
        guard stored.contains(where: { $0.treeSize == size }) || witnessed[size] != nil else { return }
        let root = frontier.root
        for checkpoint in stored where checkpoint.treeSize == size {
            report.checkpointsChecked += 1
            do {
                let note = try SignedNote(parsing: checkpoint.note)
                let key: NoteVerifierKey
                do {
                    key = try note.verifiedKey(among: trustedKeys)
                } catch {
                    chain.pass(over: size, text: note.text)
                    throw error
                }
                guard let body = Checkpoint(text: note.text), body.treeSize == size, Hex.lowercase(body.rootHash) == checkpoint.rootHash,
                    body.origin == key.name
                else {
                    chain.pass(over: size, text: note.text)
                    found(LogProblem(.checkpoint(treeSize: size), "its signed note does not say what its columns say (size, root or origin)"))
                    continue
                }
                if let problem = chain.follow(body, text: note.text) { found(LogProblem(.checkpoint(treeSize: size), problem)) }
            } catch {
                found(LogProblem(.checkpoint(treeSize: size), "\(error)"))
                continue
            }
            if checkpoint.rootHash != Hex.lowercase(root) {
                found(
                    LogProblem(
                        .checkpoint(treeSize: size),
                        "its root is not the log's at that size: the log was changed between positions \(lastGoodSize) and \(size - 1) (an event changed, removed, inserted or moved)"
                    ))
            } else {
                lastGoodSize = size
                goodCheckpoints[size] = checkpoint.rootHash
            }
        }
        for witnessedRoot in witnessed.removeValue(forKey: size) ?? [] {
            report.witnessedChecked += 1
            if witnessedRoot != root {
                found(
                    LogProblem(
                        .checkpoint(treeSize: size), "a witness holds a checkpoint of this size whose root is not the log's: the log was rewritten"))
            }
        }
    }
}
