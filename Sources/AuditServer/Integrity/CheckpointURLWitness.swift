import AsyncHTTPClient
public import AuditCore
public import AuditIngest
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// A witness URL (`--witness-url`): every new checkpoint's signed note POSTed as
/// `text/plain; charset=utf-8`; any 2xx answer counts as taken. Whoever runs the URL keeps
/// the notes outside the reach of the database's and the key's holders (docs/integrity.md).
public struct CheckpointURLWitness: CheckpointWitness {
    public let url: URL
    /// How long one POST may take. Default 10 s.
    public var timeout: Duration

    public init(url: URL, timeout: Duration = .seconds(10)) {
        self.url = url
        self.timeout = timeout
    }

    public var description: String { "url \(url.absoluteString)" }

    public func witness(_ checkpoint: StoredCheckpoint) async throws {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        request.body = .bytes(ByteBuffer(string: checkpoint.note))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout.components.seconds))
        _ = try? await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(Int(response.status.code)) else { throw WitnessRefusal(status: Int(response.status.code)) }
    }

    struct WitnessRefusal: Error, CustomStringConvertible {
        var status: Int
        var description: String { "the witness answered HTTP \(status)" }
    }
}
