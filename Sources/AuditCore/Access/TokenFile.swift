#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One static token as the token file keeps it: never the token, only its secret's SHA-256.
public struct TokenRecord: Sendable, Hashable, Codable {
    /// The token's public id (the `<id>` of `alt_<id>_<secret>`).
    public var id: String
    /// SHA-256 of the secret, lowercase hex.
    public var secretSHA256: String
    public var principal: String
    public var kind: Principal.Kind
    /// Scope names (``AccessScope`` raw values), sorted.
    public var scopes: [String]
    public var readLimits: ReadLimits?
    /// RFC 3339, UTC.
    public var created: String
    /// RFC 3339, UTC; the token is refused from this instant on.
    public var expires: String?
    /// RFC 3339, UTC, when revoked; a revoked token is kept (so its id is never reused) and refused.
    public var revoked: String?

    enum CodingKeys: String, CodingKey {
        case id
        case secretSHA256 = "secret_sha256"
        case principal, kind, scopes
        case readLimits = "read_limits"
        case created, expires, revoked
    }

    public init(
        id: String, secretSHA256: String, principal: String, kind: Principal.Kind, scopes: [AccessScope], readLimits: ReadLimits?,
        created: AuditTimestamp, expires: AuditTimestamp?
    ) {
        self.id = id
        self.secretSHA256 = secretSHA256
        self.principal = principal
        self.kind = kind
        self.scopes = scopes.sorted().map(\.rawValue)
        self.readLimits = readLimits
        self.created = created.description
        self.expires = expires?.description
        self.revoked = nil
    }
}

/// The static token file (`serve --auth-tokens FILE`): JSON `{"format": 1, "tokens": [...]}`,
/// written by `auditledger tokens create|revoke` with mode 0600.
public struct TokenFile: Sendable, Hashable, Codable {
    /// The format this version reads and writes.
    public static let currentFormat = 1

    public var format: Int
    public var tokens: [TokenRecord]

    public init(tokens: [TokenRecord] = []) {
        self.format = Self.currentFormat
        self.tokens = tokens
    }

    /// Reads a token file; every record is checked (principal name, scopes, timestamps), so that
    /// a hand-edited mistake is reported instead of silently locking someone out.
    /// - Throws: ``AuditError`` `validation` naming the record and the member.
    public static func decode(_ bytes: [UInt8]) throws(AuditError) -> TokenFile {
        let file: TokenFile
        do {
            file = try JSONDecoder().decode(TokenFile.self, from: Data(bytes))
        } catch {
            throw AuditError(.validation, detail: "the token file is not valid JSON of format \(currentFormat)")
        }
        guard file.format == currentFormat else {
            throw AuditError.validation(field: "format", "is \(file.format); this version reads format \(currentFormat)")
        }
        var seen = Set<String>()
        for (index, record) in file.tokens.enumerated() {
            func invalid(_ member: String, _ message: String) -> AuditError {
                AuditError.validation(field: "tokens[\(index)].\(member)", message)
            }
            guard Hex.isLowercase(record.id, count: 16) else {
                throw invalid("id", "must be 16 lowercase hex digits")
            }
            guard seen.insert(record.id).inserted else { throw invalid("id", "is used by an earlier token") }
            guard Hex.isLowercase(record.secretSHA256, count: 64) else { throw invalid("secret_sha256", "must be 64 lowercase hex digits") }
            if let problem = Principal.problem(withName: record.principal) { throw invalid("principal", problem) }
            for scope in record.scopes where AccessScope(name: scope) == nil {
                throw invalid("scopes", "\(scope) is not a scope (\(AccessScope.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard AuditTimestamp(rfc3339: record.created) != nil else { throw invalid("created", "must be an RFC 3339 timestamp") }
            if let expires = record.expires, AuditTimestamp(rfc3339: expires) == nil { throw invalid("expires", "must be an RFC 3339 timestamp") }
            if let revoked = record.revoked, AuditTimestamp(rfc3339: revoked) == nil { throw invalid("revoked", "must be an RFC 3339 timestamp") }
        }
        return file
    }

    /// Pretty-printed JSON with sorted keys, ending in a newline.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, integers and arrays cannot fail.
        return Array((try? encoder.encode(self)) ?? Data()) + [UInt8(ascii: "\n")]
    }
}
