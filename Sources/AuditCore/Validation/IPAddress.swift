#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Validation and canonical text of `actor_ip` host addresses.
enum IPAddress {
    /// The canonical text of an IPv4 or IPv6 host address (`10.0.0.1`, `2001:db8::1`), or `nil`
    /// when `text` is not one. Prefix lengths (`/24`) are not host addresses and are refused.
    static func canonical(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= 64, !text.contains("/") else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return format(AF_INET, &v4, length: Int(INET_ADDRSTRLEN))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return format(AF_INET6, &v6, length: Int(INET6_ADDRSTRLEN))
        }
        return nil
    }

    private static func format<Address>(_ family: Int32, _ address: inout Address, length: Int) -> String? {
        var buffer = [CChar](repeating: 0, count: length)
        let written = withUnsafePointer(to: &address) { pointer in
            buffer.withUnsafeMutableBufferPointer { output in
                inet_ntop(family, UnsafeRawPointer(pointer), output.baseAddress, socklen_t(length))
            }
        }
        guard written != nil else { return nil }
        let end = buffer.firstIndex(of: 0) ?? buffer.count
        return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self).lowercased()
    }
}
