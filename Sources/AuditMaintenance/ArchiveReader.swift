public import AuditCore
import CompressNIO
import Crypto
import Foundation
import NIOCore

/// Reads and verifies an archive written by ``ArchiveWriter``.
///
/// Verification hashes the whole file first and refuses it unless the SHA-256 matches its
/// manifest (so a tampered file is never decompressed into the store), then decompresses it
/// and requires exactly the manifest's row count of well-formed events, all of the manifest's
/// month, with the manifest's first and last event.
public enum ArchiveReader {
    /// A verified archive.
    public struct Verified: Sendable {
        public var manifest: ArchiveManifest
        public var archivePath: String
        /// The events, in file order (`insert_seq`), when loaded.
        public var events: [StoredAuditEvent]
    }

    /// Verifies the archive that `path` names (its manifest, or the `.ndjson.gz` next to one).
    /// - Parameters:
    ///   - loadEvents: keep the events in memory (for a restore).
    ///   - inspect: told each line as parsed, with its line number (``BundleVerifier``).
    public static func verify(
        _ path: String, loadEvents: Bool, inspect: (JSONObject, Int) -> Void = { _, _ in }
    ) throws(AuditError) -> Verified {
        let manifestPath = path.hasSuffix(".ndjson.gz") ? String(path.dropLast(".ndjson.gz".count)) + ".manifest.json" : path
        guard let manifestBytes = FileManager.default.contents(atPath: manifestPath) else {
            throw AuditError(.notFound, detail: "no archive manifest at \(manifestPath)")
        }
        let manifest = try ArchiveManifest(json: String(decoding: manifestBytes, as: UTF8.self))
        let archivePath = ((manifestPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(manifest.archiveFile)
        guard let compressed = FileManager.default.contents(atPath: archivePath) else {
            throw AuditError(.notFound, detail: "the archive file \(archivePath) is missing")
        }
        let digest = Hex.lowercase(SHA256.hash(data: compressed))
        guard digest == manifest.sha256 else {
            throw AuditError(
                .conflict,
                detail:
                    "the archive \(manifest.archiveFile) does not match its manifest (SHA-256 \(digest), expected \(manifest.sha256)): it was altered or damaged"
            )
        }
        var events: [StoredAuditEvent] = []
        var count: Int64 = 0
        var firstID: String?
        var lastID: String?
        do {
            var pending: [UInt8] = []
            let decompressor = CompressionAlgorithm.gzip().decompressor
            decompressor.window = ByteBufferAllocator().buffer(capacity: 256 * 1024)
            try decompressor.startStream()
            var input = ByteBuffer(bytes: compressed)
            try input.decompressStream(with: decompressor) { window in
                pending.append(contentsOf: window.readableBytesView)
                var start = 0
                while let newline = pending[start...].firstIndex(of: 0x0A) {
                    let event = try Self.event(Array(pending[start..<newline]), line: count + 1, month: manifest.month, inspect: inspect)
                    count += 1
                    if firstID == nil { firstID = event.event.id.uuidString.lowercased() }
                    lastID = event.event.id.uuidString.lowercased()
                    if loadEvents { events.append(event) }
                    start = newline + 1
                }
                pending.removeFirst(start)
            }
            try decompressor.finishStream()
            guard pending.isEmpty else { throw AuditError(.conflict, detail: "the archive ends in the middle of a line") }
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(.conflict, detail: "the archive \(manifest.archiveFile) cannot be decompressed", underlying: error)
        }
        guard count == manifest.rowCount, firstID == manifest.firstEventID, lastID == manifest.lastEventID else {
            throw AuditError(
                .conflict,
                detail:
                    "the archive holds \(count) events (first \(firstID ?? "none"), last \(lastID ?? "none")); its manifest says \(manifest.rowCount)"
            )
        }
        return Verified(manifest: manifest, archivePath: archivePath, events: events)
    }

    private static func event(
        _ line: [UInt8], line number: Int64, month: PartitionMonth, inspect: (JSONObject, Int) -> Void
    ) throws(AuditError) -> StoredAuditEvent {
        guard case .object(let object)? = try? JSONParser.parse(line) else {
            throw AuditError(.conflict, detail: "line \(number) of the archive is not a JSON object")
        }
        inspect(object, Int(number))
        let event = try StoredAuditEvent(archiveJSON: object)
        guard event.event.date.month == month else {
            throw AuditError(.conflict, detail: "line \(number) of the archive is an event of \(event.event.date.month), not \(month)")
        }
        return event
    }
}
