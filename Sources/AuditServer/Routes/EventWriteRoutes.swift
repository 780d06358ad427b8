import AuditCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `POST /api/v1/audit/events` and `POST /api/v1/audit/events/batch` (Kubernaut's write API).
struct EventWriteRoutes {
    let writer: BatchWriter
    let validator: EventValidator
    let configuration: AuditServerConfiguration

    func register(on router: Router<AuditRequestContext>) {
        router.post("/api/v1/audit/events") { request, context in
            try await createEvent(request, context: context)
        }
        router.post("/api/v1/audit/events/batch") { request, context in
            try await createBatch(request, context: context)
        }
    }

    func createEvent(_ request: Request, context: AuditRequestContext) async throws -> Response {
        let body = try await RequestJSON.read(request, limit: configuration.maximumBodyBytes)
        let event = try validator.event(from: body, now: configuration.clock())
        switch try await writer.submit(EventBatch(events: [event], reportsIndex: false), logger: context.logger) {
        case .stored(let receipt):
            return .json(status: .created, EventJSON.created(event, isNew: receipt.insertedCount > 0))
        case .spooled:
            return .json(status: .accepted, EventJSON.accepted(event))
        }
    }

    func createBatch(_ request: Request, context: AuditRequestContext) async throws -> Response {
        let body = try await RequestJSON.read(request, limit: configuration.maximumBodyBytes)
        let events = try validator.batch(from: body, now: configuration.clock())
        switch try await writer.submit(EventBatch(events: events, reportsIndex: true), logger: context.logger) {
        case .stored(let receipt):
            context.logger.debug(
                "batch stored",
                metadata: ["audit.batch.size": "\(events.count)", "audit.batch.inserted": "\(receipt.insertedCount)"]
            )
            return .json(status: .created, EventJSON.batchCreated(receipt))
        case .spooled(let ids):
            return .json(status: .accepted, EventJSON.batchAccepted(ids))
        }
    }
}

/// Reading a JSON request body within the size limit.
enum RequestJSON {
    static func read(_ request: Request, limit: Int) async throws -> JSONValue {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw AuditError(.payloadTooLarge, detail: "the request body is \(declared) bytes; the limit is \(limit)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw AuditError(.payloadTooLarge, detail: "the request body is larger than the limit of \(limit) bytes")
        }
        let parsed = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(JSONSyntaxError) -> JSONValue in try JSONParser.parse(bytes) }
        }
        switch parsed {
        case .success(let value):
            return value
        case .failure(let error):
            throw AuditError(.malformedRequest, detail: "the request body is not valid JSON: \(error.reason) (byte \(error.offset))")
        }
    }
}

extension Response {
    /// An `application/json` response with a body already encoded.
    static func json(status: HTTPResponse.Status, _ bytes: [UInt8]) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
