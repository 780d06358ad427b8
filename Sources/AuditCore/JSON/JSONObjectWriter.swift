/// Writes the members of one JSON object into a ``JSONWriter``; `nil` values are written as `null`.
public struct JSONObjectWriter {
    private var writer: JSONWriter
    private var isFirst = true

    /// Starts an object at the end of `writer`.
    public init(writer: JSONWriter) {
        self.writer = writer
        self.writer.writeByte(UInt8(ascii: "{"))
    }

    /// Continues `writer` without copying its bytes; give them back with ``finish()``.
    public init(taking writer: inout JSONWriter) {
        var taken = JSONWriter(capacity: 0)
        swap(&taken, &writer)
        self.init(writer: taken)
    }

    private mutating func key(_ name: String) {
        if !isFirst { writer.writeByte(UInt8(ascii: ",")) }
        isFirst = false
        writer.writeString(name)
        writer.writeByte(UInt8(ascii: ":"))
    }

    public mutating func string(_ name: String, _ value: String?) {
        key(name)
        if let value { writer.writeString(value) } else { writer.writeRaw("null".utf8) }
    }

    /// A string member, left out entirely when `value` is `nil` (for schemas whose optional
    /// members may be absent but not `null`).
    public mutating func optional(_ name: String, _ value: String?) {
        if let value { string(name, value) }
    }

    public mutating func integer(_ name: String, _ value: Int64?) {
        key(name)
        writer.writeRaw((value.map { String($0) } ?? "null").utf8)
    }

    public mutating func bool(_ name: String, _ value: Bool) {
        key(name)
        writer.writeRaw((value ? "true" : "false").utf8)
    }

    /// A member whose value is JSON text already.
    public mutating func raw(_ name: String, _ json: String) {
        key(name)
        writer.writeRaw(json.utf8)
    }

    public mutating func value(_ name: String, _ value: JSONValue) {
        key(name)
        writer.write(value)
    }

    /// Gives the writer back with the object still open, to append more members by hand
    /// (each starting with `,`).
    public consuming func finishOpen() -> JSONWriter {
        writer
    }

    public consuming func finish() -> JSONWriter {
        writer.writeByte(UInt8(ascii: "}"))
        return writer
    }
}
