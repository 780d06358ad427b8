public import AuditCore
import Crypto
import Foundation

/// Rewrites an archive as someone who holds the files would: its lines changed, then its
/// manifest made to agree (SHA-256, row count, first and last event), so that only the log's
/// evidence can tell. Uses the system's `gzip`.
public enum ArchiveForgery {
    /// Applies `transform` to the archive's lines (each a JSON object) and fixes the manifest.
    public static func rewrite(manifestPath: String, _ transform: ([JSONObject]) throws -> [JSONObject]) throws {
        let manifestText = try String(contentsOfFile: manifestPath, encoding: .utf8)
        guard case .object(var manifest) = try JSONParser.parse(manifestText), case .string(let file)? = manifest["archive_file"] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        let archivePath = ((manifestPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(file)
        let text = String(decoding: try run("/bin/gzip", ["-dc", archivePath]), as: UTF8.self)
        let lines = try text.split(separator: "\n").map { line -> JSONObject in
            guard case .object(let object) = try JSONParser.parse(String(line)) else { throw CocoaError(.fileReadCorruptFile) }
            return object
        }
        let changed = try transform(lines)
        let plain = changed.map { JSONValue.object($0).compactText + "\n" }.joined()
        let plainPath = archivePath + ".plain"
        try Data(plain.utf8).write(to: URL(fileURLWithPath: plainPath))
        defer { try? FileManager.default.removeItem(atPath: plainPath) }
        let compressed = try run("/bin/gzip", ["-nc", plainPath])
        try compressed.write(to: URL(fileURLWithPath: archivePath))
        manifest["sha256"] = .string(Hex.lowercase(SHA256.hash(data: compressed)))
        manifest["row_count"] = .number(String(changed.count))
        manifest["first_event_id"] = changed.first?["event_id"] ?? .null
        manifest["last_event_id"] = changed.last?["event_id"] ?? .null
        try Data((JSONValue.object(manifest).compactText + "\n").utf8).write(to: URL(fileURLWithPath: manifestPath))
    }

    /// Replaces the manifest's log evidence member `name` with `value`.
    public static func replaceEvidence(manifestPath: String, member name: String, with value: JSONValue) throws {
        let manifestText = try String(contentsOfFile: manifestPath, encoding: .utf8)
        guard case .object(var manifest) = try JSONParser.parse(manifestText), case .object(var log)? = manifest["log"] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        log[name] = value
        manifest["log"] = .object(log)
        try Data((JSONValue.object(manifest).compactText + "\n").utf8).write(to: URL(fileURLWithPath: manifestPath))
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileReadCorruptFile) }
        return data
    }
}
