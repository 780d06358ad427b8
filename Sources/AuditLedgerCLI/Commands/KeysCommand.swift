import ArgumentParser
import AuditCore
import Foundation

/// `auditledger keys generate|show|rotate`: the Ed25519 key checkpoints are signed with
/// (`serve --signing-key`).
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Generate, show and rotate the key that signs the log's checkpoints.",
        discussion: """
            The key file holds one private key (C2SP signed-note, Ed25519) and the public keys of the keys it replaced, \
            which stay trusted for the checkpoints they signed. It is written with mode 0600; keep it outside the database \
            and its backups. Give verifiers the public key (`show`), never the file.
            """,
        subcommands: [Generate.self, Show.self, Rotate.self]
    )

    struct FileOption: ParsableArguments {
        @Option(name: .customLong("file"), help: ArgumentHelp("The signing key file.", valueName: "path"))
        var path: String
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a new key file (never replaces one); prints its public key.")

        @OptionGroup var file: FileOption

        @Option(help: "The key's name, also the checkpoints' origin line. (default: <host name>/auditledger)")
        var name: String?

        func run() throws {
            let key = NoteSignerKey.generate(name: try SigningKeyFileIO.validName(name))
            try SigningKeyFileIO.create(SigningKeyFile(current: key), at: file.path)
            print(key.verifier.description)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the public key, then the retired public keys.")

        @OptionGroup var file: FileOption

        func run() throws {
            let keys = try SigningKeyFileIO.read(file.path)
            print(keys.current.verifier.description)
            for key in keys.retired { print("\(key.description) retired") }
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the signing key by a new one; the old public key stays in the file, trusted. Restart the server after.")

        @OptionGroup var file: FileOption

        @Option(help: "The new key's name. (default: the current key's)")
        var name: String?

        func run() throws {
            let keys = try SigningKeyFileIO.read(file.path)
            let next = NoteSignerKey.generate(name: try SigningKeyFileIO.validName(name ?? keys.current.verifier.name))
            try SigningKeyFileIO.replace(keys.rotated(to: next), at: file.path)
            print(next.verifier.description)
        }
    }
}
