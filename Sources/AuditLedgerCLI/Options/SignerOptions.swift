import ArgumentParser
import AuditCore
import Foundation

/// `--signing-key` for the commands that write archives and bundles: the key signs their
/// statements (what they hold), and a checkpoint when none covers their events yet.
struct SignerOptions: ParsableArguments {
    @Option(
        name: .customLong("signing-key"),
        help: ArgumentHelp(
            """
            The checkpoint signing key file that signs what an archive or bundle holds. \
            (env: AUDITLEDGER_SIGNING_KEY, default: signing.key in --data-dir when it exists; without a key the statement is unsigned)
            """))
    var signingKey: String?

    /// The key named, or the data directory's when it exists; `nil` when neither is there.
    func signer(dataDirectory: String) throws -> NoteSignerKey? {
        if let path = try resolve(signingKey, env: "AUDITLEDGER_SIGNING_KEY") {
            return try SigningKeyFileIO.read(path).current
        }
        let path = dataDirectory + "/signing.key"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try SigningKeyFileIO.read(path).current
    }
}
