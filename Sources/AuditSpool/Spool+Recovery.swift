import AuditCore
import Logging
import Synchronization

extension Spool {
    /// The files as found: segments and their sizes, the cursor, the rejected records.
    static func initialState(configuration: SpoolConfiguration) throws(AuditError) -> State {
        try SpoolFile.makeDirectory(configuration.directory)
        var state = State()
        state.lockFD = try SpoolFile.lockExclusively(configuration.directory + "/lock")
        let names = try SpoolFile.names(in: configuration.directory)
        for name in names where name.hasPrefix("segment-") && name.hasSuffix(".spool") {
            guard let number = UInt64(name.dropFirst("segment-".count).dropLast(".spool".count)) else { continue }
            state.segments[number] = SpoolFile.size(configuration.directory + "/" + name) ?? 0
        }
        state.nextSegment = (state.segments.keys.max() ?? 0) + 1
        let first = state.segments.keys.min() ?? state.nextSegment
        state.cursor = SpoolPosition(segment: first, offset: 0)
        if let text = try? SpoolFile.readWhole(configuration.directory + "/cursor"),
            case let parts = String(decoding: text, as: UTF8.self).split(whereSeparator: \.isWhitespace),
            parts.count == 2, let segment = UInt64(parts[0]), let offset = Int64(parts[1]),
            SpoolPosition(segment: segment, offset: offset) > state.cursor
        {
            state.cursor = SpoolPosition(segment: segment, offset: offset)
        }
        if let rejected = try? SpoolFile.names(in: configuration.directory + "/rejected") {
            state.rejected = rejected.filter { $0.hasSuffix(".json") }.count
        }
        if let corrupt = try? SpoolFile.names(in: configuration.directory + "/corrupt") {
            state.corrupt = corrupt.filter { $0.hasSuffix(".bin") }.count
        }
        return state
    }

    /// Checks every record from the cursor on. Damage at the very end of the last segment is a
    /// write a crash interrupted (never answered): it is cut off. Damage anywhere else is
    /// stepped over. Both are kept in `corrupt/`, logged and counted.
    func recoverNow() throws(AuditError) {
        let (cursor, segments) = state.withLock { ($0.cursor, $0.segments) }
        let last = segments.keys.max()
        var records = 0
        var events = 0
        for number in segments.keys.sorted() where number >= cursor.segment {
            let name = Self.segmentName(number)
            let bytes = try SpoolFile.readWhole(path(name))
            var offset = number == cursor.segment ? Int(cursor.offset) : 0
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
                    state.withLock { $0.segments[number] = Int64(offset) }
                    offset = bytes.count
                } else {
                    try keepDamaged(Array(bytes[offset...]), at: position, why: "the end of a segment does not read back")
                    state.withLock { $0.skips[position] = Int64(bytes.count) }
                    offset = bytes.count
                }
            }
        }
        state.withLock { state in
            state.pendingRecords = records
            state.pendingEvents = events
        }
        if records > 0 {
            logger.notice(
                "the spool holds events not yet stored; they will be replayed",
                metadata: ["audit.spool.records": "\(records)", "audit.spool.events": "\(events)"]
            )
        }
    }

    /// The event count and total length of the intact, decodable record at `offset`, if there is one.
    static func intactRecord(in bytes: [UInt8], at offset: Int) -> (events: Int, length: Int)? {
        guard offset + SpoolRecord.headerSize <= bytes.count else { return nil }
        let headerBytes = Array(bytes[offset..<offset + SpoolRecord.headerSize])
        guard let header = SpoolRecord.Header(headerBytes) else { return nil }
        let end = offset + SpoolRecord.headerSize + header.payloadLength
        guard end <= bytes.count else { return nil }
        let decodes = bytes.withUnsafeBytes { buffer -> Bool in
            let payload = UnsafeRawBufferPointer(rebasing: buffer[(offset + SpoolRecord.headerSize)..<end])
            guard header.matches(header: headerBytes, payload: payload) else { return false }
            return (try? SpoolRecord.decode(payload, eventCount: header.eventCount)) != nil
        }
        return decodes ? (header.eventCount, end - offset) : nil
    }
}
