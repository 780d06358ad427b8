public import AuditCore
import CompressNIO
import Crypto
import Foundation
import NIOCore

/// Writes a month's events to a gzip-compressed NDJSON archive and its manifest.
///
/// Files are `<directory>/audit_events_YYYY_MM-<UTC timestamp>.ndjson.gz` and
/// `….manifest.json`: a new pair per archive, never overwriting an older one. Each is written
/// under a `.partial` name, flushed to disk, then renamed, so a crash leaves no file that
/// looks complete. Compression runs on the calling task between chunks of 1000 events; it is
/// meant for the maintenance service and commands, not for request paths.
public struct ArchiveWriter: Sendable {
    /// Where archives go (created when missing).
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// An archive written and flushed.
    public struct Written: Sendable {
        public var manifest: ArchiveManifest
        public var archivePath: String
        public var manifestPath: String
    }

    /// Archives `month` of `store`, with the evidence that proves its events against the log
    /// offline (``BundleEvidence``): each line carries its log position, checked against the
    /// log as it is written, and the manifest a proof to a signed checkpoint and the statement
    /// `signer` signs (unsigned without one). `progress` is told the number of events written so far.
    /// - Throws: `conflict` when an event is not what was logged or not in the log;
    ///   `unavailable` when no signed checkpoint covers the month and there is no `signer`.
    public func archive(
        _ month: PartitionMonth,
        of store: any AuditLifecycleStore,
        signer: NoteSignerKey? = nil,
        now: AuditTimestamp,
        progress: (Int64) -> Void = { _ in }
    ) async throws(AuditError) -> Written {
        let stamp = now.description.filter { $0.isNumber || $0 == "T" || $0 == "Z" }
        let base = "\(month.partitionName)-\(stamp)"
        let archivePath = "\(directory)/\(base).ndjson.gz"
        let manifestPath = "\(directory)/\(base).manifest.json"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let sink = try GzipFileSink(path: archivePath + ".partial")
            var first: StoredAuditEvent?
            var last: StoredAuditEvent?
            try await store.drainLogQueue()
            var builder = BundleBuilder()
            let count = try await store.exportMonth(month) { chunk in
                let positions = try await builder.place(chunk, in: store)
                var writer = JSONWriter(capacity: chunk.count * 1600)
                for (event, position) in zip(chunk, positions) {
                    event.writeArchiveJSON(into: &writer, logPosition: position)
                    writer.writeByte(0x0A)
                }
                try sink.write(writer.bytes)
                if first == nil { first = chunk.first }
                last = chunk.last
                progress(sink.linesWritten(adding: chunk.count))
            }
            let sha256 = try sink.finish()
            var scope = JSONObject()
            scope["kind"] = .string("month")
            scope["month"] = .string(month.description)
            scope["store"] = .string(store.kind)
            // An empty month has nothing to prove.
            let evidence = count == 0 ? nil : try await builder.evidence(scope: scope, store: store, signer: signer, now: now)
            try FileManager.default.moveItem(atPath: archivePath + ".partial", toPath: archivePath)
            let manifest = ArchiveManifest(
                month: month, archiveFile: (archivePath as NSString).lastPathComponent, rowCount: count, sha256: sha256,
                firstEventID: first?.event.id.uuidString.lowercased(), lastEventID: last?.event.id.uuidString.lowercased(),
                firstTimestamp: first?.event.timestamp, lastTimestamp: last?.event.timestamp, createdAt: now, store: store.kind,
                log: evidence
            )
            try Self.writeDurably(Array(manifest.json.utf8), to: manifestPath)
            return Written(manifest: manifest, archivePath: archivePath, manifestPath: manifestPath)
        } catch let error as AuditError {
            try? FileManager.default.removeItem(atPath: archivePath + ".partial")
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: archivePath + ".partial")
            throw AuditError(.unavailable, detail: "could not write the archive of \(month) in \(directory)", underlying: error)
        }
    }

    /// Writes `bytes` to `path` through a `.partial` file that is flushed and then renamed.
    static func writeDurably(_ bytes: [UInt8], to path: String) throws {
        let partial = path + ".partial"
        guard FileManager.default.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: partial))
        try handle.write(contentsOf: bytes)
        try handle.synchronize()
        try handle.close()
        try FileManager.default.moveItem(atPath: partial, toPath: path)
    }
}

/// A gzip stream into a file, hashing the compressed bytes as they are written.
final class GzipFileSink {
    private let handle: FileHandle
    private let compressor: any NIOCompressor
    private var hasher = SHA256()
    private var lines = 0

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        compressor = CompressionAlgorithm.gzip().compressor
        compressor.window = ByteBufferAllocator().buffer(capacity: 64 * 1024)
        try compressor.startStream()
    }

    func linesWritten(adding count: Int) -> Int64 {
        lines += count
        return Int64(lines)
    }

    func write(_ bytes: [UInt8]) throws {
        var buffer = ByteBuffer(bytes: bytes)
        try buffer.compressStream(with: compressor, flush: .no) { window in try self.emit(window) }
    }

    /// Ends the stream, flushes the file to disk, and returns the SHA-256 (hex) of its bytes.
    func finish() throws -> String {
        var empty = ByteBuffer()
        try empty.compressStream(with: compressor, flush: .finish) { window in try self.emit(window) }
        try compressor.finishStream()
        try handle.synchronize()
        try handle.close()
        return Hex.lowercase(hasher.finalize())
    }

    private func emit(_ window: ByteBuffer) throws {
        let bytes = Array(window.readableBytesView)
        hasher.update(data: bytes)
        try handle.write(contentsOf: bytes)
    }
}
