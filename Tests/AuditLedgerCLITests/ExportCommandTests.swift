import ArgumentParser
import AuditCore
import AuditMaintenance
import AuditSQLite
import AuditTesting
import Foundation
import Logging
import Testing

@testable import AuditLedgerCLI

/// `auditledger export` (NDJSON, CSV, bundles) and `auditledger verify-bundle`, on an embedded store file.
@Suite struct ExportCommandTests {
    func run(_ arguments: [String]) async throws { try await InProcessCommand.run(arguments) }

    func exitCode(_ arguments: [String]) async throws -> Int32 { try await InProcessCommand.exitCode(arguments) }

    /// A store with 1,192 events of `rr-export` (more than one page) and 108 of another
    /// correlation; one exported event has a comma, a quote and a line break in its error message.
    static func store(in directory: String) async throws -> (url: [String], events: [AuditEvent], store: SQLiteStore) {
        let file = directory + "/audit.sqlite"
        let store = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: file), logger: Logger(label: "test"))
        try await store.prepare()
        let start = AuditTimestamp.now().adding(seconds: -3600)
        var all: [AuditEvent] = []
        for index in 0..<1300 {
            var fields: [String: JSONValue] = [:]
            if index == 7 { fields["error_message"] = .string("failed, \"badly\"\nsecond line") }
            all.append(
                try EventFactory.event(
                    correlationID: index % 12 == 11 ? "rr-other" : "rr-export", at: start.adding(microseconds: Int64(index) * 1000), fields: fields))
        }
        let exported = all.filter { $0.correlationID == "rr-export" }
        for chunk in stride(from: 0, to: all.count, by: 500) {
            _ = try await store.write([EventBatch(events: Array(all[chunk..<min(chunk + 500, all.count)]))])
        }
        return (["--database-url", "sqlite://" + file, "--log-level", "error"], exported, store)
    }

    @Test("NDJSON and CSV exports hold every matching event, oldest first, with its event_hash, across pages; a file is never replaced")
    func streamingFormats() async throws {
        let directory = NSTemporaryDirectory() + "auditledger-export-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (url, events, store) = try await Self.store(in: directory)
        let expected = events.sorted { ($0.timestamp, $0.id.uuidString) < ($1.timestamp, $1.id.uuidString) }

        try await run(["export", "--correlation-id", "rr-export", "--output", directory + "/out.ndjson"] + url)
        let lines = try String(contentsOfFile: directory + "/out.ndjson", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == expected.count)
        var ids: [UUID] = []
        for line in lines {
            guard case .object(let object) = try JSONParser.parse(String(line)), case .string(let id)? = object["event_id"],
                case .string(let hash)? = object["event_hash"], let uuid = UUID(uuidString: id)
            else {
                Issue.record("not an event with its hash: \(line.prefix(200))")
                continue
            }
            ids.append(uuid)
            if ids.count % 500 == 1 { #expect(try await store.event(id: uuid)?.eventHash == hash) }
        }
        #expect(ids == expected.map(\.id), "every event once, oldest first")

        try await run(["export", "--correlation-id", "rr-export", "--format", "csv", "--output", directory + "/out.csv"] + url)
        let rows = Self.csvRows(try String(contentsOfFile: directory + "/out.csv", encoding: .utf8))
        #expect(rows.first == EventCSV.columns)
        #expect(rows.count == expected.count + 1)
        let idColumn = try #require(EventCSV.columns.firstIndex(of: "event_id"))
        let messageColumn = try #require(EventCSV.columns.firstIndex(of: "error_message"))
        let hashColumn = try #require(EventCSV.columns.firstIndex(of: "event_hash"))
        #expect(rows.dropFirst().map { UUID(uuidString: $0[idColumn]) } == expected.map(\.id))
        #expect(rows.contains { $0[messageColumn] == "failed, \"badly\"\nsecond line" }, "quotes, commas and line breaks survive")
        #expect(rows.dropFirst().allSatisfy { $0.count == EventCSV.columns.count && $0[hashColumn].count == 64 })

        await #expect(throws: ValidationError.self, "an export never replaces a file") {
            try await run(["export", "--correlation-id", "rr-export", "--output", directory + "/out.csv"] + url)
        }
        await #expect(throws: ValidationError.self) { try await run(["export", "--filter", "limit=5"] + url) }
        do {
            try await run(["export", "--filter", "event_outcome=sideways"] + url)
            Issue.record("a bad filter must be refused")
        } catch let error as ValidationError {
            #expect(error.message.contains("event_outcome"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/out.csv.partial"))
    }

    @Test("A bundle verifies offline with the public key; a changed byte, a removed or added line, a cut-off file, or another key is refused")
    func bundles() async throws {
        let directory = NSTemporaryDirectory() + "auditledger-export-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (url, events, _) = try await Self.store(in: directory)
        let key = directory + "/signing.key"
        try await run(["keys", "generate", "--file", key])
        let bundle = directory + "/rr-export.bundle"
        try await run(["export", "--correlation-id", "rr-export", "--bundle", bundle, "--signing-key", key] + url)
        #expect(try await exitCode(["verify-bundle", bundle, "--signing-key", key]) == 0)
        let report = try BundleFileReport.verify(bundle, key: key)
        #expect(report.isValid && report.events == events.count && report.warnings.isEmpty, "\(report.problems) \(report.warnings)")
        #expect(try await exitCode(["verify-bundle", bundle]) == 0, "with the bundle's own keys (and a warning)")
        #expect(try await exitCode(["verify-bundle", bundle, "--trusted-key", NoteSignerKey.generate(name: "other").verifier.description]) == 1)

        let text = try String(contentsOfFile: bundle, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        func variant(_ name: String, _ changed: [String]) throws -> String {
            let path = directory + "/" + name + ".bundle"
            try Data((changed.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        var byte = lines
        byte[100] = byte[100].replacingOccurrences(of: "\"actor_type\":\"service\"", with: "\"actor_type\":\"servicf\"")
        #expect(byte[100] != lines[100])
        var removed = lines
        removed.remove(at: 1000)
        var added = lines
        added.insert(lines[10], at: 11)
        let cut = Array(lines.dropLast())
        for (name, changed) in [("byte", byte), ("removed", removed), ("added", added), ("cut", cut)] {
            let path = try variant(name, changed)
            #expect(try await exitCode(["verify-bundle", path, "--signing-key", key]) == 1, "\(name) must be refused")
            #expect(!(try BundleFileReport.verify(path, key: key).problems.isEmpty))
        }
    }

    @Test("A bundle of a log range holds every position of it; one that lists fewer is refused even unsigned")
    func rangeBundles() async throws {
        let directory = NSTemporaryDirectory() + "auditledger-export-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (url, _, _) = try await Self.store(in: directory)
        let key = directory + "/signing.key"
        try await run(["keys", "generate", "--file", key])
        let bundle = directory + "/range.bundle"
        try await run(["export", "--bundle", bundle, "--from-position", "100", "--to-position", "1250", "--signing-key", key] + url)
        let report = try BundleFileReport.verify(bundle, key: key)
        #expect(report.isValid && report.events == 1150, "\(report.problems)")
        #expect(report.scope?["kind"] == .string("range") && report.scope?["from_position"] == .number("100"))
        await #expect(throws: ValidationError.self) { try await run(["export", "--from-position", "5"] + url) }
        await #expect(throws: ValidationError.self) {
            try await run(["export", "--bundle", directory + "/x.bundle", "--from-position", "5", "--correlation-id", "rr-export"] + url)
        }
        await #expect(throws: AuditError.self, "beyond the log") {
            try await run(["export", "--bundle", directory + "/y.bundle", "--from-position", "0", "--to-position", "99999"] + url)
        }

        // The last event left out, its position dropped from the list, the statement removed: the range claim still tells.
        var lines = try String(contentsOfFile: bundle, encoding: .utf8).split(separator: "\n").map(String.init)
        guard case .object(var last) = try JSONParser.parse(lines.removeLast()), case .object(var evidence)? = last["bundle"] else {
            Issue.record("no evidence line")
            return
        }
        lines.removeLast()
        evidence["positions"] = .array([.array([.number("100"), .number("1149")])])
        evidence["statement"] = .null
        last["bundle"] = .object(evidence)
        let shortened = directory + "/shortened.bundle"
        try Data(((lines + [JSONValue.object(last).compactText]).joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: shortened))
        let refused = try BundleFileReport.verify(shortened, key: key)
        #expect(
            refused.problems.contains { $0.contains("claims every log position from 100 to 1249, but lists 1149 positions") }, "\(refused.problems)")
        #expect(try await exitCode(["verify-bundle", shortened, "--signing-key", key]) == 1)
    }

    /// RFC 4180 rows.
    static func csvRows(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        while let scalar = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if scalar == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { cell.unicodeScalars.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    cell.unicodeScalars.append(scalar)
                }
            } else if scalar == "\"" {
                quoted = true
            } else if scalar == "," {
                row.append(cell)
                cell = ""
            } else if scalar == "\r" {
                continue
            } else if scalar == "\n" {
                row.append(cell)
                rows.append(row)
                row = []
                cell = ""
            } else {
                cell.unicodeScalars.append(scalar)
            }
        }
        return rows
    }
}

/// `BundleFile.verify` with the keys of a key file.
enum BundleFileReport {
    static func verify(_ path: String, key: String) throws -> BundleVerifier.Report {
        try BundleFile.verify(path, trustedKeys: try SigningKeyFileIO.read(key).trusted)
    }
}
