public import AuditCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A witness file (`--witness-file`): every new checkpoint's signed note appended, then a
/// blank line, and flushed to disk before the next one. Kept outside the database (another
/// disk, host or append-only medium), it holds the log to what was already signed: a later
/// checkpoint inconsistent with one in the file shows a rewritten log even when the key was
/// taken too. The file is created 0600 and only ever appended to.
public struct CheckpointFileWitness: CheckpointWitness {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public var description: String { "file \(path)" }

    public func witness(_ checkpoint: StoredCheckpoint) async throws {
        let path = path
        let bytes = Array((checkpoint.note + "\n").utf8)
        try await NIOThreadPool.singleton.runIfActive {
            let fd = try SpoolFile.openForAppend(path)
            defer { close(fd) }
            try SpoolFile.writeAndSync(fd, bytes, path: path)
        }
    }

    /// The signed notes a witness file holds, in the order appended.
    public static func notes(in text: String) -> [String] {
        var notes: [String] = []
        var current = ""
        var inSignatures = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                if inSignatures {
                    notes.append(current)
                    current = ""
                    inSignatures = false
                } else if !current.isEmpty {
                    current += "\n"
                    inSignatures = true
                }
                continue
            }
            current += line + "\n"
        }
        return notes
    }
}
