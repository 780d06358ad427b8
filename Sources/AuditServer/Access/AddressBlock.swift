#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address block (`10.0.0.0/8`, `::1`, `192.168.1.7`), for trusted proxies.
public struct AddressBlock: Sendable, Hashable, CustomStringConvertible {
    /// The network's bytes (4 or 16).
    let bytes: [UInt8]
    let prefixLength: Int

    /// Parses an address or `address/prefix`; `nil` when it is neither.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = Self.parse(String(parts[0])) else { return nil }
        let maximum = bytes.count * 8
        var prefix = maximum
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...maximum).contains(parsed) else { return nil }
            prefix = parsed
        }
        self.bytes = Self.masked(bytes, prefix)
        self.prefixLength = prefix
    }

    /// Whether `address` (text, as a socket reports it) lies in the block. An IPv4-mapped IPv6
    /// address (`::ffff:10.1.2.3`) matches IPv4 blocks.
    public func contains(_ address: String) -> Bool {
        guard var candidate = Self.parse(address) else { return false }
        if candidate.count == 16, bytes.count == 4, candidate[0..<10].allSatisfy({ $0 == 0 }), candidate[10] == 0xff, candidate[11] == 0xff {
            candidate = Array(candidate[12...])
        }
        guard candidate.count == bytes.count else { return false }
        return Self.masked(candidate, prefixLength) == bytes
    }

    public var description: String {
        let text: String
        if bytes.count == 4 {
            text = bytes.map(String.init).joined(separator: ".")
        } else {
            text = stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
        }
        return "\(text)/\(prefixLength)"
    }

    private static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    private static func masked(_ bytes: [UInt8], _ prefix: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bits = max(0, min(8, prefix - index * 8))
            return bits == 8 ? byte : byte & ~(0xff >> bits)
        }
    }
}
