import ArgumentParser
import AuditCore
import Foundation

/// Where an export goes: standard output, or a file written under a `.partial` name, flushed,
/// then renamed, so a file that looks complete is complete.
final class ExportSink {
    private let handle: FileHandle

    private init(handle: FileHandle) {
        self.handle = handle
    }

    func write(_ bytes: [UInt8]) throws(AuditError) {
        guard !bytes.isEmpty else { return }
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw AuditError(.unavailable, detail: "cannot write the export", underlying: error)
        }
    }

    /// Runs `body` with a sink for `path` (`-`: standard output); the file appears only when `body` returns.
    static func write<Value>(to path: String, _ body: (ExportSink) async throws -> Value) async throws -> Value {
        guard path != "-" else { return try await body(ExportSink(handle: .standardOutput)) }
        guard !FileManager.default.fileExists(atPath: path) else { throw ValidationError("\(path) exists; an export never replaces a file") }
        let partial = path + ".partial"
        guard FileManager.default.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot create \(partial)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: partial))
        do {
            let value = try await body(ExportSink(handle: handle))
            try handle.synchronize()
            try handle.close()
            try FileManager.default.moveItem(atPath: partial, toPath: path)
            return value
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }
}
