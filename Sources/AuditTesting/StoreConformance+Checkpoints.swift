import AuditCore
import Foundation
import Testing

extension StoreConformance {
    static var checkpointChecks: [ConformanceCheck] {
        [
            ConformanceCheck("signs checkpoints of the log; every event proves against each; each proves a prefix of the next; all append-only") {
                harness in
                let store = harness.store
                let key = NoteSignerKey.generate(name: "conformance.example/log")
                let now = AuditTimestamp.now()
                let empty = try await store.signCheckpoint(with: key, now: now)
                #expect(empty.signed && empty.checkpoint.treeSize == 0 && empty.checkpoint.rootHash == Hex.lowercase(MerkleTree.root([])))

                let first = try (0..<300).map { try EventFactory.event(correlationID: "rr-cp-\($0 % 7)", at: now.adding(seconds: Int64($0 % 50))) }
                try await harness.writeSucceeding(Array(first[..<150]))
                try await harness.writeSucceeding(Array(first[150...]))
                while try await store.appendPendingToLog(limit: 1000, now: now).appended > 0 {}
                let one = try await store.signCheckpoint(with: key, now: now.adding(seconds: 1))
                #expect(one.signed && one.checkpoint.treeSize == 300)
                let again = try await store.signCheckpoint(with: key, now: now.adding(seconds: 2))
                #expect(!again.signed && again.checkpoint == one.checkpoint, "nothing new: no second checkpoint of the same size")

                let second = try (0..<17).map { try EventFactory.event(correlationID: "rr-cp-late", at: now.adding(seconds: Int64($0))) }
                try await harness.writeSucceeding(second)
                while try await store.appendPendingToLog(limit: 1000, now: now).appended > 0 {}
                let two = try await store.signCheckpoint(with: key, now: now.adding(seconds: 3))
                #expect(two.signed && two.checkpoint.treeSize == 317)

                // The roots are RFC 9162's over the log's leaves, and the notes verify.
                let leaves = try await store.logLeaves(0..<317)
                #expect(leaves.count == 317)
                for (checkpoint, size) in [(one.checkpoint, 300), (two.checkpoint, 317)] {
                    #expect(checkpoint.rootHash == Hex.lowercase(MerkleTree.root(leaves[..<size])))
                    let note = try SignedNote(parsing: checkpoint.note)
                    #expect(try note.verifiedKey(among: [key.verifier]) == key.verifier)
                    let body = try #require(Checkpoint(text: note.text))
                    #expect(body.origin == key.verifier.name && body.treeSize == Int64(size) && body.rootHash == MerkleTree.root(leaves[..<size]))
                    #expect(try await store.logRoot(size: Int64(size)) == MerkleTree.root(leaves[..<size]))
                }
                // Each names the one before it: its size and the SHA-256 of its text.
                func text(_ checkpoint: StoredCheckpoint) throws -> String { try SignedNote(parsing: checkpoint.note).text }
                #expect(try Checkpoint(text: text(empty.checkpoint))?.previous == nil)
                #expect(try Checkpoint(text: text(one.checkpoint))?.previous == Checkpoint.Link(treeSize: 0, text: text(empty.checkpoint)))
                #expect(try Checkpoint(text: text(two.checkpoint))?.previous == Checkpoint.Link(treeSize: 300, text: text(one.checkpoint)))
                #expect(try await store.logNodes([LogNodeID(level: 8, index: 0)])[LogNodeID(level: 8, index: 0)] == MerkleTree.root(leaves[..<256]))

                // Inclusion: leaves across the stored subtree and after it, in both trees.
                for index in [0, 1, 100, 255, 256, 257, 299] + Array(300..<317) {
                    for size in [300, 317] where index < size {
                        let path = try await store.inclusionPath(index: Int64(index), treeSize: Int64(size))
                        #expect(path == MerkleTree.inclusionProof(index: index, leaves[..<size]), "leaf \(index) in \(size)")
                        #expect(
                            MerkleTree.verifyInclusion(
                                leaf: leaves[index], index: index, size: size, proof: path, root: MerkleTree.root(leaves[..<size])))
                    }
                }
                for (from, to) in [(0, 317), (1, 317), (255, 317), (256, 300), (300, 317), (317, 317)] {
                    let proof = try await store.consistencyPath(from: Int64(from), to: Int64(to))
                    #expect(proof == MerkleTree.consistencyProof(from: from, leaves[..<to]), "\(from) → \(to)")
                    #expect(
                        MerkleTree.verifyConsistency(
                            firstSize: from, secondSize: to, firstRoot: MerkleTree.root(leaves[..<from]), secondRoot: MerkleTree.root(leaves[..<to]),
                            proof: proof))
                }

                // History, newest first; a size is stored once; the key is listed from its first use.
                #expect(try await store.checkpoints(upTo: nil, limit: 10).map(\.treeSize) == [317, 300, 0])
                #expect(try await store.checkpoints(upTo: 316, limit: 1).map(\.treeSize) == [300])
                let other = NoteSignerKey.generate(name: "other.example/log")
                var duplicate = two.checkpoint
                duplicate.note =
                    SignedNote.sign(Checkpoint(origin: other.verifier.name, treeSize: 317, rootHash: leaves[0]).text, with: other).rendered
                #expect(try await store.appendCheckpoint(duplicate, after: 317, nodes: [], key: other.verifier) == false)
                // One built on a checkpoint that is no longer the newest is refused: the chain does not fork.
                var stale = two.checkpoint
                stale.treeSize = 400
                #expect(try await store.appendCheckpoint(stale, after: 300, nodes: [], key: other.verifier) == false)
                #expect(try await store.appendCheckpoint(stale, after: nil, nodes: [], key: other.verifier) == false)
                #expect(try await store.checkpoints(upTo: 317, limit: 1).first == two.checkpoint)
                #expect(try await store.signingKeys().map(\.key) == [key.verifier], "a refused checkpoint lists no key")

                for change in harness.directLogChanges() {
                    #expect(await change.attempt() == .refused, "\(change.description) must be refused by the database")
                }
                #expect(try await store.checkpoints(upTo: nil, limit: 10).map(\.treeSize) == [317, 300, 0])
            }
        ]
    }
}
