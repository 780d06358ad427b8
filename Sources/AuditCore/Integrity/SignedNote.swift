#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A C2SP `signed-note`: a text ending in a newline, a blank line, then one or more signature
/// lines `— <key name> base64(key id ‖ signature)` (an em dash U+2014 and a space first). The
/// signatures cover the text including its final newline.
public struct SignedNote: Sendable, Hashable {
    /// One signature line.
    public struct Signature: Sendable, Hashable {
        public var keyName: String
        public var keyID: UInt32
        /// The signature proper (64 bytes for Ed25519).
        public var signature: [UInt8]
    }

    /// The signed text, ending in a newline.
    public var text: String
    public var signatures: [Signature]

    /// Why a note is refused.
    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        case malformed(String)
        /// No signature line of a key the verifier trusts.
        case noTrustedSignature
        /// A trusted key's signature that does not verify.
        case badSignature(String)

        public var description: String {
            switch self {
            case .malformed(let why): "malformed note: \(why)"
            case .noTrustedSignature: "the note carries no signature of a trusted key"
            case .badSignature(let key): "the signature of \(key) does not verify"
            }
        }
    }

    static let dash = "\u{2014} "

    /// `text` signed by `key`.
    /// - Precondition: `text` ends in a newline and holds no blank line or control character
    ///   other than newline (checkpoints never do).
    public static func sign(_ text: String, with key: NoteSignerKey) -> SignedNote {
        let signature = key.signature(of: Array(text.utf8))
        return SignedNote(text: text, signatures: [Signature(keyName: key.verifier.name, keyID: key.verifier.id, signature: signature)])
    }

    /// The note as text: the signed text, a blank line, the signature lines.
    public var rendered: String {
        var lines = text + "\n"
        for signature in signatures {
            let id = withUnsafeBytes(of: signature.keyID.bigEndian) { Array($0) }
            lines += Self.dash + signature.keyName + " " + Data(id + signature.signature).base64EncodedString() + "\n"
        }
        return lines
    }

    /// Parses a rendered note (split at its last blank line, as the reference implementation does).
    public init(parsing note: String) throws(Problem) {
        let bytes = Array(note.utf8)
        guard bytes.last == 0x0A else { throw .malformed("it does not end in a newline") }
        guard !bytes.contains(where: { $0 < 0x20 && $0 != 0x0A }) else { throw .malformed("it holds a control character") }
        var split: Int?
        var index = bytes.count - 2
        while index > 0 {
            if bytes[index] == 0x0A && bytes[index - 1] == 0x0A {
                split = index
                break
            }
            index -= 1
        }
        guard let split else { throw .malformed("it has no blank line before its signatures") }
        let text = String(decoding: bytes[..<split], as: UTF8.self)
        var signatures: [Signature] = []
        for line in String(decoding: bytes[(split + 1)...], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            guard line.hasPrefix(Self.dash) else { throw .malformed("a signature line does not start with an em dash and a space") }
            let parts = line.dropFirst(Self.dash.count).split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, NoteVerifierKey.isValidName(parts[0]), let blob = Data(base64Encoded: String(parts[1])), blob.count > 4 else {
                throw .malformed("a signature line is not `— name base64`")
            }
            let id = blob.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            signatures.append(Signature(keyName: String(parts[0]), keyID: id, signature: Array(blob.dropFirst(4))))
        }
        guard !signatures.isEmpty else { throw .malformed("it has no signature line") }
        guard signatures.count <= 100 else { throw .malformed("it has more than 100 signatures") }
        self.init(text: text, signatures: signatures)
    }

    public init(text: String, signatures: [Signature]) {
        self.text = text
        self.signatures = signatures
    }

    /// The trusted key whose signature the note carries and which verifies it: the first line
    /// that names a trusted key decides (lines of other keys are ignored).
    /// - Throws: ``Problem/noTrustedSignature`` or ``Problem/badSignature(_:)``.
    public func verifiedKey(among trusted: [NoteVerifierKey]) throws(Problem) -> NoteVerifierKey {
        for signature in signatures {
            guard let key = trusted.first(where: { $0.name == signature.keyName && $0.id == signature.keyID }) else { continue }
            guard key.isValidSignature(signature.signature, of: Array(text.utf8)) else { throw .badSignature(key.label) }
            return key
        }
        throw .noTrustedSignature
    }
}
