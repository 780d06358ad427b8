#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A C2SP `tlog-checkpoint`: the log's origin, its size and its RFC 9162 root hash, one per
/// line — the text a signed checkpoint signs (``SignedNote``).
public struct Checkpoint: Sendable, Hashable {
    /// The log's identity, e.g. `audit.example.com/log` (the signing key's name).
    public var origin: String
    public var treeSize: Int64
    /// The 32-byte root hash.
    public var rootHash: [UInt8]

    public init(origin: String, treeSize: Int64, rootHash: [UInt8]) {
        self.origin = origin
        self.treeSize = treeSize
        self.rootHash = rootHash
    }

    /// `origin\nsize\nbase64(root)\n`.
    public var text: String { "\(origin)\n\(treeSize)\n\(Data(rootHash).base64EncodedString())\n" }

    /// Parses a checkpoint's text (extension lines after the root are allowed and ignored).
    public init?(text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard text.hasSuffix("\n"), lines.count >= 4, !lines[0].isEmpty, let size = Int64(lines[1]), size >= 0, String(size) == lines[1],
            let root = Data(base64Encoded: String(lines[2])), root.count == 32
        else { return nil }
        self.init(origin: String(lines[0]), treeSize: size, rootHash: Array(root))
    }
}

/// A signed checkpoint as the store keeps it (`auditledger_checkpoints`, append-only).
public struct StoredCheckpoint: Sendable, Hashable {
    public var treeSize: Int64
    /// The root hash, lowercase hex.
    public var rootHash: String
    /// The signed note, rendered (``SignedNote/rendered``).
    public var note: String
    /// The signing key, `name+hexid` (``NoteVerifierKey/label``).
    public var keyLabel: String
    /// The log's frontier at this size (``LogFrontier``): where the next checkpoint starts from;
    /// `nil` when the stored one does not read back (the next checkpoint is then rebuilt from
    /// the leaves, and verification reports it).
    public var frontier: LogFrontier?
    public var createdAt: AuditTimestamp

    public init(treeSize: Int64, rootHash: String, note: String, keyLabel: String, frontier: LogFrontier?, createdAt: AuditTimestamp) {
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.note = note
        self.keyLabel = keyLabel
        self.frontier = frontier
        self.createdAt = createdAt
    }
}

/// A key that signed checkpoints, as the store lists it (`auditledger_signing_keys`).
public struct SigningKeyRecord: Sendable, Hashable {
    public var key: NoteVerifierKey
    /// When a checkpoint was first signed with it.
    public var firstUsedAt: AuditTimestamp

    public init(key: NoteVerifierKey, firstUsedAt: AuditTimestamp) {
        self.key = key
        self.firstUsedAt = firstUsedAt
    }
}
