/// Which subtrees make up RFC 9162's proofs, as ranges of leaf positions: each proof element
/// is MTH of one range, computed from the perfect subtrees of ``perfectNodes(_:)`` (stored
/// ones where the store keeps them, ``LogFrontier/storedLevel``).
public enum LogProofPlan {
    /// The ranges whose roots form PATH(`index`, D[0:`size`]), in proof order.
    /// - Precondition: `0 <= index < size`.
    public static func inclusion(index: Int64, size: Int64) -> [Range<Int64>] {
        var ranges: [Range<Int64>] = []
        var low: Int64 = 0
        var high = size
        // Walk down from the root; siblings are met top-down, the proof lists them bottom-up.
        while high - low > 1 {
            let split = low + largestPowerOfTwo(below: high - low)
            if index < split {
                ranges.append(split..<high)
                high = split
            } else {
                ranges.append(low..<split)
                low = split
            }
        }
        return ranges.reversed()
    }

    /// The ranges whose roots form PROOF(`first`, D[0:`second`]), in proof order; none when
    /// `first` is 0 or `second`.
    public static func consistency(first: Int64, second: Int64) -> [Range<Int64>] {
        guard first > 0, first < second else { return [] }
        var ranges: [Range<Int64>] = []
        var m = first
        var low: Int64 = 0
        var high = second
        var complete = true
        while m != high - low {
            let k = largestPowerOfTwo(below: high - low)
            if m <= k {
                ranges.append((low + k)..<high)
                high = low + k
            } else {
                ranges.append(low..<(low + k))
                low += k
                m -= k
                complete = false
            }
        }
        if !complete { ranges.append(low..<high) }
        return ranges.reversed()
    }

    /// The perfect subtrees whose hashes, folded right to left, give MTH of `range` — the
    /// binary decomposition of its length, largest first. Every range of ``inclusion(index:size:)``
    /// and ``consistency(first:second:)`` starts at a multiple of its largest piece.
    public static func perfectNodes(_ range: Range<Int64>) -> [LogNodeID] {
        var nodes: [LogNodeID] = []
        var start = range.lowerBound
        while start < range.upperBound {
            var level = 63 - (range.upperBound - start).leadingZeroBitCount
            while start & ((1 << level) - 1) != 0 { level -= 1 }
            nodes.append(LogNodeID(level: level, index: start >> level))
            start += 1 << level
        }
        return nodes
    }

    /// MTH of a range from the hashes of its ``perfectNodes(_:)``, in that order.
    public static func fold(_ hashes: [MerkleTree.Hash]) -> MerkleTree.Hash {
        guard var hash = hashes.last else { return [] }
        for node in hashes.dropLast().reversed() { hash = MerkleTree.node(node, hash) }
        return hash
    }

    static func largestPowerOfTwo(below n: Int64) -> Int64 {
        var k: Int64 = 1
        while k << 1 < n { k <<= 1 }
        return k
    }
}
