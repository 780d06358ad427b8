import AuditCore
import Foundation
import Logging
import Synchronization

/// Writes each log record as one JSON object per line to standard error:
/// `{"timestamp":…,"level":…,"label":…,"message":…,<metadata>…,"source":…}`.
struct JSONLogHandler: LogHandler {
    private static let output = Mutex<Void>(())

    let label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    var metadataProvider: Logger.MetadataProvider?

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = JSONObject()
        fields["timestamp"] = .string(AuditTimestamp.now().description)
        fields["level"] = .string(event.level.rawValue)
        fields["label"] = .string(label)
        fields["message"] = .string(event.message.description)
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            fields[key] = Self.json(value)
        }
        fields["source"] = .string(event.source)
        var writer = JSONWriter(capacity: 256)
        writer.write(.object(fields))
        writer.writeByte(0x0A)
        let bytes = writer.bytes
        Self.output.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                    guard written > 0 else { return }
                    offset += written
                }
            }
        }
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let string): .string(string)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let dictionary):
            .object(JSONObject(dictionary.sorted(by: { $0.key < $1.key }).map { .init(key: $0.key, value: json($0.value)) }))
        }
    }
}
