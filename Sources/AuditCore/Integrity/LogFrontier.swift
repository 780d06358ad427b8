import Crypto

/// A perfect subtree of the log: the `2^level` leaves from `index << level` (RFC 9162's
/// MTH of D[index·2^level : (index+1)·2^level]).
public struct LogNodeID: Sendable, Hashable, Comparable {
    public var level: Int
    public var index: Int64

    public init(level: Int, index: Int64) {
        self.level = level
        self.index = index
    }

    /// The positions it covers.
    public var leaves: Range<Int64> { (index << level)..<((index + 1) << level) }

    public static func < (lhs: LogNodeID, rhs: LogNodeID) -> Bool { (lhs.level, lhs.index) < (rhs.level, rhs.index) }
}

/// A perfect subtree and its hash, as the store keeps them (`auditledger_log_nodes`) so that
/// proofs need not read every leaf.
public struct LogNode: Sendable, Hashable {
    public var id: LogNodeID
    public var hash: [UInt8]

    public init(id: LogNodeID, hash: [UInt8]) {
        self.id = id
        self.hash = hash
    }
}

/// The roots of the perfect subtrees that make up the tree of the first ``size`` leaves,
/// largest first (one per bit set in ``size``): enough to extend the tree by more leaves and
/// to compute its root, without the leaves before. A checkpoint keeps its frontier.
public struct LogFrontier: Sendable, Hashable {
    /// Perfect subtrees of at least `2^storedLevel` leaves are kept by the store
    /// (``append(_:)`` returns them): 256 leaves, so a proof reads at most a few hundred leaves.
    public static let storedLevel = 8

    public private(set) var size: Int64
    public private(set) var nodes: [MerkleTree.Hash]

    /// The empty tree's frontier.
    public init() {
        size = 0
        nodes = []
    }

    /// A frontier read back; `nil` unless `nodes` has one hash of 32 bytes per bit set in `size`.
    public init?(size: Int64, nodes: [MerkleTree.Hash]) {
        guard size >= 0, nodes.count == size.nonzeroBitCount, nodes.allSatisfy({ $0.count == 32 }) else { return nil }
        self.size = size
        self.nodes = nodes
    }

    /// Appends a leaf hash; returns the perfect subtrees it completed at ``storedLevel`` or above.
    @discardableResult
    public mutating func append(_ leaf: MerkleTree.Hash) -> [LogNode] {
        var completed: [LogNode] = []
        var hash = leaf
        var level = 0
        let position = size
        while (position >> level) & 1 == 1 {
            hash = MerkleTree.node(nodes.removeLast(), hash)
            level += 1
            if level >= Self.storedLevel { completed.append(LogNode(id: LogNodeID(level: level, index: position >> level), hash: hash)) }
        }
        nodes.append(hash)
        size += 1
        return completed
    }

    /// MTH of the first ``size`` leaves.
    public var root: MerkleTree.Hash {
        guard var hash = nodes.last else { return Array(SHA256.hash(data: [UInt8]())) }
        for node in nodes.dropLast().reversed() { hash = MerkleTree.node(node, hash) }
        return hash
    }

    /// The nodes as one lowercase hex string (how the store keeps them).
    public var hex: String { nodes.map(Hex.lowercase).joined() }

    /// Reads ``hex`` back.
    public init?(size: Int64, hex: String) {
        guard let bytes = Hex.bytes(hex), bytes.count % 32 == 0 else { return nil }
        self.init(size: size, nodes: stride(from: 0, to: bytes.count, by: 32).map { Array(bytes[$0..<$0 + 32]) })
    }
}
