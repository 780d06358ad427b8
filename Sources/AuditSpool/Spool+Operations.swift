import AuditCore
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension Spool {
    func appendNow(_ batches: [EventBatch]) throws(AuditError) {
        var bytes: [UInt8] = []
        for batch in batches { bytes += SpoolRecord(batch: batch).encoded() }
        let events = batches.reduce(0) { $0 + $1.events.count }
        try state.withLock { (state: inout State) throws(AuditError) in
            let onDisk = state.segments.values.reduce(0, +)
            guard onDisk + Int64(bytes.count) <= configuration.maximumBytes else {
                throw AuditError(
                    .unavailable,
                    detail: "the store cannot take events now and the local spool is full; retry later",
                    retryAfterSeconds: 10
                )
            }
            let active: (number: UInt64, fd: Int32)
            if let current = state.active {
                active = current
            } else {
                let number = state.nextSegment
                let fd = try SpoolFile.openForAppend(path(Self.segmentName(number)))
                do throws(AuditError) {
                    try SpoolFile.syncDirectory(configuration.directory)
                } catch {
                    close(fd)
                    throw error
                }
                state.nextSegment += 1
                state.segments[number] = 0
                state.active = (number, fd)
                active = (number, fd)
            }
            let before = state.segments[active.number] ?? 0
            do throws(AuditError) {
                try SpoolFile.writeAndSync(active.fd, bytes, path: path(Self.segmentName(active.number)))
            } catch {
                // Leave no partial record behind; if that fails too, start a new segment.
                if ftruncate(active.fd, off_t(before)) != 0 || fsync(active.fd) != 0 {
                    state.segments[active.number] = SpoolFile.size(path(Self.segmentName(active.number))) ?? before
                }
                close(active.fd)
                state.active = nil
                throw error
            }
            let size = before + Int64(bytes.count)
            state.segments[active.number] = size
            state.pendingEvents += events
            state.pendingRecords += batches.count
            if size >= configuration.segmentBytes {
                close(active.fd)
                state.active = nil
            }
        }
        metrics.appended(events: events)
        publish()
    }

    func readNow(maximumEvents: Int) throws(AuditError) -> [SpoolEntry] {
        let (cursor, segments, skips) = state.withLock { ($0.cursor, $0.segments, $0.skips) }
        var position = cursor
        var entries: [SpoolEntry] = []
        var events = 0
        var descriptor: (number: UInt64, fd: Int32)?
        defer { if let descriptor { close(descriptor.fd) } }
        while true {
            guard let size = segments[position.segment], position.offset < size else {
                guard let next = segments.keys.filter({ $0 > position.segment }).min() else { break }
                position = SpoolPosition(segment: next, offset: 0)
                continue
            }
            if let end = skips[position] {
                position.offset = end
                continue
            }
            let name = Self.segmentName(position.segment)
            if descriptor?.number != position.segment {
                if let descriptor { close(descriptor.fd) }
                descriptor = (position.segment, try SpoolFile.openForReading(path(name)))
            }
            let fd = descriptor!.fd
            let headerBytes = try SpoolFile.read(fd, at: position.offset, count: SpoolRecord.headerSize, path: path(name))
            guard let header = SpoolRecord.Header(headerBytes), position.offset + Int64(SpoolRecord.headerSize + header.payloadLength) <= size else {
                position.offset = try stepOver(damageAt: position, size: size, fd: fd)
                continue
            }
            let payload = try SpoolFile.read(fd, at: position.offset + Int64(SpoolRecord.headerSize), count: header.payloadLength, path: path(name))
            let record = payload.withUnsafeBytes { bytes -> Result<SpoolRecord, AuditError>? in
                guard header.matches(header: headerBytes, payload: bytes) else { return nil }
                return Result { () throws(AuditError) in try SpoolRecord.decode(bytes, eventCount: header.eventCount) }
            }
            guard case .success(let decoded)? = record else {
                position.offset = try stepOver(damageAt: position, size: size, fd: fd)
                continue
            }
            if !entries.isEmpty && events + header.eventCount > maximumEvents { break }
            let end = SpoolPosition(segment: position.segment, offset: position.offset + Int64(SpoolRecord.headerSize + header.payloadLength))
            entries.append(SpoolEntry(start: position, end: end, batch: decoded.batch))
            events += header.eventCount
            position = end
        }
        return entries
    }

    /// A record that no longer reads back (damaged after the spool was opened): find the next
    /// good record, keep the bytes between in `corrupt/`, and remember to step over them.
    private func stepOver(damageAt position: SpoolPosition, size: Int64, fd: Int32) throws(AuditError) -> Int64 {
        let name = Self.segmentName(position.segment)
        let rest = try SpoolFile.read(fd, at: position.offset, count: Int(size - position.offset), path: path(name))
        let end = position.offset + Int64(Self.nextRecord(in: rest, after: 0) ?? rest.count)
        try keepDamaged(Array(rest[0..<Int(end - position.offset)]), at: position, why: "a record no longer matches its checksum")
        state.withLock { $0.skips[position] = end }
        return end
    }

    func commitNow(_ entries: [SpoolEntry]) throws(AuditError) {
        try state.withLock { (state: inout State) throws(AuditError) in
            guard let last = entries.last, last.end > state.cursor else { return }
            state.cursor = last.end
            state.pendingRecords -= entries.count
            state.pendingEvents -= entries.reduce(0) { $0 + $1.batch.events.count }
            state.skips = state.skips.filter { $0.key >= state.cursor }
            let cursorFile = path("cursor")
            if state.pendingRecords == 0 && state.skips.isEmpty {
                // Everything is stored: start over with no files at all.
                if let active = state.active { close(active.fd) }
                state.active = nil
                for number in state.segments.keys.sorted() { try SpoolFile.remove(path(Self.segmentName(number))) }
                state.segments = [:]
                try SpoolFile.remove(cursorFile)
                try SpoolFile.syncDirectory(configuration.directory)
                state.cursor = SpoolPosition(segment: state.nextSegment, offset: 0)
                return
            }
            try SpoolFile.replace(
                cursorFile, with: Array("\(state.cursor.segment) \(state.cursor.offset)\n".utf8), directory: configuration.directory)
            for number in state.segments.keys.sorted() where number < state.cursor.segment && number != state.active?.number {
                try SpoolFile.remove(path(Self.segmentName(number)))
                state.segments[number] = nil
            }
        }
    }

    func rejectNow(_ entry: SpoolEntry, reason: AuditError) throws(AuditError) {
        let directory = path("rejected")
        try SpoolFile.makeDirectory(directory)
        var object = JSONObjectWriter(writer: JSONWriter(capacity: 256 + entry.batch.events.count * 1200))
        object.string("rejected_at", AuditTimestamp.now().description)
        object.string("reason", reason.code.slug)
        object.string("detail", reason.detail)
        object.string("spool_position", entry.start.description)
        let payload = SpoolRecord(batch: entry.batch).encoded().dropFirst(SpoolRecord.headerSize)
        object.raw("record", String(decoding: payload, as: UTF8.self))
        let name = "\(Self.segmentName(entry.start.segment))-\(entry.start.offset).json"
        try SpoolFile.replace(directory + "/" + name, with: object.finish().bytes, directory: directory)
        state.withLock { $0.rejected += 1 }
    }

    /// Copies damaged bytes to `corrupt/`, logs and counts them.
    func keepDamaged(_ bytes: [UInt8], at position: SpoolPosition, why: String) throws(AuditError) {
        let directory = path("corrupt")
        try SpoolFile.makeDirectory(directory)
        try SpoolFile.replace(
            directory + "/\(Self.segmentName(position.segment))-\(position.offset).bin", with: bytes, directory: directory)
        state.withLock { $0.corrupt += 1 }
        logger.error(
            "damaged spool record: kept in the spool's corrupt directory and stepped over",
            metadata: ["audit.spool.record": "\(position)", "audit.spool.bytes": "\(bytes.count)", "reason": "\(why)"]
        )
        metrics.corruptRegion()
    }

    /// The offset of the next complete, intact record in `bytes` after `start`, if any.
    static func nextRecord(in bytes: [UInt8], after start: Int) -> Int? {
        var candidate = start + 1
        while candidate + SpoolRecord.headerSize <= bytes.count {
            if bytes[candidate] == SpoolRecord.magic[0], Array(bytes[candidate..<candidate + 4]) == SpoolRecord.magic,
                let header = SpoolRecord.Header(bytes[candidate..<candidate + SpoolRecord.headerSize]),
                candidate + SpoolRecord.headerSize + header.payloadLength <= bytes.count
            {
                let intact = bytes.withUnsafeBytes { buffer in
                    header.matches(
                        header: Array(bytes[candidate..<candidate + SpoolRecord.headerSize]),
                        payload: UnsafeRawBufferPointer(
                            rebasing: buffer[(candidate + SpoolRecord.headerSize)..<(candidate + SpoolRecord.headerSize + header.payloadLength)])
                    )
                }
                if intact { return candidate }
            }
            candidate += 1
        }
        return nil
    }
}
