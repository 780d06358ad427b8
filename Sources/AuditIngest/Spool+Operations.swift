import AuditCore
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Spool {
    /// Flushes the active segment to disk (appends made with
    /// ``SpoolConfiguration/flushEachAppend`` off are on disk once this returns).
    func syncNow() throws(AuditError) {
        // A copy of the descriptor, flushed outside the lock: appends go on meanwhile.
        let fd = state.withLock { state in state.active.map { dup($0.fd) } ?? -1 }
        guard fd >= 0 else { return }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            throw AuditError(.unavailable, detail: "the local spool could not be flushed to disk", retryAfterSeconds: 5)
        }
    }

    func appendNow(_ records: [SpoolRecord]) throws(AuditError) -> [Result<Void, AuditError>] {
        var bytes: [UInt8] = []
        var results: [Result<Void, AuditError>] = []
        var events = 0
        var appended = 0
        for record in records {
            let encoded = record.encoded()
            guard encoded.count <= configuration.maximumRecordBytes else {
                results.append(
                    .failure(
                        AuditError(.payloadTooLarge, detail: "the request's events are too large to keep in the spool; send them in smaller batches"))
                )
                continue
            }
            bytes += encoded
            events += record.batch.events.count
            appended += 1
            results.append(.success(()))
        }
        guard appended > 0 else { return results }
        try state.withLock { (state: inout State) throws(AuditError) in
            let onDisk = state.segments.values.reduce(0, +)
            guard onDisk + Int64(bytes.count) <= configuration.maximumBytes else {
                state.full = true
                throw AuditError(
                    .unavailable,
                    detail: "the store cannot take events now and the local spool is full; retry later",
                    retryAfterSeconds: 10
                )
            }
            let active = try activeSegment(&state)
            let before = state.segments[active.number] ?? 0
            do throws(AuditError) {
                if configuration.flushEachAppend {
                    try SpoolFile.writeAndSync(active.fd, bytes, path: path(Self.segmentName(active.number)))
                } else {
                    try SpoolFile.writeAll(active.fd, bytes, path: path(Self.segmentName(active.number)))
                }
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
            state.full = false
            state.pendingEvents += events
            state.pendingRecords += appended
            if size >= configuration.segmentBytes {
                // A segment is closed only once it is on disk.
                if !configuration.flushEachAppend { _ = fsync(active.fd) }
                close(active.fd)
                state.active = nil
            }
        }
        metrics.appended(events: events)
        publish()
        return results
    }

    /// The segment appends go to; a new one (its number recorded in `state` first, so that it
    /// is never reused) when there is none.
    private func activeSegment(_ state: inout State) throws(AuditError) -> (number: UInt64, fd: Int32) {
        if let current = state.active { return current }
        let number = state.nextSegment
        state.nextSegment += 1
        if state.isDrained && state.segments.isEmpty {
            // An empty spool: the cursor waits at the start of the new segment.
            state.cursor = SpoolPosition(segment: number, offset: 0)
        }
        try persist(state)
        let fd = try SpoolFile.createExclusively(path(Self.segmentName(number)))
        do throws(AuditError) {
            try SpoolFile.syncDirectory(configuration.directory)
        } catch {
            close(fd)
            throw error
        }
        state.segments[number] = 0
        state.active = (number, fd)
        return (number, fd)
    }

    func readNow(maximumEvents: Int) throws(AuditError) -> SpoolRead {
        let (cursor, segments, skips) = state.withLock { ($0.cursor, $0.segments, $0.skips) }
        var position = cursor
        var entries: [SpoolEntry] = []
        var events = 0
        var descriptor: (number: UInt64, fd: Int32)?
        var blocked = false
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
            let intact = payload.withUnsafeBytes { header.matches(header: headerBytes, payload: $0) }
            guard intact else {
                position.offset = try stepOver(damageAt: position, size: size, fd: fd)
                continue
            }
            if !entries.isEmpty && events + header.eventCount > maximumEvents { break }
            let decoded = payload.withUnsafeBytes { bytes in
                Result { () throws(SpoolRecordUndecodable) -> SpoolRecord in
                    try SpoolRecord.decode(bytes, version: header.version, eventCount: header.eventCount)
                }
            }
            guard case .success(let record) = decoded else {
                blocked = true
                if case .failure(let failure) = decoded { try block(at: position, reason: failure.reason, nothingRead: entries.isEmpty) }
                break
            }
            let end = SpoolPosition(segment: position.segment, offset: position.offset + Int64(SpoolRecord.headerSize + header.payloadLength))
            entries.append(SpoolEntry(start: position, end: end, record: record))
            events += header.eventCount
            position = end
        }
        if !blocked { state.withLock { $0.blocked = nil } }
        return SpoolRead(entries: entries, end: entries.last?.end ?? position)
    }

    /// A record whose checksum is intact does not decode: replay stops here, and an operator
    /// must look (it is never skipped). Throws when nothing was read before it.
    private func block(at position: SpoolPosition, reason: String, nothingRead: Bool) throws(AuditError) {
        let detail = "the spool record at \(position) cannot be read by this version of AuditLedger: \(reason)"
        let isNew = state.withLock { state -> Bool in
            defer { state.blocked = detail }
            return state.blocked != detail
        }
        if isNew {
            logger.critical(
                "spool replay stopped: a record with an intact checksum does not decode; it is kept, and replay resumes once a version that reads it runs",
                metadata: ["audit.spool.record": "\(position)", "reason": "\(reason)"])
            publish()
        }
        if nothingRead { throw AuditError(.unavailable, detail: detail, retryAfterSeconds: 60) }
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

    func commitNow(_ entries: [SpoolEntry], through end: SpoolPosition) throws(AuditError) {
        try state.withLock { (state: inout State) throws(AuditError) in
            guard end > state.cursor else { return }
            state.cursor = end
            state.full = false
            state.pendingRecords = max(0, state.pendingRecords - entries.count)
            state.pendingEvents = max(0, state.pendingEvents - entries.reduce(0) { $0 + $1.batch.events.count })
            state.skips = state.skips.filter { $0.key >= state.cursor }
            if state.isDrained {
                try clear(&state)
                return
            }
            try persist(state)
            for number in state.segments.keys.sorted() where number < state.cursor.segment && number != state.active?.number {
                try SpoolFile.remove(path(Self.segmentName(number)))
                state.segments[number] = nil
            }
        }
    }

    /// Everything is stored: the state says so first (cursor at the next segment, which does not
    /// exist yet), then the segments go. A crash in between replays stored events, never skips any.
    func clear(_ state: inout State) throws(AuditError) {
        if let active = state.active { close(active.fd) }
        state.active = nil
        state.cursor = SpoolPosition(segment: state.nextSegment, offset: 0)
        state.pendingRecords = 0
        state.pendingEvents = 0
        state.skips = [:]
        try persist(state)
        crashIfAsked(at: .clearing)
        for number in state.segments.keys.sorted() { try SpoolFile.remove(path(Self.segmentName(number))) }
        state.segments = [:]
        try SpoolFile.syncDirectory(configuration.directory)
    }

    /// Copies damaged bytes to `corrupt/` (under a name never used before), logs and counts them.
    func keepDamaged(_ bytes: [UInt8], at position: SpoolPosition, why: String) throws(AuditError) {
        let directory = path("corrupt")
        try SpoolFile.makeDirectory(directory)
        try SpoolFile.writeNew(
            in: directory, prefix: "\(Self.segmentName(position.segment).dropLast(".spool".count))-\(position.offset)", suffix: ".bin",
            bytes: bytes)
        state.withLock { $0.corrupt += 1 }
        logger.error(
            "damaged spool record: kept in the spool's corrupt directory and stepped over",
            metadata: ["audit.spool.record": "\(position)", "audit.spool.bytes": "\(bytes.count)", "reason": "\(why)"]
        )
        metrics.corruptRegion()
    }
}
