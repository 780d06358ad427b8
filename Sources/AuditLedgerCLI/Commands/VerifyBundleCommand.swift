import ArgumentParser
import AuditCore
import AuditMaintenance
import Foundation

/// `auditledger verify-bundle FILE`: checks a bundle or a retention archive offline.
struct VerifyBundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-bundle",
        abstract: "Check an export bundle or a retention archive with no database and no server.",
        discussion: """
            Recomputes every event's hash from its content, checks the events against the signed checkpoint the \
            bundle carries (one multi-leaf inclusion proof), and compares them with the signed statement of what the \
            bundle holds: an event altered, added or removed, or a checkpoint replaced or re-signed, is named. \
            FILE is a bundle (auditledger export --bundle) or an archive's .manifest.json or .ndjson.gz. \
            Trust the log's keys with --trusted-key or --signing-key; without either, the keys the bundle carries \
            are used, which proves the bundle agrees with itself, not who signed it. Exit 1 on any problem.
            """
    )

    @Argument(help: "The bundle, or an archive's manifest or .ndjson.gz file.")
    var file: String

    @Option(name: .customLong("trusted-key"), help: "A trusted verifier key, name+keyid+base64 (repeat for several).")
    var trustedKeys: [String] = []

    @Option(help: "A signing key file whose keys (current and retired) are trusted.")
    var signingKey: String?

    func run() throws {
        var keys = try trustedKeys.map { text in
            guard let key = NoteVerifierKey(text) else {
                throw ValidationError("--trusted-key \(text.prefix(80)) is not a verifier key (name+keyid+base64)")
            }
            return key
        }
        if let signingKey { keys += try SigningKeyFileIO.read(signingKey).trusted }
        let report = try BundleFile.verify(file, trustedKeys: keys)
        for warning in report.warnings { print("warning: \(warning)") }
        for problem in report.problems { print("problem: \(problem)") }
        let scope = report.scope.map { JSONValue.object($0).compactText } ?? "unknown"
        print(
            "verify-bundle: \(report.events) events, scope \(scope), checkpoint tree size \(report.treeSize.map(String.init) ?? "none"); "
                + "\(report.problems.count) problems")
        if !report.isValid { throw ExitCode.failure }
    }
}
