/// The checkpoint signing key file (`serve --signing-key`, `auditledger keys`): the key
/// checkpoints are signed with, and the public keys of keys retired by rotation, which stay
/// trusted for the checkpoints they signed. Text, one key per line; `#` starts a comment:
///
/// ```
/// # AuditLedger checkpoint signing key: keep secret (mode 0600)
/// PRIVATE+KEY+audit.example.com/log+1a2b3c4d+Ab…
/// # retired
/// audit.example.com/log+5e6f7a8b+AQ…
/// ```
public struct SigningKeyFile: Sendable {
    public var current: NoteSignerKey
    /// Retired keys, oldest first.
    public var retired: [NoteVerifierKey]

    public init(current: NoteSignerKey, retired: [NoteVerifierKey] = []) {
        self.current = current
        self.retired = retired
    }

    /// Every key whose signatures are trusted: the current one, then the retired ones.
    public var trusted: [NoteVerifierKey] { [current.verifier] + retired }

    /// Parses a key file.
    /// - Throws: a message naming the line that is not a key, or when there is not exactly one
    ///   private key.
    public init(parsing text: String) throws(KeyFileError) {
        var signers: [NoteSignerKey] = []
        var retired: [NoteVerifierKey] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingPrefix(while: \.isWhitespace)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let trimmed = String(line).trimmingTrailingWhitespace
            if trimmed.hasPrefix("PRIVATE+KEY+") {
                guard let key = NoteSignerKey(trimmed) else { throw KeyFileError("line \(number + 1) is not a valid Ed25519 private key") }
                signers.append(key)
            } else {
                guard let key = NoteVerifierKey(trimmed) else {
                    throw KeyFileError("line \(number + 1) is neither a private key nor a verifier key (name+keyid+base64)")
                }
                retired.append(key)
            }
        }
        guard signers.count == 1, let current = signers.first else {
            throw KeyFileError("the file must hold exactly one private key (PRIVATE+KEY+…), not \(signers.count)")
        }
        self.init(current: current, retired: retired.filter { $0 != current.verifier })
    }

    /// The file's text: a comment naming the public key, the private key, then each retired
    /// key after a `# retired` comment.
    public var rendered: String {
        var text = "# AuditLedger checkpoint signing key: keep secret (mode 0600). Public key: \(current.verifier)\n"
        text += current.secretText + "\n"
        for key in retired {
            text += "# retired\n"
            text += key.description + "\n"
        }
        return text
    }

    /// The file after a rotation: `next` signs from now on, the current key joins the retired.
    public func rotated(to next: NoteSignerKey) -> SigningKeyFile {
        SigningKeyFile(current: next, retired: retired + [current.verifier])
    }
}

/// A key file that does not parse.
public struct KeyFileError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

extension String {
    fileprivate var trimmingTrailingWhitespace: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
