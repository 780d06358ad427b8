import AuditCore
import Logging
import Synchronization

extension Spool {
    /// Checks every record from the cursor on. Damage at the very end of the last segment is a
    /// write a crash interrupted (never answered): it is cut off. Damage anywhere else is
    /// stepped over. Both are kept in `corrupt/`, logged and counted. A record is intact when its
    /// checksum matches; whether it decodes is the replayer's concern (it stops, never skips).
    func recoverNow() throws(AuditError) {
        var (cursor, segments) = state.withLock { ($0.cursor, $0.segments) }
        // Segments before the cursor's were stored; only their deletion was cut short.
        for number in segments.keys.sorted() where number < cursor.segment {
            try SpoolFile.remove(path(Self.segmentName(number)))
            segments[number] = nil
        }
        let last = segments.keys.max()
        var records = 0
        var events = 0
        for number in segments.keys.sorted() where number >= cursor.segment {
            let name = Self.segmentName(number)
            let bytes = try SpoolFile.readWhole(path(name))
            var offset = 0
            if number == cursor.segment, cursor.offset > 0 {
                // The cursor must fall on a record boundary; if it does not, read the segment
                // from its start (replaying stored events again is harmless).
                if Self.isRecordBoundary(Int(cursor.offset), in: bytes) {
                    offset = Int(cursor.offset)
                } else {
                    logger.warning(
                        "the spool's cursor is not at a record boundary; replaying its segment from the start",
                        metadata: ["audit.spool.cursor": "\(cursor)"])
                    cursor.offset = 0
                }
            }
            while offset < bytes.count {
                if let (count, length) = Self.intactRecord(in: bytes, at: offset) {
                    records += 1
                    events += count
                    offset += length
                    continue
                }
                let position = SpoolPosition(segment: number, offset: Int64(offset))
                if let next = Self.nextRecord(in: bytes, after: offset) {
                    try keepDamaged(Array(bytes[offset..<next]), at: position, why: "a record does not match its checksum")
                    state.withLock { $0.skips[position] = Int64(next) }
                    offset = next
                } else if number == last {
                    try keepDamaged(Array(bytes[offset...]), at: position, why: "the last record was cut short (a write interrupted by a crash)")
                    try SpoolFile.truncate(path(name), to: Int64(offset))
                    segments[number] = Int64(offset)
                    offset = bytes.count
                } else {
                    try keepDamaged(Array(bytes[offset...]), at: position, why: "the end of a segment does not read back")
                    state.withLock { $0.skips[position] = Int64(bytes.count) }
                    offset = bytes.count
                }
            }
        }
        let persisted = try state.withLock { (state: inout State) throws(AuditError) -> Int in
            state.segments = segments
            state.cursor = cursor
            state.pendingRecords = records
            state.pendingEvents = events
            if state.isDrained && !state.segments.isEmpty { try clear(&state) }
            try persist(state)
            return state.segments.count
        }
        // The cursor file of spool format 1 is replaced by `state`.
        try SpoolFile.remove(path("cursor"))
        if records > 0 {
            logger.notice(
                "the spool holds events not yet stored; they will be replayed",
                metadata: ["audit.spool.records": "\(records)", "audit.spool.events": "\(events)", "audit.spool.segments": "\(persisted)"]
            )
        }
        let legacy = state.withLock { $0.legacyRejected }
        if legacy > 0 {
            logger.warning(
                "an older version left events in the spool's rejected directory; bring them back with `auditledger spool recover-rejected`",
                metadata: ["audit.spool.rejected_files": "\(legacy)"])
        }
    }

    /// Whether walking intact records from the start of `bytes` reaches `offset` exactly.
    static func isRecordBoundary(_ offset: Int, in bytes: [UInt8]) -> Bool {
        var position = 0
        while position < offset {
            guard let (_, length) = intactRecord(in: bytes, at: position) else { return false }
            position += length
        }
        return position == offset
    }

    /// The event count and total length of the record at `offset` whose checksum matches, if there is one.
    static func intactRecord(in bytes: [UInt8], at offset: Int) -> (events: Int, length: Int)? {
        guard offset + SpoolRecord.headerSize <= bytes.count else { return nil }
        let headerBytes = Array(bytes[offset..<offset + SpoolRecord.headerSize])
        guard let header = SpoolRecord.Header(headerBytes) else { return nil }
        let end = offset + SpoolRecord.headerSize + header.payloadLength
        guard end <= bytes.count else { return nil }
        let intact = bytes.withUnsafeBytes { buffer -> Bool in
            header.matches(header: headerBytes, payload: UnsafeRawBufferPointer(rebasing: buffer[(offset + SpoolRecord.headerSize)..<end]))
        }
        return intact ? (header.eventCount, end - offset) : nil
    }

    /// The offset of the next complete, intact record in `bytes` after `start`, if any.
    static func nextRecord(in bytes: [UInt8], after start: Int) -> Int? {
        var candidate = start + 1
        while candidate + SpoolRecord.headerSize <= bytes.count {
            if bytes[candidate] == SpoolRecord.magicPrefix[0], intactRecord(in: bytes, at: candidate) != nil {
                return candidate
            }
            candidate += 1
        }
        return nil
    }
}
