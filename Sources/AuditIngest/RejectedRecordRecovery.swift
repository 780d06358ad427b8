public import AuditCore
public import Logging

/// Brings back what AuditLedger versions before the quarantine left in a spool's `rejected/`
/// directory: requests the store had refused on replay (or, wrongly, could not answer). Each
/// file's events are written through the store again — most are stored now — and those the
/// store still refuses go to the quarantine table. A file is deleted only after its events are
/// stored or quarantined; when the store cannot answer, recovery stops and keeps the rest.
public struct RejectedRecordRecovery: Sendable {
    /// What recovery did.
    public struct Report: Sendable, Hashable {
        /// Files read.
        public var files = 0
        /// Events stored now (new, or found already stored).
        public var storedEvents = 0
        /// Events the store still refuses, now in the quarantine.
        public var quarantinedEvents = 0
        /// Files that could not be read, left in place.
        public var unreadable: [String] = []
    }

    let directory: String
    let store: any AuditStore
    let logger: Logger

    /// Recovery of `<spoolDirectory>/rejected` into `store`.
    public init(spoolDirectory: String, store: any AuditStore, logger: Logger) {
        self.directory = spoolDirectory + "/rejected"
        self.store = store
        self.logger = logger
    }

    /// Recovers every file; `progress` is called after each.
    /// - Throws: the store's error when it cannot answer (files not yet handled stay).
    public func run(progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws(AuditError) -> Report {
        var report = Report()
        guard let names = try? SpoolFile.names(in: directory) else { return report }
        let files = names.filter { $0.hasSuffix(".json") }.sorted()
        for (index, name) in files.enumerated() {
            report.files += 1
            let path = directory + "/" + name
            guard let (batch, rejectedAt) = try? Self.read(SpoolFile.readWhole(path)) else {
                report.unreadable.append(name)
                logger.error(
                    "a file in the spool's rejected directory cannot be read; it is left in place", metadata: ["audit.spool.file": "\(name)"])
                continue
            }
            let refusal: AuditError?
            do throws(AuditError) {
                switch try await store.write([batch]).first {
                case .success?: refusal = nil
                case .failure(let error)?: refusal = error
                case nil: refusal = AuditError(.internalError, detail: "the store returned no result")
                }
            } catch  where error.refusesData {
                refusal = error
            }
            if let refusal {
                guard refusal.refusesData else { throw refusal }
                try await store.quarantine([
                    QuarantineEntry(
                        events: batch.events, reason: refusal.code.slug, detail: refusal.detail, requestID: nil, receivedAt: rejectedAt,
                        quarantinedAt: .now(), origin: "spool-rejected")
                ])
                report.quarantinedEvents += batch.events.count
            } else {
                report.storedEvents += batch.events.count
            }
            try SpoolFile.remove(path)
            try SpoolFile.syncDirectory(directory)
            progress(index + 1, files.count)
        }
        return report
    }

    /// The events of one `rejected/` file: `{"rejected_at", "reason", "detail", "spool_position",
    /// "record": <spool format 1 payload>}`.
    static func read(_ bytes: [UInt8]) throws -> (EventBatch, AuditTimestamp?) {
        guard case .object(let file) = try JSONParser.parse(bytes), case .object(let record)? = file["record"],
            case .array(let events)? = record["events"]
        else { throw SpoolRecordUndecodable(reason: "not a rejected-record file") }
        let payload = JSONValue.object(record).compactText
        var utf8 = payload
        let decoded = try utf8.withUTF8 { buffer in
            try SpoolRecord.decode(UnsafeRawBufferPointer(buffer), version: UInt8(ascii: "1"), eventCount: events.count)
        }
        var rejectedAt: AuditTimestamp?
        if case .string(let text)? = file["rejected_at"] { rejectedAt = AuditTimestamp(rfc3339: text) }
        return (decoded.batch, rejectedAt)
    }
}
