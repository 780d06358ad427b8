/// Why a bearer token was refused. The client is told only that its token is not valid; the
/// reason goes to the server's log and its own audit events.
public enum TokenRefusal: String, Sendable, Hashable {
    /// Not of the form `alt_<id>_<secret>`.
    case malformed
    /// No token with this id, or the secret does not match.
    case unknown
    case revoked
    case expired
}

/// The outcome of checking a bearer token against a ``TokenFile``.
public enum TokenCheck: Sendable, Hashable {
    case accepted(Principal)
    case refused(TokenRefusal)
}

extension TokenFile {
    /// Checks `text` (the bearer token as sent) at `now`.
    ///
    /// The secret's SHA-256 is compared with the stored one in constant time, and a token whose
    /// id is unknown is compared against a stand-in, so the time taken tells nothing about
    /// which secrets exist. A revoked or expired token is reported as such only after its
    /// secret matched.
    public func check(_ text: String, at now: AuditTimestamp) -> TokenCheck {
        guard let token = AccessToken(text: text) else { return .refused(.malformed) }
        let presented = token.secretHash
        guard let record = tokens.first(where: { $0.id == token.id }) else {
            _ = Self.constantTimeEqual(presented, Self.standIn)
            return .refused(.unknown)
        }
        guard Self.constantTimeEqual(presented, record.secretSHA256) else { return .refused(.unknown) }
        if record.revoked != nil { return .refused(.revoked) }
        if let expires = record.expires.flatMap({ AuditTimestamp(rfc3339: $0) }), now >= expires { return .refused(.expired) }
        let principal = Principal(
            name: record.principal, kind: record.kind, scopes: Set(record.scopes.compactMap(AccessScope.init(name:))),
            readLimits: record.readLimits ?? .unlimited, method: .token)
        return .accepted(principal)
    }

    private static let standIn = String(repeating: "0", count: 64)

    /// Compares two hex digests without stopping at the first difference.
    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
