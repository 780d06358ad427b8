import AuditCore
import Crypto
import Testing

@Suite struct LogMultiProofTests {
    static func leaves(_ count: Int) -> [MerkleTree.Hash] {
        (0..<count).map { Array(SHA256.hash(data: [0x00, UInt8($0 & 0xFF), UInt8($0 >> 8)])) }
    }

    /// The proof's hashes, computed from every leaf.
    static func proof(_ leaves: [MerkleTree.Hash], positions: [Int64]) -> [MerkleTree.Hash] {
        LogMultiProof.ranges(size: Int64(leaves.count), positions: positions).map { MerkleTree.root(leaves[Int($0.lowerBound)..<Int($0.upperBound)]) }
    }

    @Test("Any set of positions, in trees of 1 to 70 leaves, proves against the tree's root; one position's proof holds its audit path's hashes")
    func provesAgainstTheRoot() throws {
        var generator = SystemRandomNumberGenerator()
        for size in 1...70 {
            let leaves = Self.leaves(size)
            let root = MerkleTree.root(leaves[...])
            for _ in 0..<8 {
                let positions = (0..<Int64(size)).filter { _ in Bool.random(using: &generator) }
                let proof = Self.proof(leaves, positions: positions)
                let members = positions.map { ($0, leaves[Int($0)]) }
                #expect(try LogMultiProof.root(size: Int64(size), leaves: members, proof: proof) == root, "size \(size) positions \(positions)")
            }
            for index in 0..<size {
                let path = MerkleTree.inclusionProof(index: index, leaves[...])
                let single = Self.proof(leaves, positions: [Int64(index)])
                #expect(single.count == path.count && Set(single) == Set(path), "size \(size) index \(index)")
            }
        }
    }

    @Test("A contiguous run of 1,000 leaves in a tree of 5,000 needs about 2·log₂ n hashes")
    func contiguousRunsAreSmall() {
        let ranges = LogMultiProof.ranges(size: 5000, positions: Array(1234..<2234))
        #expect(ranges.count <= 26)
    }

    @Test("A changed leaf, a missing or extra hash, a position out of order or beyond the tree, is not a proof")
    func refusesWhatDoesNotHold() throws {
        let leaves = Self.leaves(37)
        let root = MerkleTree.root(leaves[...])
        let positions: [Int64] = [3, 4, 20]
        let proof = Self.proof(leaves, positions: positions)
        var members = positions.map { ($0, leaves[Int($0)]) }
        #expect(try LogMultiProof.root(size: 37, leaves: members, proof: proof) == root)
        members[1].1 = leaves[5]
        #expect(try LogMultiProof.root(size: 37, leaves: members, proof: proof) != root)
        members = positions.map { ($0, leaves[Int($0)]) }
        #expect(throws: LogMultiProof.Failure.self) { try LogMultiProof.root(size: 37, leaves: members, proof: Array(proof.dropLast())) }
        #expect(throws: LogMultiProof.Failure.self) { try LogMultiProof.root(size: 37, leaves: members, proof: proof + [root]) }
        #expect(throws: LogMultiProof.Failure.self) { try LogMultiProof.root(size: 37, leaves: members.reversed(), proof: proof) }
        #expect(throws: LogMultiProof.Failure.self) { try LogMultiProof.root(size: 20, leaves: members, proof: proof) }
        // Dropping a member changes which subtrees the proof covers: the same hashes no longer fit.
        #expect((try? LogMultiProof.root(size: 37, leaves: Array(members.dropFirst()), proof: proof)) != root)
    }
}
