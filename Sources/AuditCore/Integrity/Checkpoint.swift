import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A C2SP `tlog-checkpoint`: the log's origin, its size and its RFC 9162 root hash, one per
/// line — the text a signed checkpoint signs (``SignedNote``) — and, as an extension line, the
/// checkpoint it follows (``Link``), so that the store's checkpoints form a chain in which a
/// deleted one leaves its successor naming a checkpoint that is not there.
public struct Checkpoint: Sendable, Hashable {
    /// The checkpoint signed just before, named by its tree size and the SHA-256 of its text
    /// (the signed body, so that more signatures can be added to a note without breaking the
    /// chain). Written as the extension line `previous-checkpoint <size> <base64(hash)>`.
    public struct Link: Sendable, Hashable {
        public var treeSize: Int64
        /// SHA-256 of the previous checkpoint's ``Checkpoint/text``.
        public var textHash: [UInt8]

        public init(treeSize: Int64, textHash: [UInt8]) {
            self.treeSize = treeSize
            self.textHash = textHash
        }

        /// The link to the checkpoint whose text is `text`.
        public init(treeSize: Int64, text: String) {
            self.init(treeSize: treeSize, textHash: Array(SHA256.hash(data: Array(text.utf8))))
        }

        static let keyword = "previous-checkpoint"
        var line: String { "\(Self.keyword) \(treeSize) \(Data(textHash).base64EncodedString())" }
    }

    /// The log's identity, e.g. `audit.example.com/log` (the signing key's name).
    public var origin: String
    public var treeSize: Int64
    /// The 32-byte root hash.
    public var rootHash: [UInt8]
    /// The checkpoint signed before this one; `nil` for the first, and for checkpoints signed
    /// by versions that did not write the link yet (the chain then starts after them).
    public var previous: Link?

    public init(origin: String, treeSize: Int64, rootHash: [UInt8], previous: Link? = nil) {
        self.origin = origin
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.previous = previous
    }

    /// `origin\nsize\nbase64(root)\n`, then `previous-checkpoint size base64(hash)\n` when linked.
    public var text: String {
        var text = "\(origin)\n\(treeSize)\n\(Data(rootHash).base64EncodedString())\n"
        if let previous { text += previous.line + "\n" }
        return text
    }

    /// Parses a checkpoint's text. Extension lines after the root are allowed; a
    /// `previous-checkpoint` line is read (and must be well formed, and at most one), others
    /// are ignored.
    public init?(text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard text.hasSuffix("\n"), lines.count >= 4, !lines[0].isEmpty, let size = Int64(lines[1]), size >= 0, String(size) == lines[1],
            let root = Data(base64Encoded: String(lines[2])), root.count == 32
        else { return nil }
        var previous: Link?
        for line in lines[3...].dropLast() where line.hasPrefix(Link.keyword + " ") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard previous == nil, parts.count == 3, let before = Int64(parts[1]), before >= 0, String(before) == parts[1], before < size,
                let hash = Data(base64Encoded: String(parts[2])), hash.count == 32
            else { return nil }
            previous = Link(treeSize: before, textHash: Array(hash))
        }
        self.init(origin: String(lines[0]), treeSize: size, rootHash: Array(root), previous: previous)
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
