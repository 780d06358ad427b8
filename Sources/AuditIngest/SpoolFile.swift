import AuditCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few POSIX file operations the spool needs, with errors as ``AuditError``.
///
/// Everything here blocks; ``Spool`` calls it from NIO's blocking thread pool.
enum SpoolFile {
    static func failure(_ operation: String, _ path: String) -> AuditError {
        let code = errno
        return AuditError(
            .unavailable,
            detail: "the local spool could not \(operation) (\(String(cString: strerror(code))))",
            retryAfterSeconds: 5,
            underlying: SpoolIOError(operation: operation, path: path, errno: code),
            diagnostic: "errno \(code)"
        )
    }

    /// Opens `path` for appending, creating it (mode 0600).
    static func openForAppend(_ path: String) throws(AuditError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open \(path)", path) }
        return fd
    }

    /// Creates `path` for appending (mode 0600); fails if it exists, so no file is ever reused.
    static func createExclusively(_ path: String) throws(AuditError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("create \(path)", path) }
        return fd
    }

    /// Writes `bytes` to a new file `<prefix>-<n><suffix>` in `directory`, `n` the first number
    /// for which no such file exists (never replacing one), flushed with its directory.
    static func writeNew(in directory: String, prefix: String, suffix: String, bytes: [UInt8]) throws(AuditError) {
        var number = 1
        while true {
            let path = "\(directory)/\(prefix)-\(number)\(suffix)"
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd < 0 {
                if errno == EEXIST {
                    number += 1
                    continue
                }
                throw failure("create \(path)", path)
            }
            do throws(AuditError) {
                try writeAndSync(fd, bytes, path: path)
            } catch {
                close(fd)
                throw error
            }
            close(fd)
            try syncDirectory(directory)
            return
        }
    }

    static func openForReading(_ path: String) throws(AuditError) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open \(path)", path) }
        return fd
    }

    /// Writes all of `bytes`, then flushes them to the disk.
    static func writeAndSync(_ fd: Int32, _ bytes: [UInt8], path: String) throws(AuditError) {
        try writeAll(fd, bytes, path: path)
        guard fsync(fd) == 0 else { throw failure("flush \(path) to disk", path) }
    }

    /// Writes every byte (to the operating system, not yet to disk).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(AuditError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("write \(path)", path)
            }
            written += result
        }
    }

    /// Reads up to `count` bytes at `offset`; fewer at the end of the file.
    static func read(_ fd: Int32, at offset: Int64, count: Int, path: String) throws(AuditError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var total = 0
        while total < count {
            let result = bytes.withUnsafeMutableBytes { buffer in
                pread(fd, buffer.baseAddress! + total, count - total, off_t(offset) + off_t(total))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("read \(path)", path)
            }
            if result == 0 { break }
            total += result
        }
        bytes.removeLast(count - total)
        return bytes
    }

    /// The whole file.
    static func readWhole(_ path: String) throws(AuditError) -> [UInt8] {
        let fd = try openForReading(path)
        defer { close(fd) }
        return try read(fd, at: 0, count: Int(size(path) ?? 0), path: path)
    }

    static func size(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    static func truncate(_ path: String, to length: Int64) throws(AuditError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open \(path)", path) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(length)) == 0, fsync(fd) == 0 else { throw failure("truncate \(path)", path) }
    }

    /// Flushes a directory, so that files created, renamed or removed in it survive a crash.
    static func syncDirectory(_ path: String) throws(AuditError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open \(path)", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("flush \(path)", path) }
    }

    /// Writes `bytes` to `path` atomically: a temporary file, flushed, renamed over it.
    static func replace(_ path: String, with bytes: [UInt8], directory: String) throws(AuditError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open \(temporary)", temporary) }
        do throws(AuditError) {
            try writeAndSync(fd, bytes, path: temporary)
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw failure("rename \(temporary)", path) }
        try syncDirectory(directory)
    }

    /// Takes an exclusive lock on `path` (created when missing) for as long as the returned
    /// descriptor stays open.
    static func lockExclusively(_ path: String) throws(AuditError) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open \(path)", path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw AuditError(.unavailable, detail: "another process has the spool at \(path) open; each server needs a spool directory of its own")
        }
        return fd
    }

    static func remove(_ path: String) throws(AuditError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("remove \(path)", path) }
    }

    /// Creates `path` and any missing parents (mode 0700); each new directory is flushed into
    /// its parent, so that it (and what is written in it) survives a crash.
    static func makeDirectory(_ path: String) throws(AuditError) {
        var parent = path.hasPrefix("/") ? "/" : "."
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o700) == 0 {
                try syncDirectory(parent)
            } else if errno != EEXIST {
                throw failure("create \(current)", current)
            }
            parent = current
        }
    }

    static func names(in directory: String) throws(AuditError) -> [String] {
        guard let handle = opendir(directory) else { throw failure("list \(directory)", directory) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

/// The operating system's reason a spool file operation failed (for logs).
struct SpoolIOError: Error, CustomStringConvertible {
    var operation: String
    var path: String
    var errno: Int32

    var description: String { "\(operation): errno \(errno)" }
}
