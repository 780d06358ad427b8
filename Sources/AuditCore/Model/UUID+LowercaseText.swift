#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

extension UUID {
    /// The UUID as the API writes it: 36 characters, lowercase hex and four hyphens — the same
    /// text as `uuidString.lowercased()`, written from the bytes without two intermediate strings.
    public var lowercaseText: String {
        var text: [UInt8] = []
        text.reserveCapacity(36)
        withUnsafeBytes(of: uuid) { bytes in
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
                text.append(Hex.digits[Int(byte >> 4)])
                text.append(Hex.digits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Parses the 36-character hyphenated form (`8-4-4-4-12` hex digits, either case) straight
    /// from its bytes; `nil` for anything else (callers fall back to `init(uuidString:)`, so
    /// that what Foundation accepts stays accepted).
    public init?(hyphenatedHex text: String) {
        var bytes = [UInt8](repeating: 0, count: 16)
        let parsed = text.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard utf8.count == 36 else { return false }
            var output = 0
            var index = 0
            while index < 36 {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard utf8[index] == UInt8(ascii: "-") else { return false }
                    index += 1
                    continue
                }
                guard let high = Hex.value(ofDigit: utf8[index]), let low = Hex.value(ofDigit: utf8[index + 1]) else { return false }
                bytes[output] = high << 4 | low
                output += 1
                index += 2
            }
            return true
        }
        guard parsed == true else { return nil }
        self.init(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11],
                bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
