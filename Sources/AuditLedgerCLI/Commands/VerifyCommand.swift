import ArgumentParser
import AuditCore
import AuditIngest
import Foundation

/// `auditledger verify`: the whole log checked once (docs/integrity.md).
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the log: every event recomputed, the tree rebuilt, every checkpoint's signature and root; exit 1 naming each problem.",
        discussion: """
            Recomputes each logged event's hash from its stored columns and compares it with the log; rebuilds the Merkle tree \
            from the log and checks every stored checkpoint (a signature by a trusted key, its root at its size) and every \
            checkpoint of a witness file; names stored events that are in neither the log nor its queue. Trusted keys: those \
            of --signing-key (current and retired), or --trusted-key; without either, signing.key in --data-dir when it \
            exists, else the keys the store lists (weaker: whoever controls the database controls that list).
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var logging: LoggingOptions

    @Option(help: "Recompute events from this log position on (the tree and checkpoints are always checked whole). (default: 0)")
    var fromPosition: Int64?

    @Option(help: "Recompute events before this log position. (default: the log's end)")
    var toPosition: Int64?

    @Option(help: "A signing key file whose keys (current and retired) are trusted.")
    var signingKey: String?

    @Option(name: .customLong("trusted-key"), help: "A trusted verifier key, name+keyid+base64 (repeat for several).")
    var trustedKeys: [String] = []

    @Option(help: "A witness file: each of its checkpoints must be signed and agree with the log.")
    var witnessFile: String?

    func run() async throws {
        var keys = try trustedKeys.map { text in
            guard let key = NoteVerifierKey(text) else {
                throw ValidationError("--trusted-key \(text.prefix(80)) is not a verifier key (name+keyid+base64)")
            }
            return key
        }
        let defaultKey = try store.resolvedDataDir() + "/signing.key"
        if let path = signingKey ?? (keys.isEmpty && FileManager.default.fileExists(atPath: defaultKey) ? defaultKey : nil) {
            keys += try SigningKeyFileIO.read(path).trusted
        }
        var witnessed: [String] = []
        if let witnessFile {
            guard let data = FileManager.default.contents(atPath: witnessFile) else {
                throw ValidationError("cannot read the witness file \(witnessFile)")
            }
            witnessed = CheckpointFileWitness.notes(in: String(decoding: data, as: UTF8.self))
        }
        let from = fromPosition ?? 0
        let to = toPosition ?? Int64.max
        guard from >= 0, to > from else { throw ValidationError("--from-position must be at least 0 and below --to-position") }
        let trusted = keys
        let witnesses = witnessed
        if trusted.isEmpty {
            FileHandle.standardError.write(Data("verify: no trusted key given: checking signatures against the keys the store lists\n".utf8))
        }
        let report = try await store.withPreparedStore(logger: try logging.makeLogger()) { selection in
            try await selection.store.verifyLog(
                fromPosition == nil && toPosition == nil ? .all : .positions(from..<to), trustedKeys: trusted, witnessed: witnesses)
        }
        for problem in report.problems { print("problem: \(problem)") }
        if report.problemCount > report.problems.count { print("… and \(report.problemCount - report.problems.count) more problems") }
        print(
            "verify: log of \(report.treeSize) entries; \(report.eventsChecked) events recomputed, \(report.removedByRetention) removed by retention; "
                + "\(report.checkpointsChecked) checkpoints and \(report.witnessedChecked) witnessed checkpoints checked; \(report.problemCount) problems"
        )
        if let first = report.problems.first {
            print("first problem: \(first)")
            throw ExitCode.failure
        }
    }
}
