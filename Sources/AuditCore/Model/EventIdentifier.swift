import Crypto

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// The ids the server gives events sent without `event_id`.
public enum EventIdentifier {
    /// A new UUID, version 7 (RFC 9562): 48 bits of Unix milliseconds from `time`, then 74
    /// random bits. Ids made later sort later, which keeps the primary-key index appending.
    public static func make(at time: AuditTimestamp) -> UUID {
        var generator = SystemRandomNumberGenerator()
        let milliseconds = UInt64(max(0, time.microsecondsSinceEpoch / 1000)) & 0xFFFF_FFFF_FFFF
        let random = (generator.next() as UInt64, generator.next() as UInt64)
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * index)) }
        for index in 6..<16 { bytes[index] = UInt8(truncatingIfNeeded: (index < 11 ? random.0 : random.1) >> (8 * (index % 8))) }
        return uuid(bytes, version: 7)
    }

    /// A UUID, version 8 (RFC 9562), from the first 16 bytes of `hasher`'s SHA-256: the same
    /// content gives the same id.
    static func derived(from hasher: SHA256) -> UUID {
        uuid(Array(hasher.finalize().prefix(16)), version: 8)
    }

    private static func uuid(_ bytes: [UInt8], version: UInt8) -> UUID {
        var bytes = bytes
        bytes[6] = (bytes[6] & 0x0F) | (version << 4)
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
    }
}
