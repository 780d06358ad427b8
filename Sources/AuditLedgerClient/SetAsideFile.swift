import AuditCore
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `set-aside.ndjson` in the client's spool directory: one JSON line per event the server
/// refused — `{"reason", "status", "detail", "fields", "event"}` — flushed before the client
/// moves on, so that nothing it gave up on is lost without a trace (an operator can send the
/// events again once what was wrong is mended).
struct SetAsideFile {
    let directory: String

    var path: String { directory + "/set-aside.ndjson" }

    func append(_ record: SetAsideEvent, logger: Logger) {
        var members: [JSONObject.Member] = [.init(key: "reason", value: .string(record.reason.rawValue))]
        if let status = record.status { members.append(.init(key: "status", value: .number(String(status)))) }
        members.append(.init(key: "detail", value: .string(record.detail)))
        members.append(.init(key: "fields", value: .array(record.fields.map(JSONValue.string))))
        members.append(.init(key: "event", value: record.event))
        var writer = JSONWriter(capacity: 1500)
        writer.write(.object(JSONObject(members)))
        writer.writeByte(0x0A)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            logger.error("the set-aside file cannot be opened", metadata: ["audit.path": "\(path)"])
            return
        }
        defer { close(fd) }
        let bytes = writer.bytes
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        if written != bytes.count || fsync(fd) != 0 {
            logger.error("the set-aside file could not be written", metadata: ["audit.path": "\(path)"])
        }
    }
}
