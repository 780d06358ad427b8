import AuditCore
import Crypto
import Testing

/// RFC 9162's tree hash and proofs, against RFC 6962's reference tree heads (the eight leaves
/// Certificate Transparency's tests use), and every proof of small trees both ways.
@Suite struct MerkleTreeTests {
    static let data = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
    static let heads = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125", "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7", "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    static func bytes(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    static let leaves: [MerkleTree.Hash] = (data + ["7071", "8081828384"]).map { datum in
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: bytes(datum))
        return Array(hasher.finalize())
    }

    @Test("The tree heads of RFC 6962's reference leaves, sizes 0 to 8")
    func heads() {
        for size in 0...8 {
            #expect(Hex.lowercase(MerkleTree.root(Self.leaves[..<size])) == Self.heads[size], "size \(size)")
        }
        let proof = MerkleTree.inclusionProof(index: 0, Self.leaves[..<8])
        #expect(Hex.lowercase(proof[0]) == "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7" && proof.count == 3)
    }

    @Test("Every inclusion proof of trees of 1 to 10 leaves verifies; a wrong leaf, index, root or path does not")
    func inclusion() {
        for size in 1...10 {
            let tree = Self.leaves[..<size]
            let root = MerkleTree.root(tree)
            for index in 0..<size {
                let proof = MerkleTree.inclusionProof(index: index, tree)
                #expect(
                    MerkleTree.verifyInclusion(leaf: Self.leaves[index], index: index, size: size, proof: proof, root: root), "\(index) of \(size)")
                #expect(!MerkleTree.verifyInclusion(leaf: Self.leaves[(index + 1) % 10], index: index, size: size, proof: proof, root: root))
                // (The size only gives the path's shape — sizes whose shape is the same verify alike; a signed
                // checkpoint binds the size to its root.)
                #expect(!MerkleTree.verifyInclusion(leaf: Self.leaves[index], index: index, size: size, proof: proof, root: MerkleTree.root([][...])))
                if size > 1 {
                    #expect(!MerkleTree.verifyInclusion(leaf: Self.leaves[index], index: (index + 1) % size, size: size, proof: proof, root: root))
                    #expect(
                        !MerkleTree.verifyInclusion(leaf: Self.leaves[index], index: index, size: size, proof: Array(proof.dropLast()), root: root))
                    var altered = proof
                    altered[0][0] ^= 1
                    #expect(!MerkleTree.verifyInclusion(leaf: Self.leaves[index], index: index, size: size, proof: altered, root: root))
                }
            }
            #expect(!MerkleTree.verifyInclusion(leaf: Self.leaves[0], index: size, size: size, proof: [], root: root))
        }
    }

    @Test("Every consistency proof between trees of 1 to 10 leaves verifies; a rewritten history does not")
    func consistency() {
        for second in 1...10 {
            let secondRoot = MerkleTree.root(Self.leaves[..<second])
            for first in 1...second {
                let firstRoot = MerkleTree.root(Self.leaves[..<first])
                let proof = MerkleTree.consistencyProof(from: first, Self.leaves[..<second])
                #expect(
                    MerkleTree.verifyConsistency(firstSize: first, secondSize: second, firstRoot: firstRoot, secondRoot: secondRoot, proof: proof),
                    "\(first) → \(second)")
                guard first < second else { continue }
                // The same sizes, but an older tree whose last leaf was different: not a prefix.
                var rewritten = Array(Self.leaves[..<first])
                rewritten[first - 1][0] ^= 1
                #expect(
                    !MerkleTree.verifyConsistency(
                        firstSize: first, secondSize: second, firstRoot: MerkleTree.root(rewritten[...]), secondRoot: secondRoot, proof: proof))
                #expect(
                    !MerkleTree.verifyConsistency(firstSize: first, secondSize: second, firstRoot: firstRoot, secondRoot: firstRoot, proof: proof))
                #expect(!MerkleTree.verifyConsistency(firstSize: first, secondSize: second, firstRoot: firstRoot, secondRoot: secondRoot, proof: []))
            }
        }
    }
}
