/// Tree heads and RFC 9162 proofs over a store's log, from its stored perfect subtrees
/// (``LogNode``) and, below ``LogFrontier/storedLevel`` or where a subtree is not stored, its
/// leaves.
extension AuditStore {
    /// MTH of each range of log positions.
    /// - Throws: `internal-error` when the log lacks a position in a range, or a leaf hash
    ///   does not read back (the log was changed behind the store).
    public func logRangeRoots(_ ranges: [Range<Int64>]) async throws(AuditError) -> [MerkleTree.Hash] {
        let pieces = ranges.map(LogProofPlan.perfectNodes)
        var hashes = try await logNodes(Array(Set(pieces.joined().filter { $0.level >= LogFrontier.storedLevel })))
        for node in Set(pieces.joined()) where hashes[node] == nil {
            hashes[node] = MerkleTree.root(try await logLeaves(node.leaves)[...])
        }
        return pieces.map { nodes in LogProofPlan.fold(nodes.map { hashes[$0] ?? [] }) }
    }

    /// MTH of the first `size` positions.
    public func logRoot(size: Int64) async throws(AuditError) -> MerkleTree.Hash {
        guard size > 0 else { return MerkleTree.root([]) }
        return try await logRangeRoots([0..<size])[0]
    }

    /// The audit path of position `index` in the tree of `treeSize` positions.
    /// - Precondition: `0 <= index < treeSize`.
    public func inclusionPath(index: Int64, treeSize: Int64) async throws(AuditError) -> [MerkleTree.Hash] {
        try await logRangeRoots(LogProofPlan.inclusion(index: index, size: treeSize))
    }

    /// The consistency proof from the tree of `first` positions to that of `second`.
    /// - Precondition: `0 <= first <= second`.
    public func consistencyPath(from first: Int64, to second: Int64) async throws(AuditError) -> [MerkleTree.Hash] {
        try await logRangeRoots(LogProofPlan.consistency(first: first, second: second))
    }

    /// The ``LogMultiProof`` of `positions` (ascending, without repeats) in the tree of
    /// `treeSize` positions. Ranges of 256 leaves or more come from the stored subtrees; the
    /// small ones between the positions are hashed from leaves read 16,384 at a time.
    public func logMultiProof(positions: [Int64], treeSize: Int64) async throws(AuditError) -> [MerkleTree.Hash] {
        let ranges = LogMultiProof.ranges(size: treeSize, positions: positions)
        let width = Int64(1) << LogFrontier.storedLevel
        var hashes = [MerkleTree.Hash](repeating: [], count: ranges.count)
        let large = ranges.indices.filter { ranges[$0].count >= width }
        for (index, hash) in zip(large, try await logRangeRoots(large.map { ranges[$0] })) { hashes[index] = hash }
        let chunk: Int64 = 16_384
        let small = Dictionary(grouping: ranges.indices.filter { ranges[$0].count < width }) { ranges[$0].lowerBound / chunk }
        for key in small.keys.sorted() {
            let members = small[key] ?? []
            guard let low = members.map({ ranges[$0].lowerBound }).min(), let high = members.map({ ranges[$0].upperBound }).max() else { continue }
            let leaves = try await logLeaves(low..<high)
            for index in members {
                let range = ranges[index]
                hashes[index] = MerkleTree.root(leaves[Int(range.lowerBound - low)..<Int(range.upperBound - low)])
            }
        }
        return hashes
    }

    /// The leaf hashes of `range` as bytes, every position present.
    public func logLeaves(_ range: Range<Int64>) async throws(AuditError) -> [MerkleTree.Hash] {
        let texts = try await logLeafHashes(range)
        guard texts.count == range.count else {
            throw AuditError(
                .internalError,
                detail: "the log lacks positions between \(range.lowerBound) and \(range.upperBound - 1): it was changed behind AuditLedger")
        }
        var leaves: [MerkleTree.Hash] = []
        leaves.reserveCapacity(texts.count)
        for (offset, text) in texts.enumerated() {
            guard Hex.isLowercase(text, count: 64), let leaf = Hex.bytes(text) else {
                throw AuditError(.internalError, detail: "the log's leaf hash at position \(range.lowerBound + Int64(offset)) does not read back")
            }
            leaves.append(leaf)
        }
        return leaves
    }
}
