extension String {
    /// Whether `other` has exactly the same UTF-8 bytes (so the same Unicode scalars): unlike
    /// `==`, canonically equivalent but different text (`"é"` and `"e\u{301}"`) is not the same.
    ///
    /// Compares the lengths, then the two strings' contiguous bytes. The generic
    /// `utf8.elementsEqual(_:)` it replaces walked both views byte by byte through their
    /// iterators: a tenth of the server's CPU in batch ingest, where every field read looks a
    /// member up by name (docs/performance.md).
    @inlinable
    public func hasSameBytes(as other: String) -> Bool {
        let left = utf8
        let right = other.utf8
        guard left.count == right.count else { return false }
        let compared = left.withContiguousStorageIfAvailable { leftBytes in
            right.withContiguousStorageIfAvailable { rightBytes in leftBytes.elementsEqual(rightBytes) }
        }
        if let compared, let equal = compared { return equal }
        return left.elementsEqual(right)
    }

    /// Whether this string's UTF-8 bytes sort before `other`'s (byte by byte, a prefix first):
    /// the order of member names in canonical encodings, independent of Unicode collation.
    ///
    /// Compares the two strings' contiguous bytes, as ``hasSameBytes(as:)`` does.
    @inlinable
    public func precedesByBytes(_ other: String) -> Bool {
        let left = utf8
        let right = other.utf8
        let compared = left.withContiguousStorageIfAvailable { leftBytes in
            right.withContiguousStorageIfAvailable { rightBytes -> Bool in
                let common = Swift.min(leftBytes.count, rightBytes.count)
                var index = 0
                while index < common {
                    let (l, r) = (leftBytes[index], rightBytes[index])
                    if l != r { return l < r }
                    index += 1
                }
                return leftBytes.count < rightBytes.count
            }
        }
        if let compared, let precedes = compared { return precedes }
        return left.lexicographicallyPrecedes(right)
    }
}
