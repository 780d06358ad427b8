import AuditCore
import AuditTesting
import Foundation
import Logging
import Testing

@testable import AuditSpool

/// The spool's files: what an append leaves on disk, what reopening finds, and what damage does.
@Suite struct SpoolTests {
    static func directory() -> String {
        NSTemporaryDirectory() + "auditledger-spool-" + UUID().uuidString + "/spool"
    }

    static func batch(_ count: Int, correlation: String, reportsIndex: Bool = true) throws -> EventBatch {
        let now = AuditTimestamp.now()
        let events = try (0..<count).map {
            try EventFactory.event(
                correlationID: correlation, at: now.adding(microseconds: Int64($0)),
                data: JSONObject([.init(key: "n", value: .number("12345678901234567890")), .init(key: "text", value: .string("é \($0)"))])
            )
        }
        return EventBatch(events: events, reportsIndex: reportsIndex)
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

    @Test("Appended batches read back in order, exactly as accepted; committing them leaves no file")
    func roundTrip() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try await Self.open(directory)
        #expect(spool.isEmpty)
        let first = try Self.batch(3, correlation: "rr-a")
        let second = try Self.batch(1, correlation: "rr-b", reportsIndex: false)
        try await spool.append([first, second])
        #expect(spool.status.events == 4)
        #expect(spool.status.records == 2)
        let entries = try await spool.read(maximumEvents: 100)
        #expect(entries.map(\.batch.events.count) == [3, 1])
        #expect(entries.map(\.batch.reportsIndex) == [true, false])
        for (read, written) in zip(entries.flatMap(\.batch.events), first.events + second.events) {
            #expect(read.id == written.id)
            #expect(read.hasSameContent(as: written))
        }
        #expect(try await spool.read(maximumEvents: 100).count == 2, "reading does not consume")
        try await spool.commit(entries)
        #expect(spool.isEmpty)
        #expect(try Self.segments(directory).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory + "/cursor"))
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
        try await spool.append([
            try Self.batch(4, correlation: "rr-1"), try Self.batch(4, correlation: "rr-2"), try Self.batch(4, correlation: "rr-3"),
        ])
        #expect(try await spool.read(maximumEvents: 9).count == 2)
        #expect(try await spool.read(maximumEvents: 2).count == 1)
    }

    @Test("Reopened after a restart, it holds what was not committed, from the persisted cursor")
    func reopen() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let batches = try (0..<5).map { try Self.batch(2, correlation: "rr-\($0)") }
        do {
            let spool = try await Self.open(directory)
            try await spool.append(batches)
            let entries = try await spool.read(maximumEvents: 4)
            try await spool.commit(entries)
            #expect(spool.status.events == 6)
        }
        let reopened = try await Self.open(directory)
        #expect(reopened.status.events == 6)
        #expect(reopened.status.records == 3)
        let rest = try await reopened.read(maximumEvents: 100)
        #expect(rest.map { $0.batch.events[0].correlationID } == ["rr-2", "rr-3", "rr-4"])
        #expect(reopened.status.corruptRegions == 0)
    }

    @Test("A record cut short by a crash is cut off, kept in corrupt/, and counted; appends go on")
    func tornTail() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let spool = try await Self.open(directory)
            try await spool.append([
                try Self.batch(1, correlation: "rr-1"), try Self.batch(1, correlation: "rr-2"), try Self.batch(1, correlation: "rr-3"),
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
        try await spool.append([try Self.batch(1, correlation: "rr-4")])
        let entries = try await spool.read(maximumEvents: 100)
        #expect(entries.map { $0.batch.events[0].correlationID } == ["rr-1", "rr-2", "rr-4"])
    }

    @Test("A damaged record in the middle is stepped over; the records after it replay")
    func damagedMiddle() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var firstLength = 0
        do {
            let spool = try await Self.open(directory)
            try await spool.append([try Self.batch(1, correlation: "rr-1")])
            firstLength = Int(spool.status.bytes)
            try await spool.append([try Self.batch(1, correlation: "rr-2"), try Self.batch(1, correlation: "rr-3")])
        }
        let segment = directory + "/" + (try #require(try Self.segments(directory).first))
        var bytes = try #require(FileManager.default.contents(atPath: segment))
        bytes[firstLength + 40] ^= 0x20
        try bytes.write(to: URL(fileURLWithPath: segment))

        let spool = try await Self.open(directory)
        #expect(spool.status.records == 2)
        #expect(spool.status.corruptRegions == 1)
        let entries = try await spool.read(maximumEvents: 100)
        #expect(entries.map { $0.batch.events[0].correlationID } == ["rr-1", "rr-3"])
        try await spool.commit(entries)
        #expect(spool.isEmpty)
    }

    @Test("A full spool refuses the append as unavailable and keeps nothing of it")
    func full() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try await Self.open(directory, maximumBytes: 6_000)
        try await spool.append([try Self.batch(2, correlation: "rr-fits")])
        let before = spool.status
        let tooMuch = try Self.batch(20, correlation: "rr-too-much")
        do throws(AuditError) {
            try await spool.append([tooMuch])
            Issue.record("an append past the limit must be refused")
        } catch {
            #expect(error.code == .unavailable)
            #expect(error.retryAfterSeconds != nil)
        }
        #expect(spool.status == before)
    }

    @Test("Segments rotate at their size, and fully read ones are deleted on commit")
    func rotation() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let spool = try await Self.open(directory, segmentBytes: 1_000)
            for index in 0..<6 { try await spool.append([try Self.batch(1, correlation: "rr-\(index)")]) }
            let before = try Self.segments(directory)
            #expect(before.count >= 3)
            let firstHalf = try await spool.read(maximumEvents: 3)
            try await spool.commit(firstHalf)
            let after = try Self.segments(directory)
            #expect(after.count < before.count)
            #expect(String(decoding: try #require(FileManager.default.contents(atPath: directory + "/cursor")), as: UTF8.self).hasSuffix("\n"))
        }
        let reopened = try await Self.open(directory, segmentBytes: 1_000)
        #expect(try await reopened.read(maximumEvents: 100).map { $0.batch.events[0].correlationID } == ["rr-3", "rr-4", "rr-5"])
    }

    @Test("A record set aside is written to rejected/ with its reason and counted")
    func rejected() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let spool = try await Self.open(directory)
            try await spool.append([try Self.batch(2, correlation: "rr-refused")])
            let entries = try await spool.read(maximumEvents: 10)
            try await spool.reject(entries[0], reason: AuditError.validation(field: "parent_event_id", "no stored event has the id x"))
            try await spool.commit(entries)
            #expect(spool.status.rejectedRecords == 1)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/rejected")
        #expect(files.count == 1)
        let text = String(decoding: try #require(FileManager.default.contents(atPath: directory + "/rejected/" + files[0])), as: UTF8.self)
        #expect(text.contains(#""reason":"validation-error""#))
        #expect(text.contains("rr-refused"))
        #expect(try await Self.open(directory).status.rejectedRecords == 1)
    }

    @Test("Appends while the replayer reads and commits lose nothing and keep the order")
    func concurrentAppendAndDrain() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try await Self.open(directory, segmentBytes: 4_000)
        let total = 60
        let drained = try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                for index in 0..<total { try await spool.append([try Self.batch(1, correlation: "rr-\(index)")]) }
                return []
            }
            group.addTask {
                var seen: [String] = []
                while seen.count < total {
                    let entries = try await spool.read(maximumEvents: 7)
                    if entries.isEmpty {
                        await spool.waitForRecords()
                        continue
                    }
                    seen += entries.map { $0.batch.events[0].correlationID }
                    try await spool.commit(entries)
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
