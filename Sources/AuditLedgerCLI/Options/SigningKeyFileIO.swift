import ArgumentParser
import AuditCore
import Foundation

/// Reading and writing the checkpoint signing key file (``AuditCore/SigningKeyFile``): always
/// mode 0600, refused when others may read it, never replaced by `generate`.
enum SigningKeyFileIO {
    /// Reads and parses `path`.
    /// - Throws: when it cannot be read, when group or others have any access to it, or when it
    ///   does not parse.
    static func read(_ path: String) throws -> SigningKeyFile {
        var info = stat()
        guard stat(path, &info) == 0 else { throw ValidationError("cannot read the signing key \(path): \(String(cString: strerror(errno)))") }
        guard info.st_mode & 0o077 == 0 else {
            throw ValidationError(
                "the signing key \(path) may be read by others (mode \(String(info.st_mode & 0o777, radix: 8))): chmod 600 it, or rotate it")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("cannot read the signing key \(path)")
        }
        do {
            return try SigningKeyFile(parsing: text)
        } catch {
            throw ValidationError("the signing key \(path): \(error.description)")
        }
    }

    /// Writes a new key file at `path`; fails when one exists (it is never replaced).
    static func create(_ file: SigningKeyFile, at path: String) throws {
        let temporary = path + ".new-\(getpid())"
        try TokenFileEditor.writeAtomically(Array(file.rendered.utf8), to: temporary, what: "the signing key")
        defer { unlink(temporary) }
        guard link(temporary, path) == 0 else {
            throw ValidationError("cannot create the signing key \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Replaces the key file at `path` atomically (a rotation).
    static func replace(_ file: SigningKeyFile, at path: String) throws {
        try TokenFileEditor.writeAtomically(Array(file.rendered.utf8), to: path, what: "the signing key")
    }

    /// The default key name: `<host name>/auditledger`.
    static var defaultName: String {
        let host = ProcessInfo.processInfo.hostName.filter { !$0.isWhitespace && $0 != "+" }
        return (host.isEmpty ? "localhost" : host) + "/auditledger"
    }

    /// Checks a key name given on the command line.
    static func validName(_ name: String?) throws -> String {
        let name = name ?? defaultName
        guard NoteVerifierKey.isValidName(name) else {
            throw ValidationError("--name must be non-empty, without spaces or '+' (for example audit.example.com/log)")
        }
        return name
    }
}
