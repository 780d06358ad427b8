import AuditCore
import Crypto
import Foundation
import Testing

/// C2SP signed notes and Ed25519 note keys, against the reference implementation's published
/// example (golang.org/x/mod/sumdb/note: the PeterNeumann key, text and signature).
@Suite struct SignedNoteTests {
    static let signerText = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let verifierText = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let note = text + "\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    @Test("The reference key pair parses, and its key id is SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]")
    func referenceKeys() throws {
        let signer = try #require(NoteSignerKey(Self.signerText))
        let verifier = try #require(NoteVerifierKey(Self.verifierText))
        #expect(signer.verifier == verifier)
        #expect(verifier.id == 0xc74f_20a3 && verifier.name == "PeterNeumann")
        #expect(verifier.description == Self.verifierText)
        #expect(signer.secretText == Self.signerText)
    }

    @Test("Signing the reference text gives the reference note byte for byte; it verifies")
    func referenceSignature() throws {
        let signer = try #require(NoteSignerKey(Self.signerText))
        let note = SignedNote.sign(Self.text, with: signer)
        #expect(note.rendered == Self.note)
        let parsed = try SignedNote(parsing: Self.note)
        #expect(parsed.text == Self.text)
        #expect(try parsed.verifiedKey(among: [signer.verifier]) == signer.verifier)
    }

    @Test("A changed text, a changed signature, another key, or a malformed note is refused")
    func refusals() throws {
        let verifier = try #require(NoteVerifierKey(Self.verifierText))
        let changed = Self.note.replacingOccurrences(of: "problem is", with: "problem was")
        #expect(throws: SignedNote.Problem.badSignature(verifier.label)) { try SignedNote(parsing: changed).verifiedKey(among: [verifier]) }
        let other = NoteSignerKey.generate(name: "PeterNeumann")
        #expect(throws: SignedNote.Problem.noTrustedSignature) { try SignedNote(parsing: Self.note).verifiedKey(among: [other.verifier]) }
        // A signature of another key under the same name and id is a bad signature, not a pass.
        var forged = try SignedNote(parsing: Self.note)
        forged.signatures[0].signature = other.signature(of: Array(Self.text.utf8))
        #expect(throws: SignedNote.Problem.badSignature(verifier.label)) { try forged.verifiedKey(among: [verifier]) }
        for malformed in [
            Self.text, Self.note.replacingOccurrences(of: "\u{2014}", with: "--"), String(Self.note.dropLast()),
            Self.note.replacingOccurrences(of: "x08go", with: "x08go!"), Self.text + "\n", "a\tb\n\n\u{2014} k AAAAAAA=\n",
        ] {
            #expect(throws: (any Error).self, "\(malformed.debugDescription)") { try SignedNote(parsing: malformed) }
        }
        // Lines of unknown keys are ignored; the trusted key's line decides.
        let extra =
            Self.text + "\n\u{2014} someone.else AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
            + Self.note.split(separator: "\n").last! + "\n"
        #expect(try SignedNote(parsing: extra).verifiedKey(among: [verifier]) == verifier)
    }

    @Test("Malformed keys are refused: wrong id, wrong type byte, bad names, short keys")
    func malformedKeys() {
        for text in [
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQ", "PeterNeumann+c74f20a3",
        ] {
            #expect(NoteVerifierKey(text) == nil, "\(text)")
        }
        #expect(NoteSignerKey("PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz") == nil)
        #expect(NoteSignerKey("PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz") == nil)
    }

    @Test("A checkpoint's text is origin, size and base64 root, and reads back; a generated key signs it")
    func checkpoints() throws {
        let root = Array(repeating: UInt8(7), count: 32)
        let checkpoint = Checkpoint(origin: "audit.example.com/log", treeSize: 42, rootHash: root)
        #expect(checkpoint.text == "audit.example.com/log\n42\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n")
        #expect(Checkpoint(text: checkpoint.text) == checkpoint)
        #expect(Checkpoint(text: checkpoint.text + "extension line\n") == checkpoint)
        for bad in [
            "audit\n-1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n", "audit\n042\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
            "audit\n1\nBwc=\n", "audit\n1\n",
        ] {
            #expect(Checkpoint(text: bad) == nil, "\(bad.debugDescription)")
        }
        let key = NoteSignerKey.generate(name: "audit.example.com/log")
        let note = try SignedNote(parsing: SignedNote.sign(checkpoint.text, with: key).rendered)
        #expect(try note.verifiedKey(among: [key.verifier]) == key.verifier)
        #expect(Checkpoint(text: note.text) == checkpoint)
        #expect(NoteSignerKey(key.secretText)?.verifier == key.verifier)
    }

    @Test("A checkpoint names the one before it in an extension line; a malformed link is refused")
    func checkpointLinks() throws {
        let root = Array(repeating: UInt8(7), count: 32)
        let first = Checkpoint(origin: "audit.example.com/log", treeSize: 42, rootHash: root)
        let link = Checkpoint.Link(treeSize: 42, text: first.text)
        #expect(link.textHash == Array(SHA256.hash(data: Array(first.text.utf8))))
        let second = Checkpoint(origin: "audit.example.com/log", treeSize: 50, rootHash: root, previous: link)
        #expect(
            second.text == first.text.replacingOccurrences(of: "42\n", with: "50\n")
                + "previous-checkpoint 42 \(Data(link.textHash).base64EncodedString())\n")
        #expect(Checkpoint(text: second.text) == second)
        #expect(Checkpoint(text: second.text + "another extension\n") == second)
        let hash = Data(link.textHash).base64EncodedString()
        for bad in [
            "previous-checkpoint 42 \(hash)\nprevious-checkpoint 42 \(hash)\n", "previous-checkpoint 50 \(hash)\n",
            "previous-checkpoint 042 \(hash)\n",
            "previous-checkpoint 42 Bwc=\n", "previous-checkpoint 42\n", "previous-checkpoint -1 \(hash)\n",
        ] {
            #expect(Checkpoint(text: "audit\n50\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n" + bad) == nil, "\(bad.debugDescription)")
        }
    }

    @Test("The chain of checkpoints: each names the one before; a deleted, replaced or inserted one, or a missing link, is named")
    func checkpointChain() {
        let root = Array(repeating: UInt8(7), count: 32)
        var bodies: [Checkpoint] = [Checkpoint(origin: "o", treeSize: 0, rootHash: root)]
        for size in [10, 20, 30] as [Int64] {
            bodies.append(
                Checkpoint(origin: "o", treeSize: size, rootHash: root, previous: .init(treeSize: bodies.last!.treeSize, text: bodies.last!.text)))
        }
        func problems(_ sequence: [Checkpoint]) -> [String?] {
            var chain = CheckpointChain()
            return sequence.map { chain.follow($0, text: $0.text) }
        }
        #expect(problems(bodies) == [nil, nil, nil, nil])
        // Unlinked checkpoints before the chain starts are fine; one after it is not.
        let unlinked = Checkpoint(origin: "o", treeSize: 40, rootHash: root)
        #expect(problems(bodies + [unlinked]).last??.contains("names no checkpoint before it") == true)
        #expect(problems([bodies[0], bodies[1], bodies[3]]).last??.contains("size 20 before it, which is not stored") == true)
        #expect(problems(Array(bodies[1...])).first??.contains("size 0 before it, which is not stored") == true)
        let replaced = Checkpoint(origin: "o", treeSize: 20, rootHash: Array(repeating: 9, count: 32), previous: bodies[2].previous)
        #expect(problems([bodies[0], bodies[1], replaced, bodies[3]]).last??.contains("was replaced") == true)
        let inserted = Checkpoint(origin: "o", treeSize: 15, rootHash: root, previous: bodies[1].previous)
        #expect(problems([bodies[0], bodies[1], inserted, bodies[2]]).last??.contains("inserted") == true)
    }

    @Test("The key file: one private key and retired public keys; rotation keeps the old key trusted")
    func keyFile() throws {
        let first = NoteSignerKey.generate(name: "audit.example.com/log")
        let file = SigningKeyFile(current: first)
        let read = try SigningKeyFile(parsing: file.rendered)
        #expect(read.current.verifier == first.verifier && read.retired.isEmpty)
        let second = NoteSignerKey.generate(name: "audit.example.com/log")
        let rotated = try SigningKeyFile(parsing: read.rotated(to: second).rendered)
        #expect(rotated.current.verifier == second.verifier)
        #expect(rotated.trusted == [second.verifier, first.verifier])
        #expect(throws: KeyFileError.self) { try SigningKeyFile(parsing: "# nothing\n" + first.verifier.description + "\n") }
        #expect(throws: KeyFileError.self) { try SigningKeyFile(parsing: first.secretText + "\n" + second.secretText + "\n") }
        #expect(throws: KeyFileError.self) { try SigningKeyFile(parsing: first.secretText + "\nnot a key\n") }
    }
}
