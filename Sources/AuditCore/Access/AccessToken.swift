import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A static bearer token: `alt_<id>_<secret>`, where `id` (16 hex digits) names the token in
/// listings and revocations and `secret` is 32 random bytes in base64url. Only the SHA-256 of
/// the secret is kept (in a ``TokenFile``); the token itself is shown once, when created.
public struct AccessToken: Sendable, Hashable {
    public var id: String
    public var secret: String

    /// The text a client sends: `Authorization: Bearer <text>`.
    public var text: String { Self.prefix + "\(id)_\(secret)" }

    /// What every static token starts with (`alt_`): how a bearer token is told from one the
    /// Kubernetes API checks.
    public static let prefix = "alt_"

    /// A new token from the system's secure random generator.
    public static func generate() -> AccessToken {
        var generator = SystemRandomNumberGenerator()
        let id = Hex.lowercase((0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let secret = Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return AccessToken(id: id, secret: secret)
    }

    /// Parses `alt_<id>_<secret>`; `nil` when `text` does not have that shape.
    public init?(text: String) {
        let parts = text.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "alt", Hex.isLowercase(parts[1], count: 16),
            parts[2].utf8.count == 43, parts[2].utf8.allSatisfy(Self.isBase64URL)
        else { return nil }
        self.id = String(parts[1])
        self.secret = String(parts[2])
    }

    public init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// SHA-256 of the secret, hex: what a ``TokenFile`` stores.
    public var secretHash: String { Self.hash(secret) }

    static func hash(_ secret: String) -> String {
        Hex.lowercase(SHA256.hash(data: Array(secret.utf8)))
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}
