/// Writes compact JSON into a byte array.
///
/// Strings are escaped minimally (quote, backslash and control characters); every other
/// character is written as UTF-8. Numbers are written as their literal text.
public struct JSONWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Creates an empty writer; `capacity` is a hint for the expected output size.
    public init(capacity: Int = 256) {
        self.bytes = []
        self.bytes.reserveCapacity(capacity)
    }

    /// The output as a `String`.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends raw bytes that are already valid JSON (for example stored `event_data`).
    public mutating func writeRaw(_ raw: some Sequence<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    /// Appends one ASCII punctuation byte such as `{` or `,`.
    public mutating func writeByte(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends a quoted, escaped string.
    public mutating func writeString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { writeEscaped($0) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a JSON value. With `sortingKeys` it writes the canonical form used for hashing
    /// and comparison: object members in ascending order of their UTF-8 bytes and numbers in
    /// ``JSONNumber`` canonical notation, so equal values give equal bytes.
    public mutating func write(_ value: JSONValue, sortingKeys: Bool = false) {
        switch value {
        case .null:
            writeRaw("null".utf8)
        case .bool(let flag):
            writeRaw((flag ? "true" : "false").utf8)
        case .number(let literal):
            writeRaw((sortingKeys ? JSONNumber.canonical(literal) : literal).utf8)
        case .string(let string):
            writeString(string)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (position, element) in values.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element, sortingKeys: sortingKeys)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            let members = sortingKeys ? object.members.sorted { $0.key.precedesByBytes($1.key) } : object.members
            for (position, member) in members.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(member.key)
                bytes.append(UInt8(ascii: ":"))
                write(member.value, sortingKeys: sortingKeys)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// Writes `buffer` escaped: runs that need no escape (most of any text) are appended whole,
    /// not byte by byte.
    private mutating func writeEscaped(_ buffer: UnsafeBufferPointer<UInt8>) {
        var start = 0
        for index in buffer.indices {
            let byte = buffer[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if start < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<index])) }
            writeEscape(byte)
            start = index + 1
        }
        if start < buffer.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...])) }
    }

    private mutating func writeEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
        case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
        case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
        default:
            bytes.append(contentsOf: [
                0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), Self.hexDigit(byte >> 4), Self.hexDigit(byte & 0xF),
            ])
        }
    }
}

extension JSONValue {
    /// Compact JSON text, members in their original order.
    public var compactText: String {
        var writer = JSONWriter()
        writer.write(self)
        return writer.string
    }

    /// Canonical JSON bytes: compact, members sorted by name, numbers in canonical notation.
    public var canonicalBytes: [UInt8] {
        var writer = JSONWriter()
        writer.write(self, sortingKeys: true)
        return writer.bytes
    }
}
