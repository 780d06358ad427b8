import ArgumentParser
import AuditCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads and rewrites the token file for `auditledger tokens`: under an exclusive `flock` on
/// `<file>.lock`, written to a temporary file of mode 0600 in the same directory, flushed,
/// then renamed over the old one, so a server never reads half a file and two commands never
/// lose each other's change.
enum TokenFileEditor {
    static func read(_ path: String) throws -> TokenFile {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read the token file \(path)") }
        do {
            return try TokenFile.decode(Array(data))
        } catch {
            throw ValidationError("\(path): \(error.detail)\(error.fieldErrors.map { " (\($0.field): \($0.message))" }.joined())")
        }
    }

    /// Applies `change` to the file's tokens and writes the result; `creating` allows a missing file.
    static func change(_ path: String, creating: Bool, _ change: (inout TokenFile) throws -> Void) throws {
        let lock = open(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw ValidationError("cannot create \(path).lock: \(String(cString: strerror(errno)))") }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { throw ValidationError("cannot lock \(path).lock: \(String(cString: strerror(errno)))") }
        defer { flock(lock, LOCK_UN) }

        var tokens: TokenFile
        if FileManager.default.fileExists(atPath: path) {
            tokens = try read(path)
        } else if creating {
            tokens = TokenFile()
        } else {
            throw ValidationError("there is no token file at \(path)")
        }
        try change(&tokens)
        try writeAtomically(tokens.encoded(), to: path, what: "the token file")
    }

    /// Writes `bytes` to a new 0600 file flushed to disk, then renames it over `path` (and
    /// flushes the directory): a reader sees the old file or the new one, never half of one.
    static func writeAtomically(_ bytes: [UInt8], to path: String, what: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ValidationError("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var written = 0
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let result = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += result
            }
            return fsync(descriptor) == 0
        }
        close(descriptor)
        guard ok, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ValidationError("cannot write \(what) \(path): \(reason)")
        }
        // The rename itself survives a crash once the directory is flushed.
        let directory = open(
            (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
