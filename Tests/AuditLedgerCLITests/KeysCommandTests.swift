import ArgumentParser
import AuditCore
import AuditIngest
import AuditServer
import Foundation
import Logging
import Testing

@testable import AuditLedgerCLI

/// `auditledger keys` as a process, and how `serve` finds (or makes) its signing key.
@Suite struct KeysCommandTests {
    func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try TokensCommandTests().run(arguments)
    }

    func temporaryDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "auditledger-keys-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test("generate writes a 0600 key file and prints its public key; never replaces one; show and rotate keep the old key trusted")
    func generateShowRotate() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/signing.key"
        let generated = try run(["keys", "generate", "--file", file, "--name", "audit.example.com/log"])
        #expect(generated.status == 0, "\(generated.error)")
        let first = try #require(NoteVerifierKey(generated.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(first.name == "audit.example.com/log")
        #expect(try mode(file) & 0o077 == 0)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(try SigningKeyFile(parsing: text).current.verifier == first)

        let again = try run(["keys", "generate", "--file", file])
        #expect(again.status != 0 && again.error.contains("cannot create"), "\(again.error)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == text, "an existing key is never replaced")
        #expect(try run(["keys", "show", "--file", file]).output == first.description + "\n")

        let rotated = try run(["keys", "rotate", "--file", file])
        #expect(rotated.status == 0, "\(rotated.error)")
        let second = try #require(NoteVerifierKey(rotated.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(second != first && second.name == first.name)
        #expect(try run(["keys", "show", "--file", file]).output == "\(second)\n\(first) retired\n")
        #expect(try SigningKeyFileIO.read(file).trusted == [second, first])
        #expect(try mode(file) & 0o077 == 0)

        chmod(file, 0o644)
        let exposed = try run(["keys", "show", "--file", file])
        #expect(exposed.status != 0 && exposed.error.contains("may be read by others"), "\(exposed.error)")
        let badName = try run(["keys", "generate", "--file", directory + "/other.key", "--name", "has space"])
        #expect(badName.status != 0 && badName.error.contains("--name"), "\(badName.error)")
    }

    @Test("serve without --signing-key generates one in the data directory (0600) on first start and reads it after; a named key must exist")
    func serveKey() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "test.keys")
        let options = try CheckpointOptions.parse([])
        let made = try options.settings(dataDirectory: directory + "/data", logger: logger)
        let path = directory + "/data/signing.key"
        #expect(try mode(path) & 0o077 == 0)
        let key = try #require(made.key)
        #expect(try options.settings(dataDirectory: directory + "/data", logger: logger).key?.verifier == key.verifier, "read, not made again")
        #expect(made.checkpointer.interval == .seconds(10) && made.witnesses.isEmpty)

        let missing = try CheckpointOptions.parse(["--signing-key", directory + "/none.key"])
        #expect(throws: ValidationError.self) { try missing.settings(dataDirectory: directory + "/data", logger: logger) }
        let given = try CheckpointOptions.parse([
            "--signing-key", path, "--checkpoint-interval", "3", "--witness-file", directory + "/w", "--witness-url", "https://witness.example/add",
        ])
        let settings = try given.settings(dataDirectory: directory + "/elsewhere", logger: logger)
        #expect(settings.key?.verifier == key.verifier && settings.checkpointer.interval == .seconds(3))
        #expect(settings.witnesses.map(\.description) == ["file \(directory)/w", "url https://witness.example/add"])
        for bad in [["--checkpoint-interval", "0"], ["--witness-url", "ftp://x"]] {
            #expect(throws: ValidationError.self, "\(bad)") {
                try CheckpointOptions.parse(["--signing-key", path] + bad).settings(dataDirectory: directory, logger: logger)
            }
        }
    }
}
