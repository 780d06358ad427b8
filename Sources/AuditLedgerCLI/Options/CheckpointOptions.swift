import ArgumentParser
import AuditCore
import AuditIngest
import AuditServer
import Foundation
import Logging

/// `serve`'s signed checkpoints: the key, how often, and the witnesses.
struct CheckpointOptions: ParsableArguments {
    @Option(
        help: """
            The checkpoint signing key file (`auditledger keys generate`), mode 0600, kept outside the database. \
            (env: AUDITLEDGER_SIGNING_KEY, default: signing.key in --data-dir, generated on first start)
            """)
    var signingKey: String?

    @Option(help: "Seconds between signed checkpoints while events arrive. (env: AUDITLEDGER_CHECKPOINT_INTERVAL, default: 10)")
    var checkpointInterval: Int?

    @Option(help: "A file each new signed checkpoint is appended to, outside the database. (env: AUDITLEDGER_WITNESS_FILE, default: none)")
    var witnessFile: String?

    @Option(help: "A URL each new signed checkpoint is POSTed to (text/plain). (env: AUDITLEDGER_WITNESS_URL, default: none)")
    var witnessUrl: String?

    @Option(
        help: """
            Seconds between the background verifier's cycles (it re-checks the log, its events and its checkpoints); 0 turns it off. \
            (env: AUDITLEDGER_VERIFY_INTERVAL, default: 60)
            """)
    var verifyInterval: Int?

    /// The background verifier's interval; `nil` when turned off.
    func resolvedVerifyInterval() throws -> Duration? {
        let seconds = try resolve(verifyInterval, env: "AUDITLEDGER_VERIFY_INTERVAL", default: 60)
        guard (0...86_400).contains(seconds) else { throw ValidationError("--verify-interval must be between 0 and 86400 seconds") }
        return seconds == 0 ? nil : .seconds(seconds)
    }

    /// Where the key file is, and whether it was named (a named file must exist).
    func keyPath(dataDirectory: String) throws -> (path: String, given: Bool) {
        if let path = try resolve(signingKey, env: "AUDITLEDGER_SIGNING_KEY") { return (path, true) }
        return (dataDirectory + "/signing.key", false)
    }

    /// The checkpoint settings, the key read (or, when none was named and the default file is
    /// missing, generated there and its path logged).
    func settings(dataDirectory: String, logger: Logger) throws -> CheckpointSettings {
        let interval = try resolve(checkpointInterval, env: "AUDITLEDGER_CHECKPOINT_INTERVAL", default: 10)
        guard (1...86_400).contains(interval) else { throw ValidationError("--checkpoint-interval must be between 1 and 86400 seconds") }
        var witnesses: [any CheckpointWitness] = []
        if let file = try resolve(witnessFile, env: "AUDITLEDGER_WITNESS_FILE") { witnesses.append(CheckpointFileWitness(path: file)) }
        if let text = try resolve(witnessUrl, env: "AUDITLEDGER_WITNESS_URL") {
            guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw ValidationError("--witness-url must be an http:// or https:// URL")
            }
            witnesses.append(CheckpointURLWitness(url: url))
        }
        let keys = try loadKeys(dataDirectory: dataDirectory, logger: logger)
        return CheckpointSettings(
            key: keys.current, retiredKeys: keys.retired, checkpointer: Checkpointer.Configuration(interval: .seconds(interval)), witnesses: witnesses
        )
    }

    private func loadKeys(dataDirectory: String, logger: Logger) throws -> SigningKeyFile {
        let (path, given) = try keyPath(dataDirectory: dataDirectory)
        if FileManager.default.fileExists(atPath: path) || given {
            guard FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("the signing key \(path) does not exist; create it with `auditledger keys generate --file \(path)`")
            }
            return try SigningKeyFileIO.read(path)
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let keys = SigningKeyFile(current: NoteSignerKey.generate(name: SigningKeyFileIO.defaultName))
        try SigningKeyFileIO.create(keys, at: path)
        logger.notice(
            "generated a checkpoint signing key; keep it outside the database's backups, and give verifiers its public key",
            metadata: ["audit.signing_key.path": "\(path)", "audit.signing_key.public": "\(keys.current.verifier)"])
        return keys
    }
}
