import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP connection to a live test server, for what an HTTP client library will not
/// send: a malformed request line, a body that stops half-way, a connection that sends nothing.
public final class RawConnection {
    private var fd: Int32

    /// Connects to `host:port` (default `localhost`, where the live test server listens), IPv4 or IPv6.
    public init(port: Int, host: String = "localhost") throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { throw RawConnectionError("cannot resolve \(host)") }
        defer { freeaddrinfo(list) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                    self.fd = fd
                    return
                }
                Glibc.close(fd)
            }
            candidate = info.pointee.ai_next
        }
        throw RawConnectionError("connect to \(host):\(port) failed: errno \(errno)")
    }

    deinit { close() }

    /// Closes the connection (once).
    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    public func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard result > 0 else { throw RawConnectionError("send failed: errno \(errno)") }
            sent += result
        }
    }

    /// Everything the server sends until it closes the connection or `timeout` passes; and
    /// whether it closed. Polls without blocking, so the server's own tasks keep running on the
    /// test's few threads.
    public func receive(timeout: Duration) async -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else {
                try? await Task.sleep(for: .milliseconds(10))
                continue
            }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += buffer[0..<count]
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    /// Closes the sending side (the server sees the end of the request stream).
    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }
}

/// The status code and body of a raw HTTP response text.
public func parseResponse(_ text: String) -> (status: Int, headers: String, body: String)? {
    guard let end = text.range(of: "\r\n\r\n") else { return nil }
    let head = text[..<end.lowerBound]
    let parts = head.split(separator: " ", maxSplits: 2)
    guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
    return (status, String(head), String(text[end.upperBound...]))
}

/// A raw connection failed.
public struct RawConnectionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
