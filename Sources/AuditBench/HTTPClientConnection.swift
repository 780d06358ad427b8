import NIOCore
import NIOHTTP1
import NIOPosix

/// One keep-alive HTTP/1.1 connection that sends a request and waits for its answer, over and
/// over: the load generator's unit. Bodies are sent as given, already encoded.
final class HTTPClientConnection {
    struct Answer {
        var status: Int
        var body: ByteBuffer
    }

    private var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    private let host: String
    private let authorization: String?

    /// Connects to `host:port`, runs `body` with the connection, closes it. Every request
    /// carries `Authorization: <authorization>` when it is given.
    static func with<Value>(
        host: String,
        port: Int,
        authorization: String? = nil,
        _ body: (HTTPClientConnection) async throws -> Value
    ) async throws -> Value {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            let connection = HTTPClientConnection(inbound: inbound.makeAsyncIterator(), outbound: outbound, host: host, authorization: authorization)
            return try await body(connection)
        }
    }

    private init(
        inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>,
        host: String, authorization: String?
    ) {
        self.inbound = inbound
        self.outbound = outbound
        self.host = host
        self.authorization = authorization
    }

    /// Sends one request and reads its whole answer.
    func send(_ method: HTTPMethod, _ path: String, json: ByteBuffer? = nil) async throws -> Answer {
        var headers = HTTPHeaders([("host", host), ("user-agent", "auditledger-bench")])
        if let authorization { headers.add(name: "authorization", value: authorization) }
        if let json {
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "content-length", value: String(json.readableBytes))
        }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        if let json {
            try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(json)), .end(nil)])
        } else {
            try await outbound.write(contentsOf: [.head(head), .end(nil)])
        }
        var status = 0
        var body = ByteBuffer()
        while let part = try await inbound.next() {
            switch part {
            case .head(let response):
                status = Int(response.status.code)
            case .body(var chunk):
                body.writeBuffer(&chunk)
            case .end:
                return Answer(status: status, body: body)
            }
        }
        throw HTTPClientConnectionClosed()
    }
}

/// The server closed the connection before answering.
struct HTTPClientConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the server closed the connection before answering" }
}
