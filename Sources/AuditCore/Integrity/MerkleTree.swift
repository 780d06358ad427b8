import Crypto

/// The Merkle tree hash of RFC 9162 (§2.1) over the log's leaf hashes, with inclusion and
/// consistency proofs and their verification. Leaves are already hashed:
/// SHA-256(0x00 ‖ canonical encoding) (``EventDigest/leafHash``); an inner node is
/// SHA-256(0x01 ‖ left ‖ right); the empty tree's hash is SHA-256 of nothing.
///
/// These functions take every leaf of the tree (or of the subtree asked about), so they cost
/// O(n) hashing: the building blocks the checkpoints and proofs are made from, checked against
/// RFC 6962's reference tree heads.
public enum MerkleTree {
    public typealias Hash = [UInt8]

    /// SHA-256(0x01 ‖ `left` ‖ `right`).
    public static func node(_ left: Hash, _ right: Hash) -> Hash {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }

    /// MTH(D[n]) of RFC 9162 over leaf hashes.
    public static func root(_ leaves: ArraySlice<Hash>) -> Hash {
        switch leaves.count {
        case 0: return Array(SHA256.hash(data: [UInt8]()))
        case 1: return leaves[leaves.startIndex]
        default:
            let split = leaves.startIndex + largestPowerOfTwo(below: leaves.count)
            return node(root(leaves[..<split]), root(leaves[split...]))
        }
    }

    /// PATH(m, D[n]): the audit path of leaf `index` in the tree of `leaves`.
    /// - Precondition: `index < leaves.count`.
    public static func inclusionProof(index: Int, _ leaves: ArraySlice<Hash>) -> [Hash] {
        guard leaves.count > 1 else { return [] }
        let k = largestPowerOfTwo(below: leaves.count)
        let split = leaves.startIndex + k
        if index < k {
            return inclusionProof(index: index, leaves[..<split]) + [root(leaves[split...])]
        }
        return inclusionProof(index: index - k, leaves[split...]) + [root(leaves[..<split])]
    }

    /// PROOF(m, D[n]): the proof that the tree of the first `size` leaves is a prefix of the
    /// tree of all `leaves`. Empty when `size` is 0 or every leaf.
    public static func consistencyProof(from size: Int, _ leaves: ArraySlice<Hash>) -> [Hash] {
        guard size > 0, size < leaves.count else { return [] }
        return subproof(size, leaves, complete: true)
    }

    private static func subproof(_ m: Int, _ leaves: ArraySlice<Hash>, complete: Bool) -> [Hash] {
        let n = leaves.count
        if m == n { return complete ? [] : [root(leaves)] }
        let k = largestPowerOfTwo(below: n)
        let split = leaves.startIndex + k
        if m <= k {
            return subproof(m, leaves[..<split], complete: complete) + [root(leaves[split...])]
        }
        return subproof(m - k, leaves[split...], complete: false) + [root(leaves[..<split])]
    }

    /// RFC 9162 §2.1.3.2: whether `proof` shows leaf `index` with hash `leaf` in the tree of
    /// `size` leaves whose root is `root`.
    public static func verifyInclusion(leaf: Hash, index: Int, size: Int, proof: [Hash], root: Hash) -> Bool {
        guard index >= 0, index < size else { return false }
        var fn = index
        var sn = size - 1
        var r = leaf
        for p in proof {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                r = node(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// RFC 9162 §2.1.4.2: whether `proof` shows the tree of `firstSize` leaves (root
    /// `firstRoot`) is a prefix of the tree of `secondSize` leaves (root `secondRoot`).
    public static func verifyConsistency(firstSize: Int, secondSize: Int, firstRoot: Hash, secondRoot: Hash, proof: [Hash]) -> Bool {
        guard firstSize >= 0, firstSize <= secondSize else { return false }
        if firstSize == secondSize { return proof.isEmpty && firstRoot == secondRoot }
        if firstSize == 0 { return proof.isEmpty }
        guard !proof.isEmpty else { return false }
        var path = proof
        if firstSize & (firstSize - 1) == 0 { path.insert(firstRoot, at: 0) }
        var fn = firstSize - 1
        var sn = secondSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = node(c, fr)
                sr = node(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == firstRoot && sr == secondRoot && sn == 0
    }

    /// The largest power of two smaller than `n` (n ≥ 2).
    static func largestPowerOfTwo(below n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }
}
