import ArgumentParser
import AuditCore
import Foundation

/// `auditledger tokens create|list|revoke`: the static bearer tokens `serve --auth-tokens` reads.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Create, list and revoke the static bearer tokens of `serve --auth-tokens`.",
        discussion: """
            The token file keeps only each token's SHA-256, never the token: `create` prints the token once. A running \
            server picks up changes within a second or two, without a restart. The file is written with mode 0600, \
            replaced atomically, and changes are serialised with a lock on FILE.lock.
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct FileOption: ParsableArguments {
        @Option(name: .customLong("file"), help: ArgumentHelp("The token file.", valueName: "path"))
        var path: String
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a token; prints it (once) on standard output, its id on standard error.")

        @OptionGroup var file: FileOption

        @Option(help: "Who the token authenticates: recorded as placed_by, released_by and in the server's own audit events.")
        var principal: String

        @Option(
            name: .customLong("scope"),
            help: "A scope (repeat for several): \(AccessScope.allCases.map(\.rawValue).joined(separator: ", ")).")
        var scopes: [String]

        @Option(help: "service (default) or human.")
        var kind: String = "service"

        @Option(help: "When the token stops working: an RFC 3339 time, or a duration from now such as 90d or 12h.")
        var expires: String?

        @Option(name: .customLong("read-category"), help: "Limit reads to this event_category (repeat for several).")
        var readCategories: [String] = []

        @Option(name: .customLong("read-type-prefix"), help: "Limit reads to event types with this prefix (repeat for several).")
        var readTypePrefixes: [String] = []

        @Option(name: .customLong("read-namespace"), help: "Limit reads to this namespace (repeat for several).")
        var readNamespaces: [String] = []

        func validate() throws {
            if let problem = Principal.problem(withName: principal) { throw ValidationError("--principal \(problem)") }
            guard !scopes.isEmpty else { throw ValidationError("give at least one --scope") }
            _ = try AuditLedgerCLI.scopes(scopes, option: "--scope")
            guard Principal.Kind(rawValue: kind) != nil else { throw ValidationError("--kind must be service or human") }
            if let expires { _ = try Self.expiry(expires, now: .now()) }
        }

        func run() throws {
            let now = AuditTimestamp.now()
            let token = AccessToken.generate()
            let limits = ReadLimits(
                categories: readCategories.isEmpty ? nil : readCategories, eventTypePrefixes: readTypePrefixes.isEmpty ? nil : readTypePrefixes,
                namespaces: readNamespaces.isEmpty ? nil : readNamespaces)
            let record = TokenRecord(
                id: token.id, secretSHA256: token.secretHash, principal: principal, kind: Principal.Kind(rawValue: kind) ?? .service,
                scopes: scopes.compactMap(AccessScope.init(name:)), readLimits: limits.isUnlimited ? nil : limits, created: now,
                expires: try expires.map { try Self.expiry($0, now: now) })
            try TokenFileEditor.change(file.path, creating: true) { tokens in tokens.tokens.append(record) }
            FileHandle.standardError.write(Data("created token \(token.id) for \(principal)\n".utf8))
            print(token.text)
        }

        /// An RFC 3339 time, or `<n>d` / `<n>h` / `<n>m` from `now`.
        static func expiry(_ text: String, now: AuditTimestamp) throws -> AuditTimestamp {
            if let time = AuditTimestamp(rfc3339: text) {
                guard time > now else { throw ValidationError("--expires \(text) is not in the future") }
                return time
            }
            let units: [Character: Int64] = ["d": 86_400, "h": 3_600, "m": 60]
            guard let unit = text.last.flatMap({ units[$0] }), let count = Int64(text.dropLast()), count > 0, count <= 36_500 * 86_400 / unit
            else { throw ValidationError("--expires must be an RFC 3339 time or a duration such as 90d, 12h or 30m") }
            return now.adding(seconds: count * unit)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One line per token: id, principal, kind, scopes, read limits, created, expiry, state.")

        @OptionGroup var file: FileOption

        func run() throws {
            let tokens = try TokenFileEditor.read(file.path)
            let now = AuditTimestamp.now()
            if tokens.tokens.isEmpty { print("no tokens") }
            for record in tokens.tokens {
                var state = "active"
                if let revoked = record.revoked {
                    state = "revoked \(revoked)"
                } else if let expires = record.expires.flatMap({ AuditTimestamp(rfc3339: $0) }), now >= expires {
                    state = "expired"
                }
                var line = "\(record.id) \(record.principal) \(record.kind.rawValue) scopes=\(record.scopes.joined(separator: ","))"
                if let limits = record.readLimits {
                    if let categories = limits.categories { line += " read-categories=\(categories.joined(separator: ","))" }
                    if let prefixes = limits.eventTypePrefixes { line += " read-type-prefixes=\(prefixes.joined(separator: ","))" }
                    if let namespaces = limits.namespaces { line += " read-namespaces=\(namespaces.joined(separator: ","))" }
                }
                line += " created=\(record.created) expires=\(record.expires ?? "never") \(state)"
                print(line)
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke tokens by id; they are kept in the file, marked revoked, and refused from then on.")

        @OptionGroup var file: FileOption

        @Argument(help: "Token ids, as `tokens list` shows them.")
        var ids: [String]

        func run() throws {
            let ids = Set(ids)
            let now = AuditTimestamp.now().description
            var missing = ids
            try TokenFileEditor.change(file.path, creating: false) { tokens in
                for index in tokens.tokens.indices where ids.contains(tokens.tokens[index].id) {
                    missing.remove(tokens.tokens[index].id)
                    if tokens.tokens[index].revoked == nil { tokens.tokens[index].revoked = now }
                }
                guard missing.isEmpty else { throw ValidationError("no token has the id \(missing.sorted().joined(separator: ", "))") }
            }
            for id in ids.sorted() { print("revoked \(id)") }
        }
    }
}
