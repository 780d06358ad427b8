import AuditCore
import Logging

extension Spool {
    /// The `state` file: the format, the next segment number and the cursor.
    ///
    /// ```
    /// auditledger-spool 2
    /// next-segment 18
    /// cursor 17 40960
    /// ```
    struct PersistedState: Equatable {
        var nextSegment: UInt64
        var cursor: SpoolPosition

        static let fileName = "state"
        static let header = "auditledger-spool 2"

        var bytes: [UInt8] {
            Array("\(Self.header)\nnext-segment \(nextSegment)\ncursor \(cursor.segment) \(cursor.offset)\n".utf8)
        }

        /// Reads the file's text; `nil` when it is not a state file of this format.
        init?(_ bytes: [UInt8]) {
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ") }
            guard lines.count == 3, lines[0].joined(separator: " ") == Self.header,
                lines[1].count == 2, lines[1][0] == "next-segment", let next = UInt64(lines[1][1]),
                lines[2].count == 3, lines[2][0] == "cursor", let segment = UInt64(lines[2][1]), let offset = Int64(lines[2][2]), offset >= 0
            else { return nil }
            self.nextSegment = next
            self.cursor = SpoolPosition(segment: segment, offset: offset)
        }

        init(nextSegment: UInt64, cursor: SpoolPosition) {
            self.nextSegment = nextSegment
            self.cursor = cursor
        }
    }

    /// Writes the cursor and the next segment number (atomically, flushed with its directory).
    func persist(_ state: State) throws(AuditError) {
        try SpoolFile.replace(
            path(PersistedState.fileName), with: PersistedState(nextSegment: state.nextSegment, cursor: state.cursor).bytes,
            directory: configuration.directory)
    }

    /// The files as found: segments and their sizes, the cursor (when it can be trusted), the
    /// next segment number, and what older versions left behind.
    static func initialState(configuration: SpoolConfiguration, logger: Logger) throws(AuditError) -> State {
        let directory = configuration.directory
        try SpoolFile.makeDirectory(directory)
        var state = State()
        state.lockFD = try SpoolFile.lockExclusively(directory + "/lock")
        for name in try SpoolFile.names(in: directory) where name.hasPrefix("segment-") && name.hasSuffix(".spool") {
            guard let number = UInt64(name.dropFirst("segment-".count).dropLast(".spool".count)) else { continue }
            state.segments[number] = SpoolFile.size(directory + "/" + name) ?? 0
        }
        let numbers = state.segments.keys.sorted()
        let persisted = (try? SpoolFile.readWhole(directory + "/" + PersistedState.fileName)).flatMap(PersistedState.init)
        state.nextSegment = max(persisted?.nextSegment ?? 1, (numbers.last ?? 0) + 1)
        state.cursor = SpoolPosition(segment: numbers.first ?? state.nextSegment, offset: 0)
        if let persisted {
            if let size = state.segments[persisted.cursor.segment] {
                // A cursor in a segment: the segments before it were stored (the cursor moves
                // only after a commit) and only their deletion was cut short.
                state.cursor = SpoolPosition(segment: persisted.cursor.segment, offset: min(persisted.cursor.offset, size))
                if persisted.cursor.offset > size {
                    logger.warning(
                        "the spool's cursor points past the end of its segment; replaying the segment from its start",
                        metadata: ["audit.spool.cursor": "\(persisted.cursor)"])
                    state.cursor.offset = 0
                }
            } else if !numbers.isEmpty {
                logger.notice(
                    "the spool's cursor points at no segment; replaying every segment (events already stored are not stored twice)",
                    metadata: ["audit.spool.cursor": "\(persisted.cursor)", "audit.spool.segments": "\(numbers.count)"])
            }
        } else if !numbers.isEmpty {
            logger.notice(
                "the spool has no state file of this version; replaying every segment (events already stored are not stored twice)",
                metadata: ["audit.spool.segments": "\(numbers.count)"])
        }
        if let rejected = try? SpoolFile.names(in: directory + "/rejected") {
            state.legacyRejected = rejected.filter { $0.hasSuffix(".json") }.count
        }
        if let corrupt = try? SpoolFile.names(in: directory + "/corrupt") {
            state.corrupt = corrupt.filter { $0.hasSuffix(".bin") }.count
        }
        return state
    }
}
