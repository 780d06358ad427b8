public import AuditCore
import Foundation

/// Verifiable bundles on disk, and their verification with no store and no server
/// (`auditledger verify-bundle`).
///
/// A bundle is an NDJSON file: one event per line in the archive encoding with its
/// `log_position` (``StoredAuditEvent/writeArchiveJSON(into:logPosition:)``), then one last
/// line `{"bundle": …}` holding the ``BundleEvidence``. A retention archive is verified the
/// same way: its lines carry positions, and its manifest (`auditledger-archive/3`) the evidence.
public enum BundleFile {
    /// Verifies the bundle at `path`, or the archive when `path` is an archive's manifest or
    /// `.ndjson.gz` file.
    /// - Throws: `not-found` when the file is missing; every problem with its content is in the report.
    public static func verify(_ path: String, trustedKeys: [NoteVerifierKey]) throws(AuditError) -> BundleVerifier.Report {
        if path.hasSuffix(".manifest.json") || path.hasSuffix(".ndjson.gz") { return try verifyArchive(path, trustedKeys: trustedKeys) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw AuditError(.notFound, detail: "no bundle at \(path)") }
        defer { try? handle.close() }
        var verifier = BundleVerifier(trustedKeys: trustedKeys)
        var evidence: BundleEvidence?
        var problems: [String] = []
        var number = 0
        do {
            try forEachLine(of: handle) { line in
                number += 1
                guard evidence == nil else {
                    problems.append("line \(number) follows the bundle's evidence line")
                    return
                }
                guard case .object(let object)? = try? JSONParser.parse(line) else {
                    problems.append("line \(number) is not a JSON object")
                    return
                }
                if object.count == 1, let value = object[BundleEvidence.lineMember] {
                    do {
                        evidence = try BundleEvidence(json: value)
                    } catch {
                        problems.append("line \(number): \((error as? AuditError)?.detail ?? "\(error)")")
                    }
                } else {
                    verifier.add(line: object, number: number)
                }
            }
        } catch {
            throw AuditError(.unavailable, detail: "cannot read the bundle \(path)", underlying: error)
        }
        guard let evidence else {
            var report = BundleVerifier.Report()
            report.problems = problems + ["it has no evidence line ({\"bundle\": …}): it is cut short, or not a bundle"]
            return report
        }
        var report = verifier.finish(evidence)
        report.problems = problems + report.problems
        return report
    }

    /// Verifies a retention archive: its file against its manifest's SHA-256 and row count
    /// (``ArchiveReader``), then its events against the manifest's log evidence.
    static func verifyArchive(_ path: String, trustedKeys: [NoteVerifierKey]) throws(AuditError) -> BundleVerifier.Report {
        var verifier = BundleVerifier(trustedKeys: trustedKeys)
        var report = BundleVerifier.Report()
        let verified: ArchiveReader.Verified
        do {
            verified = try ArchiveReader.verify(path, loadEvents: false) { verifier.add(line: $0, number: $1) }
        } catch let error where error.code == .conflict {
            report.problems.append(error.detail)
            return report
        }
        guard let evidence = verified.manifest.log else {
            if verified.manifest.rowCount == 0 {
                report.warnings.append("the archive of \(verified.manifest.month) holds no events: there is nothing to prove")
                return report
            }
            report.problems.append(
                "the archive \(verified.manifest.archiveFile) carries no log evidence (written before format 3): its events cannot be checked against the log offline"
            )
            return report
        }
        report = verifier.finish(evidence)
        if case .string(let month)? = evidence.scope["month"], month != verified.manifest.month.description {
            report.problems.append("its evidence is for \(month), the manifest says \(verified.manifest.month)")
        }
        return report
    }

    /// Calls `body` with each line of `handle` (without its newline), reading 1 MiB at a time.
    static func forEachLine(of handle: FileHandle, _ body: ([UInt8]) -> Void) throws {
        var pending: [UInt8] = []
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            pending.append(contentsOf: chunk)
            var start = 0
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                body(Array(pending[start..<newline]))
                start = newline + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { body(pending) }
    }
}
