import ArgumentParser
import AuditCore
import Foundation

/// `serve`'s options for taking secrets out of `event_data` before storing.
struct RedactionOptions: ParsableArguments {
    @Option(
        name: .customLong("redact-key"),
        help: """
            A member-name pattern whose values are redacted (repeat for several; replaces the defaults). \
            (env: AUDITLEDGER_REDACT_KEYS, comma-separated, default: \(Redaction.defaultKeyPatterns.joined(separator: ",")))
            """)
    var keys: [String] = []

    @Option(
        name: .customLong("redact-path"),
        help:
            "A path in event_data to redact, dotted (spec.env.*.value) or JSONPath ($..password, $.spec['env'][*].value) (repeat for several). (env: AUDITLEDGER_REDACT_PATHS, comma-separated, default: none)"
    )
    var paths: [String] = []

    @Option(
        name: .customLong("redaction-hmac-key-file"),
        help: """
            Replace redacted values by an HMAC-SHA256 under the key in this file (at least 32 bytes), so equal values can still \
            be matched. (env: AUDITLEDGER_REDACTION_HMAC_KEY_FILE, default: none, values become "[REDACTED]")
            """)
    var hmacKeyFile: String?

    @Flag(help: "Store event_data as sent, secrets included. (env: AUDITLEDGER_NO_REDACTION=true)")
    var noRedaction = false

    func redaction() throws -> Redaction {
        if try resolve(noRedaction ? true : nil, env: "AUDITLEDGER_NO_REDACTION", default: false) { return .none }
        let keys = resolve(list: keys, env: "AUDITLEDGER_REDACT_KEYS")
        let paths = resolve(list: paths, env: "AUDITLEDGER_REDACT_PATHS")
        for path in paths {
            if let problem = Redaction.problem(withPath: path) { throw ValidationError("--redact-path \(path) \(problem)") }
        }
        var replacement = Redaction.Replacement.marker
        if let file = try resolve(hmacKeyFile, env: "AUDITLEDGER_REDACTION_HMAC_KEY_FILE") {
            guard let key = FileManager.default.contents(atPath: file) else {
                throw ValidationError("--redaction-hmac-key-file: cannot read \(file)")
            }
            guard key.count >= 32 else {
                throw ValidationError("--redaction-hmac-key-file: \(file) holds \(key.count) bytes; at least 32 are needed")
            }
            replacement = .hmac(key: Array(key))
        }
        return Redaction(keyPatterns: keys.isEmpty ? Redaction.defaultKeyPatterns : keys, paths: paths, replacement: replacement)
    }
}
