/// An inclusion proof for many leaves at once: that a set of log positions, with their leaf
/// hashes, is part of the tree of one size (docs/integrity.md, "Bundles").
///
/// It walks RFC 9162's recursion for MTH(D[0:size]) (split at the largest power of two below
/// the length) from the left; every subtree that holds none of the positions is one proof
/// hash, in the order the walk meets it; a subtree holding some is split further, down to the
/// leaves themselves. For one position these are the hashes of that leaf's audit path (in the
/// walk's order); for a contiguous run of positions about 2·log₂(size) hashes, whatever the
/// run's length.
public enum LogMultiProof {
    /// The ranges of positions whose MTH make up the proof of `positions` in the tree of
    /// `size` leaves, in proof order.
    /// - Precondition: `positions` ascending, without repeats, each in `0..<size`.
    public static func ranges(size: Int64, positions: [Int64]) -> [Range<Int64>] {
        var ranges: [Range<Int64>] = []
        var cursor = 0
        func walk(_ low: Int64, _ high: Int64) {
            guard cursor < positions.count, positions[cursor] < high else {
                ranges.append(low..<high)
                return
            }
            guard high - low > 1 else {
                cursor += 1
                return
            }
            let split = low + LogProofPlan.largestPowerOfTwo(below: high - low)
            walk(low, split)
            walk(split, high)
        }
        if size > 0 { walk(0, size) }
        return ranges
    }

    /// Why a proof does not hold.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// A position repeats, is out of order, or lies outside the tree.
        case badPositions(String)
        /// The proof has fewer or more hashes than the positions and size need.
        case wrongLength(needed: String)
        public var description: String {
            switch self {
            case .badPositions(let why): "its positions \(why)"
            case .wrongLength(let needed): "its proof has \(needed)"
            }
        }
    }

    /// MTH(D[0:`size`]) from the leaf hashes of `leaves` (position, hash; ascending) and `proof`.
    /// The proof holds when this equals the root of a checkpoint of `size`.
    public static func root(
        size: Int64, leaves: [(position: Int64, hash: MerkleTree.Hash)], proof: [MerkleTree.Hash]
    ) throws(Failure) -> MerkleTree.Hash {
        var previous: Int64 = -1
        for leaf in leaves {
            guard leaf.position > previous else { throw .badPositions("are not ascending without repeats (at \(leaf.position))") }
            guard leaf.position < size else { throw .badPositions("reach \(leaf.position), beyond the tree of \(size)") }
            previous = leaf.position
        }
        guard size > 0 else {
            guard proof.isEmpty else { throw .wrongLength(needed: "\(proof.count) hashes for an empty tree") }
            return MerkleTree.root([])
        }
        var cursor = 0
        var used = 0
        var short = false
        func walk(_ low: Int64, _ high: Int64) -> MerkleTree.Hash {
            guard cursor < leaves.count, leaves[cursor].position < high else {
                guard used < proof.count else {
                    short = true
                    return []
                }
                used += 1
                return proof[used - 1]
            }
            guard high - low > 1 else {
                cursor += 1
                return leaves[cursor - 1].hash
            }
            let split = low + LogProofPlan.largestPowerOfTwo(below: high - low)
            let left = walk(low, split)
            return MerkleTree.node(left, walk(split, high))
        }
        let root = walk(0, size)
        guard !short else { throw .wrongLength(needed: "too few hashes (\(proof.count))") }
        guard used == proof.count else { throw .wrongLength(needed: "\(proof.count) hashes, \(proof.count - used) more than needed") }
        return root
    }
}
