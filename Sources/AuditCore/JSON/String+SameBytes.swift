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
        guard utf8.count == other.utf8.count else { return false }
        return withBytes(and: other) { $0.elementsEqual($1) } ?? utf8.elementsEqual(other.utf8)
    }

    /// Whether this string's UTF-8 bytes sort before `other`'s (byte by byte, a prefix first):
    /// the order of member names in canonical encodings, independent of Unicode collation.
    /// Compares the two strings' contiguous bytes, as ``hasSameBytes(as:)`` does.
    @inlinable
    public func precedesByBytes(_ other: String) -> Bool {
        withBytes(and: other) { $0.lexicographicallyPrecedes($1) } ?? utf8.lexicographicallyPrecedes(other.utf8)
    }

    /// `body` over both strings' UTF-8 bytes in place, or `nil` when either is not stored
    /// contiguously (never for a native Swift string; the callers then walk the views).
    @usableFromInline
    func withBytes<Result>(and other: String, _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Result) -> Result? {
        let compared = utf8.withContiguousStorageIfAvailable { mine in
            other.utf8.withContiguousStorageIfAvailable { theirs in body(mine, theirs) }
        }
        return compared ?? nil
    }
}
