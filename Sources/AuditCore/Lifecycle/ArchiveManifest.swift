/// The description written next to a month's archive (`<name>.ndjson.gz` + `<name>.manifest.json`).
///
/// The archive holds one event per line in the archive's own encoding
/// (``StoredAuditEvent/writeArchiveJSON(into:)``), in `insert_seq` order, gzip compressed;
/// `sha256` is the hash of the compressed file, `rowCount` its number of lines.
public struct ArchiveManifest: Sendable, Hashable {
    /// Format identifier written, `auditledger-archive/3`: events carry `written_by`,
    /// `event_hash`, `hash_algorithm` and `log_position`, and the manifest the month's ``log`` evidence.
    public static let format = "auditledger-archive/3"
    /// Formats read: the current one, `auditledger-archive/2` (no log evidence) and
    /// `auditledger-archive/1` (no `written_by` and no hashes; its events read as ones whose
    /// writer is not known, and are hashed when restored).
    public static let readableFormats: Set<String> = [format, "auditledger-archive/2", "auditledger-archive/1"]

    public var month: PartitionMonth
    /// The archive file's name (no directory), e.g. `audit_events_2025_07-20260101T030000123456Z.ndjson.gz`.
    public var archiveFile: String
    public var rowCount: Int64
    /// SHA-256 of the archive file, lowercase hex.
    public var sha256: String
    public var firstEventID: String?
    public var lastEventID: String?
    public var firstTimestamp: AuditTimestamp?
    public var lastTimestamp: AuditTimestamp?
    public var createdAt: AuditTimestamp
    /// The store the month came from: `postgres` or `sqlite`.
    public var store: String
    /// What proves the month's events against the log offline (``BundleVerifier``); `nil` in
    /// archives of format 2 and 1.
    public var log: BundleEvidence?

    public init(
        month: PartitionMonth,
        archiveFile: String,
        rowCount: Int64,
        sha256: String,
        firstEventID: String?,
        lastEventID: String?,
        firstTimestamp: AuditTimestamp?,
        lastTimestamp: AuditTimestamp?,
        createdAt: AuditTimestamp,
        store: String,
        log: BundleEvidence? = nil
    ) {
        self.log = log
        self.month = month
        self.archiveFile = archiveFile
        self.rowCount = rowCount
        self.sha256 = sha256
        self.firstEventID = firstEventID
        self.lastEventID = lastEventID
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.createdAt = createdAt
        self.store = store
    }

    /// The manifest as JSON text.
    public var json: String {
        var object = JSONObject()
        object["format"] = .string(Self.format)
        object["partition"] = .string(month.partitionName)
        object["month"] = .string(month.description)
        object["range_start"] = .string(month.firstDay.description)
        object["range_end"] = .string(month.endDay.description)
        object["archive_file"] = .string(archiveFile)
        object["row_count"] = .number(String(rowCount))
        object["sha256"] = .string(sha256)
        object["first_event_id"] = firstEventID.map(JSONValue.string) ?? .null
        object["last_event_id"] = lastEventID.map(JSONValue.string) ?? .null
        object["first_event_timestamp"] = firstTimestamp.map { .string($0.description) } ?? .null
        object["last_event_timestamp"] = lastTimestamp.map { .string($0.description) } ?? .null
        object["created_at"] = .string(createdAt.description)
        object["store"] = .string(store)
        if let log { object["log"] = log.json }
        return JSONValue.object(object).compactText + "\n"
    }

    /// Reads a manifest written by ``json``.
    public init(json text: String) throws(AuditError) {
        func invalid(_ why: String) -> AuditError { AuditError(.malformedRequest, detail: "not an AuditLedger archive manifest: \(why)") }
        guard case .object(let object)? = try? JSONParser.parse(text) else { throw invalid("not a JSON object") }
        func string(_ key: String) -> String? { if case .string(let value)? = object[key] { value } else { nil } }
        guard let format = string("format"), Self.readableFormats.contains(format) else {
            throw invalid("format is not one of \(Self.readableFormats.sorted().joined(separator: ", "))")
        }
        guard let monthText = string("month"), monthText.count == 7, let year = Int(monthText.prefix(4)), let number = Int(monthText.suffix(2)),
            let month = PartitionMonth(year: year, month: number)
        else { throw invalid("month") }
        guard let file = string("archive_file"), !file.contains("/"), let sha = string("sha256"), sha.count == 64 else {
            throw invalid("archive_file or sha256")
        }
        guard case .number(let rows)? = object["row_count"], let rowCount = Int64(rows) else { throw invalid("row_count") }
        guard let created = string("created_at").flatMap({ AuditTimestamp(rfc3339: $0) }) else { throw invalid("created_at") }
        self.init(
            month: month, archiveFile: file, rowCount: rowCount, sha256: sha, firstEventID: string("first_event_id"),
            lastEventID: string("last_event_id"), firstTimestamp: string("first_event_timestamp").flatMap { AuditTimestamp(rfc3339: $0) },
            lastTimestamp: string("last_event_timestamp").flatMap { AuditTimestamp(rfc3339: $0) }, createdAt: created,
            store: string("store") ?? "unknown",
            log: try object["log"].map { (value: JSONValue) throws(AuditError) in try BundleEvidence(json: value) }
        )
    }
}
