import AuditCore
import AuditIngest
import AuditSQLite
import AuditTesting
import Foundation
import Logging
import Testing

@testable import AuditLedgerCLI

/// `auditledger verify` as a process, on the embedded store: which keys it trusts, a witness
/// file, a range of positions, and its exit status.
@Suite struct VerifyCommandTests {
    @Test("verify trusts the data directory's key by default, --trusted-key otherwise; checks witnesses; recomputes a range")
    func verifyCommand() async throws {
        let directory = NSTemporaryDirectory() + "auditledger-verify-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = directory + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        #expect(try TokensCommandTests().run(["keys", "generate", "--file", data + "/signing.key", "--name", "cli.example/log"]).status == 0)
        let keys = try SigningKeyFileIO.read(data + "/signing.key")
        let witness = directory + "/witness.txt"
        do {
            let store = try SQLiteStore(
                configuration: SQLiteStoreConfiguration(path: SQLiteStoreConfiguration.file(inDirectory: data)), logger: Logger(label: "test"))
            try await store.prepare()
            let events = try (0..<5).map {
                try EventFactory.event(correlationID: "rr-cli-verify", at: AuditTimestamp.now().adding(seconds: Int64(-$0)))
            }
            _ = try await store.write([EventBatch(events: events)])
            while try await store.appendPendingToLog(limit: 100, now: .now()).appended > 0 {}
            let (checkpoint, _) = try await store.signCheckpoint(with: keys.current, now: .now())
            try await CheckpointFileWitness(path: witness).witness(checkpoint)
        }
        func verify(_ arguments: [String]) throws -> (status: Int32, output: String) {
            let result = try TokensCommandTests().run(["verify", "--data-dir", data, "--log-level", "error"] + arguments)
            return (result.status, result.output + result.error)
        }
        let clean = try verify(["--witness-file", witness])
        #expect(clean.status == 0, "\(clean.output)")
        #expect(
            clean.output.contains("log of 5 entries; 5 events recomputed, 0 removed by retention; 1 checkpoints and 1 witnessed"), "\(clean.output)")
        let range = try verify(["--from-position", "2", "--to-position", "3"])
        #expect(range.status == 0 && range.output.contains("1 events recomputed"), "\(range.output)")

        let other = NoteSignerKey.generate(name: "cli.example/log")
        let untrusted = try verify(["--trusted-key", other.verifier.description])
        #expect(untrusted.status == 1 && untrusted.output.contains("first problem: checkpoint of tree size 5"), "\(untrusted.output)")
        // A witness holding a checkpoint the log does not agree with (signed with the real key).
        let forged = SignedNote.sign(
            Checkpoint(origin: "cli.example/log", treeSize: 5, rootHash: [UInt8](repeating: 1, count: 32)).text, with: keys.current)
        try (forged.rendered + "\n").write(toFile: witness, atomically: true, encoding: .utf8)
        let rewritten = try verify(["--witness-file", witness])
        #expect(
            rewritten.status == 1 && rewritten.output.contains("a witness holds a checkpoint of this size whose root is not the log's"),
            "\(rewritten.output)")
        #expect(try verify(["--trusted-key", "not-a-key"]).status != 0)
    }
}
