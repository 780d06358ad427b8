/// Where and how large the local spool is. Every property has a documented default.
public struct SpoolConfiguration: Sendable {
    /// The directory holding the spool's files (created when missing, mode 0700).
    public var directory: String
    /// Most bytes the spool's segment files may take on disk; past it writes that cannot reach
    /// the store get 503. Default 1 GiB.
    public var maximumBytes: Int64
    /// Size at which a segment file is closed and the next one started. Default 16 MiB.
    public var segmentBytes: Int64
    /// Largest record (one request's events) the spool writes: a request whose events could be
    /// larger is refused (`413`) before it is answered, whether or not the store is up.
    /// Default 64 MiB (a request of the default 5 MiB body limit fits many times over).
    public var maximumRecordBytes: Int
    /// For the fault tests only: a point at which the process kills itself (`SIGKILL`), to
    /// check that a crash there loses nothing. Default `nil` (never).
    public var crashPoint: SpoolCrashPoint?
    /// Whether every append is flushed to disk (`fsync`) before it returns. Default `true`: what
    /// the server needs before it answers `202`. With `false` an append returns once the
    /// operating system has the bytes — they survive the process being killed, not the machine
    /// losing power — and ``Spool/sync()`` flushes them (the producer client calls it every
    /// interval, so that recording an event never waits for the disk).
    public var flushEachAppend: Bool

    /// Creates a configuration; every parameter but `directory` defaults to the value documented on its property.
    public init(
        directory: String, maximumBytes: Int64 = 1 << 30, segmentBytes: Int64 = 16 << 20, maximumRecordBytes: Int = 64 << 20,
        crashPoint: SpoolCrashPoint? = nil, flushEachAppend: Bool = true
    ) {
        self.directory = directory
        self.maximumBytes = maximumBytes
        self.segmentBytes = segmentBytes
        self.maximumRecordBytes = min(maximumRecordBytes, SpoolRecord.readLimit)
        self.crashPoint = crashPoint
        self.flushEachAppend = flushEachAppend
    }
}

/// Where the fault tests make a server crash (`AUDITLEDGER_TEST_SPOOL_CRASH`).
public enum SpoolCrashPoint: String, Sendable, CaseIterable {
    /// After the spool's state says it is empty, before its segments are deleted.
    case clearing
    /// After the store committed replayed events, before the spool's cursor moved past them.
    case replayed
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
    /// Events written to the spool and not yet stored (or quarantined).
    public var events: Int
    /// Records (one per request) not yet stored.
    public var records: Int
    /// Bytes the segment files take on disk.
    public var bytes: Int64
    /// The size limit.
    public var maximumBytes: Int64
    /// Damaged regions found (torn tail records after a crash, corrupt bytes), kept in `corrupt/`.
    public var corruptRegions: Int
    /// Files an older version left in `rejected/` (bring them back with
    /// `auditledger spool recover-rejected`).
    public var legacyRejectedFiles: Int
    /// Why replay has stopped, when a record with an intact checksum does not decode (an
    /// operator must look: usually an older AuditLedger reading a newer spool).
    public var blockedReason: String?
    /// Whether nothing waits to be stored: the cursor has reached the end of the last segment.
    public var isEmpty: Bool
    /// Whether the last write was refused for want of room (until replay frees some).
    public var isFull: Bool
    /// Whether the spool can take the next write: below its size limit, and no write refused
    /// for want of room since replay last freed some.
    public var hasRoom: Bool { !isFull && bytes < maximumBytes }
}
