import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An Ed25519 key of C2SP `signed-note`, as the log signs its checkpoints with.
///
/// A key has a name (for a log, its origin, e.g. `audit.example.com/log`: non-empty, no
/// spaces, no `+`) and a 32-bit id, the first four bytes of
/// SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), big-endian. It is written as text:
/// - the verifier key, `name+<8 hex digits of the id>+base64(0x01 ‖ public key)`, which
///   anyone may hold;
/// - the signer key, `PRIVATE+KEY+name+<id>+base64(0x01 ‖ 32-byte seed)`, which only the log
///   holds (the form of golang.org/x/mod/sumdb/note).
public struct NoteVerifierKey: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var id: UInt32
    /// The raw 32-byte Ed25519 public key.
    public var publicKey: [UInt8]

    /// The signature type byte of Ed25519.
    public static let ed25519: UInt8 = 0x01

    public init(name: String, publicKey: [UInt8]) {
        self.name = name
        self.publicKey = publicKey
        self.id = Self.keyID(name: name, publicKey: publicKey)
    }

    /// Parses `name+hexid+base64`; `nil` when malformed, not Ed25519, or the id does not match.
    public init?(_ text: some StringProtocol) {
        // Base64 may hold `+`: the key is all that follows the second one.
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, Self.isValidName(parts[0]), parts[1].utf8.count == 8, let id = UInt32(parts[1], radix: 16),
            let bytes = Data(base64Encoded: String(parts[2])), bytes.count == 33, bytes.first == Self.ed25519
        else { return nil }
        self.init(name: String(parts[0]), publicKey: Array(bytes.dropFirst()))
        guard self.id == id else { return nil }
    }

    /// `name+hexid+base64(0x01 ‖ public key)`.
    public var description: String {
        "\(name)+\(Self.hexID(id))+\(Data([Self.ed25519] + publicKey).base64EncodedString())"
    }

    /// `name+hexid`: how checkpoints and the key list name a key.
    public var label: String { "\(name)+\(Self.hexID(id))" }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    public func isValidSignature(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }

    /// SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[0..<4], big-endian.
    public static func keyID(name: String, publicKey: [UInt8]) -> UInt32 {
        let digest = Array(SHA256.hash(data: Array(name.utf8) + [0x0A, ed25519] + publicKey))
        return digest[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A key name: non-empty UTF-8 without spaces, `+` or control characters.
    public static func isValidName(_ name: some StringProtocol) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { !$0.properties.isWhitespace && $0 != "+" && $0.value >= 0x20 && $0.value != 0x7f }
    }

    /// The key id as C2SP writes it: 8 lowercase hex digits.
    public static func hexID(_ id: UInt32) -> String {
        let digits = String(id, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// The private half of a ``NoteVerifierKey``: signs notes.
public struct NoteSignerKey: Sendable {
    public let verifier: NoteVerifierKey
    private let key: Curve25519.Signing.PrivateKey

    /// A new random key named `name`.
    /// - Precondition: ``NoteVerifierKey/isValidName(_:)``.
    public static func generate(name: String) -> NoteSignerKey {
        NoteSignerKey(name: name, key: Curve25519.Signing.PrivateKey())
    }

    private init(name: String, key: Curve25519.Signing.PrivateKey) {
        self.key = key
        self.verifier = NoteVerifierKey(name: name, publicKey: Array(key.publicKey.rawRepresentation))
    }

    /// Parses `PRIVATE+KEY+name+hexid+base64(0x01 ‖ seed)`; `nil` when malformed or the id does
    /// not match the key.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY", NoteVerifierKey.isValidName(parts[2]),
            parts[3].utf8.count == 8, let id = UInt32(parts[3], radix: 16),
            let bytes = Data(base64Encoded: String(parts[4])), bytes.count == 33, bytes.first == NoteVerifierKey.ed25519,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes.dropFirst())
        else { return nil }
        self.init(name: String(parts[2]), key: key)
        guard verifier.id == id else { return nil }
    }

    /// `PRIVATE+KEY+name+hexid+base64(0x01 ‖ seed)`: the secret; keep it in a 0600 file.
    public var secretText: String {
        "PRIVATE+KEY+\(verifier.name)+\(NoteVerifierKey.hexID(verifier.id))+"
            + Data([NoteVerifierKey.ed25519] + Array(key.rawRepresentation)).base64EncodedString()
    }

    /// The Ed25519 signature of `message` (deterministic, RFC 8032).
    public func signature(of message: [UInt8]) -> [UInt8] {
        // swift-crypto's Ed25519 never fails for a valid key.
        (try? Array(key.signature(for: message))) ?? []
    }
}
