import AuditCore
import AuditTesting
import Foundation
import Logging
import Testing

@testable import AuditIngest

/// The spool's files: what an append leaves on disk, what reopening finds, and what damage does.
@Suite struct SpoolTests {
    static func directory() -> String {
        NSTemporaryDirectory() + "auditledger-spool-" + UUID().uuidString + "/spool"
    }

    static func batch(_ count: Int, correlation: String) throws -> EventBatch {
        let now = AuditTimestamp.now()
        let events = try (0..<count).map {
            try EventFactory.event(
                correlationID: correlation, at: now.adding(microseconds: Int64($0)),
                data: JSONObject([.init(key: "n", value: .number("12345678901234567890")), .init(key: "text", value: .string("é \($0)"))])
            )
        }
        return EventBatch(events: events)
    }

    static func record(_ count: Int, correlation: String) throws -> SpoolRecord {
        SpoolRecord(batch: try batch(count, correlation: correlation), requestID: "req-\(correlation)", receivedAt: .now())
    }

    static func open(_ directory: String, maximumBytes: Int64 = 1 << 30, segmentBytes: Int64 = 16 << 20) async throws -> Spool {
        try await Spool.open(
            configuration: SpoolConfiguration(directory: directory, maximumBytes: maximumBytes, segmentBytes: segmentBytes),
            logger: Logger(label: "test.spool")
        )
    }

    static func segments(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".spool") }.sorted()
    }

    /// Reads everything and commits it, as a replayer that stored it would.
    static func drain(_ spool: Spool) async throws -> [String] {
        var seen: [String] = []
        while true {
            let read = try await spool.read(maximumEvents: 1000)
            try await spool.commit(read.entries, through: read.end)
            seen += read.entries.map { $0.batch.events[0].correlationID }
            if read.entries.isEmpty { return seen }
        }
    }

    static func correlations(_ read: SpoolRead) -> [String] { read.entries.map { $0.batch.events[0].correlationID } }

    @Test("Appended requests read back in order, exactly as accepted, with their request ids; committing them leaves no segment")
    func roundTrip() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try await Self.open(directory)
        #expect(spool.isEmpty)
        let first = try Self.record(3, correlation: "rr-a")
        let second = try Self.record(1, correlation: "rr-b")
        let results = try await spool.append([first, second])
        #expect(results.allSatisfy { if case .success = $0 { true } else { false } })
        #expect(spool.status.events == 4)
        #expect(spool.status.records == 2)
        let read = try await spool.read(maximumEvents: 100)
        #expect(read.entries.map(\.batch.events.count) == [3, 1])
        #expect(read.entries.map(\.record.requestID) == ["req-rr-a", "req-rr-b"])
        for (stored, written) in zip(read.entries.flatMap(\.batch.events), first.batch.events + second.batch.events) {
            #expect(stored.id == written.id)
            #expect(stored.hasSameContent(as: written))
            #expect(stored.eventData.json == written.eventData.json)
        }
        #expect(try await spool.read(maximumEvents: 100).entries.count == 2, "reading does not consume")
        try await spool.commit(read.entries, through: read.end)
        #expect(spool.isEmpty)
        #expect(try Self.segments(directory).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory + "/cursor"))
        #expect(FileManager.default.fileExists(atPath: directory + "/state"), "the state outlives the segments: numbers are never reused")
    }

    @Test("Without a flush per append: appended at once on the caller's thread, read back after a reopen; sync flushes")
    func appendsWithoutFlushing() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let records = try (0..<5).map { try Self.record(2, correlation: "rr-w\($0)") }
        do {
            let spool = try await Spool.open(
                configuration: SpoolConfiguration(directory: directory, segmentBytes: 4096, flushEachAppend: false),
                logger: Logger(label: "test.spool"))
            for record in records {
                let results = try spool.appendImmediately([record])
                #expect(results.allSatisfy { if case .success = $0 { true } else { false } })
            }
            try await spool.sync()
            #expect(spool.status.events == 10)
            #expect(try Self.segments(directory).count > 1, "small segments: closed (and flushed) as they fill")
        }
        // As after the process was killed: the bytes the system has are read back, in order.
        let reopened = try await Self.open(directory)
        #expect(try await Self.drain(reopened) == records.map { $0.batch.events[0].correlationID })
    }

    @Test("A second opener of the same directory is refused while the first has it")
    func oneOwner() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await Self.open(directory)
        do {
            _ = try await Self.open(directory)
            Issue.record("a second opener must be refused")
        } catch let error as AuditError {
            #expect(error.code == .unavailable)
            #expect(error.detail.contains("another process has the spool"))
        }
        _ = first
    }

    @Test("A read stops before the event limit (but takes at least one record)")
    func readLimit() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try await Self.open(directory)
        _ = try await spool.append([
            try Self.record(4, correlation: "rr-1"), try Self.record(4, correlation: "rr-2"), try Self.record(4, correlation: "rr-3"),
        ])
        #expect(try await spool.read(maximumEvents: 9).entries.count == 2)
        #expect(try await spool.read(maximumEvents: 2).entries.count == 1)
    }

    @Test("Reopened after a restart, it holds what was not committed, from the persisted cursor")
    func reopen() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let records = try (0..<5).map { try Self.record(2, correlation: "rr-\($0)") }
        do {
            let spool = try await Self.open(directory)
            _ = try await spool.append(records)
            let read = try await spool.read(maximumEvents: 4)
            try await spool.commit(read.entries, through: read.end)
            #expect(spool.status.events == 6)
        }
        let reopened = try await Self.open(directory)
        #expect(reopened.status.events == 6)
        #expect(reopened.status.records == 3)
        #expect(Self.correlations(try await reopened.read(maximumEvents: 100)) == ["rr-2", "rr-3", "rr-4"])
        #expect(reopened.status.corruptRegions == 0)
    }

    @Test("Segment numbers are never reused, across emptying the spool and restarts")
    func numbersNeverReused() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var seen: Set<String> = []
        for round in 0..<3 {
            let spool = try await Self.open(directory)
            _ = try await spool.append([try Self.record(1, correlation: "rr-\(round)")])
            let names = try Self.segments(directory)
            #expect(names.count == 1)
            #expect(seen.insert(names[0]).inserted, "segment \(names[0]) was used before")
            #expect(try await Self.drain(spool) == ["rr-\(round)"])
        }
    }

    @Test("A crash after the state says empty but before the segments are deleted replays them: nothing is skipped")
    func crashWhileClearing() async throws {
        let directory = Self.directory()
        let saved = Self.directory()
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: saved)
        }
        let segment: String
        do {
            let spool = try await Self.open(directory)
            _ = try await spool.append([try Self.record(2, correlation: "rr-old")])
            segment = try #require(try Self.segments(directory).first)
            try FileManager.default.createDirectory(atPath: saved, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: directory + "/" + segment, toPath: saved + "/" + segment)
            #expect(try await Self.drain(spool) == ["rr-old"])
        }
        // What the crash would have left: the state written (cursor at the next segment), the segment not yet deleted.
        try FileManager.default.copyItem(atPath: saved + "/" + segment, toPath: directory + "/" + segment)
        let reopened = try await Self.open(directory)
        #expect(reopened.status.events == 2, "a cursor pointing at no segment is not trusted")
        _ = try await reopened.append([try Self.record(1, correlation: "rr-new")])
        #expect(try await Self.drain(reopened) == ["rr-old", "rr-new"])
    }

    @Test("A cursor file of the first spool format, or one pointing at no segment, is not trusted: every segment replays")
    func untrustedCursor() async throws {
        for cursor in ["99 0\n", "auditledger-spool 2\nnext-segment 120\ncursor 110 4096\n"] {
            let directory = Self.directory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            do {
                let spool = try await Self.open(directory)
                _ = try await spool.append([try Self.record(1, correlation: "rr-1"), try Self.record(1, correlation: "rr-2")])
            }
            try FileManager.default.removeItem(atPath: directory + "/state")
            let name = cursor.hasPrefix("auditledger") ? "state" : "cursor"
            try Data(cursor.utf8).write(to: URL(fileURLWithPath: directory + "/" + name))
            let spool = try await Self.open(directory)
            #expect(spool.status.events == 2, "\(name): \(cursor)")
            #expect(Self.correlations(try await spool.read(maximumEvents: 100)) == ["rr-1", "rr-2"])
            #expect(!FileManager.default.fileExists(atPath: directory + "/cursor"))
            // New segments come after every number the state knew.
            if name == "state" {
                #expect(try await Self.drain(spool).count == 2)
                _ = try await spool.append([try Self.record(1, correlation: "rr-3")])
                #expect(try Self.segments(directory) == [Spool.segmentName(120)])
            }
        }
    }

    @Test("A cursor in the middle of a record is not trusted: its segment replays from the start")
    func cursorOffBoundary() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let spool = try await Self.open(directory)
            _ = try await spool.append([try Self.record(1, correlation: "rr-1"), try Self.record(1, correlation: "rr-2")])
        }
        let segment = try #require(try Self.segments(directory).first)
        let number = try #require(UInt64(segment.dropFirst("segment-".count).dropLast(".spool".count)))
        try Data("auditledger-spool 2\nnext-segment \(number + 1)\ncursor \(number) 17\n".utf8).write(to: URL(fileURLWithPath: directory + "/state"))
        let spool = try await Self.open(directory)
        #expect(Self.correlations(try await spool.read(maximumEvents: 100)) == ["rr-1", "rr-2"])
    }

    @Test("A record cut short by a crash is cut off, kept in corrupt/, and counted; appends go on")
    func tornTail() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let spool = try await Self.open(directory)
            _ = try await spool.append([
                try Self.record(1, correlation: "rr-1"), try Self.record(1, correlation: "rr-2"), try Self.record(1, correlation: "rr-3"),
            ])
        }
        let segment = directory + "/" + (try #require(try Self.segments(directory).last))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int)
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        try handle.truncate(atOffset: UInt64(size - 7))
        try handle.close()

        let spool = try await Self.open(directory)
        #expect(spool.status.records == 2)
        #expect(spool.status.corruptRegions == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/corrupt").count == 1)
        _ = try await spool.append([try Self.record(1, correlation: "rr-4")])
        #expect(Self.correlations(try await spool.read(maximumEvents: 100)) == ["rr-1", "rr-2", "rr-4"])
    }

    @Test("A damaged record in the middle is stepped over; the records after it replay; damage is never kept under a used name")
    func damagedMiddle() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var firstLength = 0
        do {
            let spool = try await Self.open(directory)
            _ = try await spool.append([try Self.record(1, correlation: "rr-1")])
            firstLength = Int(spool.status.bytes)
            _ = try await spool.append([try Self.record(1, correlation: "rr-2"), try Self.record(1, correlation: "rr-3")])
        }
        let segmentName = try #require(try Self.segments(directory).first)
        let segment = directory + "/" + segmentName
        var bytes = try #require(FileManager.default.contents(atPath: segment))
        bytes[firstLength + 40] ^= 0x20
        try bytes.write(to: URL(fileURLWithPath: segment))
        // A file already holding the name the damage would get first is left alone.
        let corrupt = directory + "/corrupt"
        try FileManager.default.createDirectory(atPath: corrupt, withIntermediateDirectories: true)
        let taken = corrupt + "/\(segmentName.dropLast(".spool".count))-\(firstLength)-1.bin"
        try Data("older damage".utf8).write(to: URL(fileURLWithPath: taken))

        let spool = try await Self.open(directory)
        #expect(spool.status.records == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: corrupt).count == 2)
        #expect(String(decoding: try #require(FileManager.default.contents(atPath: taken)), as: UTF8.self) == "older damage")
        #expect(Self.correlations(try await spool.read(maximumEvents: 100)) == ["rr-1", "rr-3"])
        #expect(try await Self.drain(spool) == ["rr-1", "rr-3"])
        #expect(spool.isEmpty)
    }

    @Test("A record whose checksum matches but that does not decode stops replay there: kept, reported, never skipped")
    func undecodableRecordStops() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let spool = try await Self.open(directory)
            _ = try await spool.append([try Self.record(1, correlation: "rr-before")])
        }
        // A record of a format this version does not know ("ALS9"), checksum intact, then a good one.
        let payload = Array(#"{"future":true}"#.utf8)
        var header = Array("ALS9".utf8)
        header.appendLittleEndian(UInt32(payload.count))
        header.appendLittleEndian(1)
        header.appendLittleEndian(CRC32C.checksum(payload, continuing: CRC32C.checksum(Array(header[4..<12]))))
        let segment = directory + "/" + (try #require(try Self.segments(directory).last))
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(header + payload))
        try handle.close()

        let spool = try await Self.open(directory)
        #expect(spool.status.corruptRegions == 0, "an intact record is not damage")
        #expect(spool.status.records == 2)
        _ = try await spool.append([try Self.record(1, correlation: "rr-after")])
        let first = try await spool.read(maximumEvents: 100)
        #expect(Self.correlations(first) == ["rr-before"], "replay stops before the record it cannot read")
        #expect(spool.status.blockedReason?.contains("format 9") == true)
        try await spool.commit(first.entries, through: first.end)
        do throws(AuditError) {
            _ = try await spool.read(maximumEvents: 100)
            Issue.record("reading at the record it cannot decode must fail")
        } catch {
            #expect(error.code == .unavailable)
            #expect(error.detail.contains("cannot be read by this version"))
        }
        #expect(!spool.isEmpty)
        #expect(spool.status.events == 2, "the unreadable record and the one behind it are kept")
    }

    @Test("A full spool refuses the append as unavailable and keeps nothing of it")
    func full() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try await Self.open(directory, maximumBytes: 6_000)
        _ = try await spool.append([try Self.record(2, correlation: "rr-fits")])
        let before = spool.status
        let tooMuch = try Self.record(20, correlation: "rr-too-much")
        do throws(AuditError) {
            _ = try await spool.append([tooMuch])
            Issue.record("an append past the limit must be refused")
        } catch {
            #expect(error.code == .unavailable)
            #expect(error.retryAfterSeconds != nil)
        }
        var full = before
        full.isFull = true
        #expect(spool.status == full, "nothing of it is kept; the spool now says it has no room")
        #expect(!spool.status.hasRoom)
        let read = try await spool.read(maximumEvents: 10)
        try await spool.commit(read.entries, through: read.end)
        #expect(spool.status.hasRoom, "replay frees room")
    }

    @Test("A record larger than a spool record may be is refused as too large, alone; the others of the group are kept")
    func recordTooLarge() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try await Spool.open(
            configuration: SpoolConfiguration(directory: directory, maximumRecordBytes: 8192), logger: Logger(label: "test.spool"))
        var huge = try Self.batch(1, correlation: "rr-huge")
        huge.events[0].eventData = EventData(storedJSON: #"{"blob":""# + String(repeating: "x", count: 8192) + #""}"#)
        let results = try await spool.append([
            try Self.record(1, correlation: "rr-small"), SpoolRecord(batch: huge, requestID: nil, receivedAt: nil),
        ])
        guard case .success = results[0], case .failure(let error) = results[1] else {
            Issue.record("expected the small record kept and the huge one refused, got \(results)")
            return
        }
        #expect(error.code == .payloadTooLarge)
        #expect(spool.status.records == 1)
        #expect(Self.correlations(try await spool.read(maximumEvents: 100)) == ["rr-small"])
    }

    @Test("Segments rotate at their size, and fully read ones are deleted on commit")
    func rotation() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let spool = try await Self.open(directory, segmentBytes: 1_000)
            for index in 0..<6 { _ = try await spool.append([try Self.record(1, correlation: "rr-\(index)")]) }
            let before = try Self.segments(directory)
            #expect(before.count >= 3)
            let firstHalf = try await spool.read(maximumEvents: 3)
            try await spool.commit(firstHalf.entries, through: firstHalf.end)
            let after = try Self.segments(directory)
            #expect(after.count < before.count)
            #expect(String(decoding: try #require(FileManager.default.contents(atPath: directory + "/state")), as: UTF8.self).hasSuffix("\n"))
        }
        let reopened = try await Self.open(directory, segmentBytes: 1_000)
        #expect(Self.correlations(try await reopened.read(maximumEvents: 100)) == ["rr-3", "rr-4", "rr-5"])
    }

    @Test("Files an older version left in rejected/ are counted, so readiness can say so")
    func legacyRejected() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/rejected", withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: directory + "/rejected/segment-0000000000000001-0.json"))
        #expect(try await Self.open(directory).status.legacyRejectedFiles == 1)
    }

    @Test("New directories are created 0700, including missing parents")
    func directoryModes() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        _ = try await Self.open(directory)
        for path in [directory, (directory as NSString).deletingLastPathComponent] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            #expect(mode == 0o700, "\(path)")
        }
    }

    @Test("Appends while the replayer reads and commits lose nothing and keep the order")
    func concurrentAppendAndDrain() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try await Self.open(directory, segmentBytes: 4_000)
        let total = 60
        let drained = try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                for index in 0..<total { _ = try await spool.append([try Self.record(1, correlation: "rr-\(index)")]) }
                return []
            }
            group.addTask {
                var seen: [String] = []
                while seen.count < total {
                    let read = try await spool.read(maximumEvents: 7)
                    if read.entries.isEmpty {
                        await spool.waitForRecords()
                        continue
                    }
                    seen += Self.correlations(read)
                    try await spool.commit(read.entries, through: read.end)
                }
                return seen
            }
            var drained: [String] = []
            for try await part in group { drained += part }
            return drained
        }
        #expect(drained == (0..<total).map { "rr-\($0)" })
        #expect(spool.isEmpty)
    }
}
