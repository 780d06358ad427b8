import AuditCore
import Crypto
import Testing

/// The frontier checkpoints extend, and the proof plans the API resolves from stored
/// subtrees, against ``MerkleTree`` (itself checked against RFC 6962's reference heads).
@Suite struct LogFrontierTests {
    static func leaves(_ count: Int) -> [MerkleTree.Hash] {
        (0..<count).map { Array(SHA256.hash(data: [0x00] + Array("leaf \($0)".utf8))) }
    }

    @Test("Appending leaf by leaf gives MTH at every size up to 600, and reports each perfect subtree of 256+ leaves once")
    func frontier() throws {
        let leaves = Self.leaves(600)
        var frontier = LogFrontier()
        #expect(frontier.root == MerkleTree.root([]))
        var stored: [LogNode] = []
        for (index, leaf) in leaves.enumerated() {
            stored += frontier.append(leaf)
            #expect(frontier.size == Int64(index + 1))
            #expect(frontier.root == MerkleTree.root(leaves[...index]), "size \(index + 1)")
        }
        #expect(stored.map(\.id) == [LogNodeID(level: 8, index: 0), LogNodeID(level: 8, index: 1), LogNodeID(level: 9, index: 0)])
        for node in stored {
            let range = Int(node.id.leaves.lowerBound)..<Int(node.id.leaves.upperBound)
            #expect(node.hash == MerkleTree.root(leaves[range]))
        }
        let restored = try #require(LogFrontier(size: frontier.size, hex: frontier.hex))
        #expect(restored == frontier)
        #expect(LogFrontier(size: frontier.size + 1, hex: frontier.hex) == nil)
        #expect(LogFrontier(size: frontier.size, hex: String(frontier.hex.dropLast(2))) == nil)
    }

    /// Resolves a plan's ranges directly from the leaves.
    static func roots(_ ranges: [Range<Int64>], _ leaves: [MerkleTree.Hash]) -> [MerkleTree.Hash] {
        ranges.map { range in
            LogProofPlan.fold(
                LogProofPlan.perfectNodes(range).map { node in
                    MerkleTree.root(leaves[Int(node.leaves.lowerBound)..<Int(node.leaves.upperBound)])
                })
        }
    }

    @Test("Inclusion and consistency plans give RFC 9162's proofs for every index and pair of sizes up to 40")
    func plans() {
        let leaves = Self.leaves(40)
        for size in 1...40 {
            for index in 0..<size {
                let planned = Self.roots(LogProofPlan.inclusion(index: Int64(index), size: Int64(size)), leaves)
                #expect(planned == MerkleTree.inclusionProof(index: index, leaves[..<size]), "index \(index), size \(size)")
            }
            for first in 0...size {
                let planned = Self.roots(LogProofPlan.consistency(first: Int64(first), second: Int64(size)), leaves)
                #expect(planned == MerkleTree.consistencyProof(from: first, leaves[..<size]), "\(first) → \(size)")
            }
        }
    }

    @Test("Perfect nodes of a range are aligned and cover it exactly")
    func perfectNodes() {
        #expect(LogProofPlan.perfectNodes(0..<7) == [LogNodeID(level: 2, index: 0), LogNodeID(level: 1, index: 2), LogNodeID(level: 0, index: 6)])
        #expect(LogProofPlan.perfectNodes(512..<768) == [LogNodeID(level: 8, index: 2)])
        #expect(LogProofPlan.perfectNodes(8..<13) == [LogNodeID(level: 2, index: 2), LogNodeID(level: 0, index: 12)])
    }
}
