/// A path to one member of `event_data`, written `results.workflows.0.scoring.confidence`:
/// member names separated by dots, a segment of digits only being an array index.
///
/// Names are ASCII letters, digits, `_` and `-`, and never digits only; at most
/// ``maximumSegments`` segments. The stores turn it into their own path syntax with the names
/// quoted, never into SQL text.
public struct EventDataPath: Sendable, Hashable, CustomStringConvertible {
    /// One step of the path.
    public enum Segment: Sendable, Hashable {
        /// A member of an object.
        case member(String)
        /// An element of an array, from 0.
        case index(Int)
    }

    /// Longest path: 8 segments.
    public static let maximumSegments = 8

    public let segments: [Segment]

    /// Parses `text`; `nil` when it is not a path as described above.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= Self.maximumSegments else { return nil }
        var segments: [Segment] = []
        for part in parts {
            guard !part.isEmpty, part.utf8.count <= 128 else { return nil }
            let allowed = part.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x2D
            }
            guard allowed else { return nil }
            if part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                guard let index = Int(part), index < 1_000_000 else { return nil }
                segments.append(.index(index))
            } else {
                segments.append(.member(String(part)))
            }
        }
        self.segments = segments
    }

    /// Whether every segment names a member (no array index).
    public var isMemberPath: Bool {
        segments.allSatisfy { if case .member = $0 { true } else { false } }
    }

    /// The path as written: `results.workflows.0.scoring.confidence`.
    public var description: String { textSegments.joined(separator: ".") }

    /// Each segment as text, as PostgreSQL's `#>` operator takes a path (`text[]`).
    public var textSegments: [String] {
        segments.map { segment in
            switch segment {
            case .member(let name): name
            case .index(let index): String(index)
            }
        }
    }
}
