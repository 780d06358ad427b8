/// Where and how large the local spool is. Every property has a documented default.
public struct SpoolConfiguration: Sendable {
    /// The directory holding the spool's files (created when missing, mode 0700).
    public var directory: String
    /// Most bytes the spool's segment files may take on disk; past it writes that cannot reach
    /// the store get 503. Default 1 GiB.
    public var maximumBytes: Int64
    /// Size at which a segment file is closed and the next one started. Default 16 MiB.
    public var segmentBytes: Int64

    /// Creates a configuration; every parameter but `directory` defaults to the value documented on its property.
    public init(directory: String, maximumBytes: Int64 = 1 << 30, segmentBytes: Int64 = 16 << 20) {
        self.directory = directory
        self.maximumBytes = maximumBytes
        self.segmentBytes = segmentBytes
    }
}

/// A place in the spool: a segment file and a byte offset in it.
public struct SpoolPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var segment: UInt64
    public var offset: Int64

    public static func < (lhs: SpoolPosition, rhs: SpoolPosition) -> Bool {
        (lhs.segment, lhs.offset) < (rhs.segment, rhs.offset)
    }

    public var description: String { "\(segment):\(offset)" }
}

/// What the spool holds now, for readiness and metrics.
public struct SpoolStatus: Sendable, Hashable {
    /// Events written to the spool and not yet stored.
    public var events: Int
    /// Records (one per request) not yet stored.
    public var records: Int
    /// Bytes the segment files take on disk.
    public var bytes: Int64
    /// The size limit.
    public var maximumBytes: Int64
    /// Records the store refused on replay, kept in `rejected/` (see the operations guide).
    public var rejectedRecords: Int
    /// Damaged regions found (torn tail records after a crash, corrupt bytes), kept in `corrupt/`.
    public var corruptRegions: Int

    /// Whether nothing waits to be stored.
    public var isEmpty: Bool { records == 0 }
}
